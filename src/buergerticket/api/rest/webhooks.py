"""``/api/v1/webhooks``: the organisation's webhooks and their delivery log (scope ``webhooks``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema
from ninja.responses import Status

from buergerticket.api.models import ApiClient, Scope, Webhook, WebhookDelivery
from buergerticket.api.rest.auth import client_of
from buergerticket.api.rest.errors import ApiError, ErrorOut, not_found
from buergerticket.api.rest.schemas import MAX_ID, Strict
from buergerticket.api.webhooks import registry

router = Router(tags=["Webhooks"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class WebhookOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    active: bool
    disabled_reason: str
    created_at: dt.datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(..., description="Nur bei der Anlage sichtbar: damit Signaturen prüfen.")


class WebhookIn(Strict):
    url: str = Field(..., min_length=1, max_length=500)
    event_types: list[str] = Field(default_factory=list, max_length=50)
    description: str = Field("", max_length=200)


class WebhookPatch(Strict):
    url: str | None = Field(None, min_length=1, max_length=500)
    event_types: list[str] | None = Field(None, max_length=50)
    description: str | None = Field(None, max_length=200)
    active: bool | None = None


class DeliveryOut(Schema):
    id: str
    event_type: str
    case_id: int | None
    status: Literal["pending", "sent", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None


def webhook_out(hook: Webhook) -> dict[str, Any]:
    return {
        "id": hook.pk,
        "url": hook.url,
        "description": hook.description,
        "event_types": list(hook.event_types or []),
        "active": hook.active,
        "disabled_reason": hook.disabled_reason,
        "created_at": hook.created_at,
    }


def delivery_out(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": str(d.uid),
        "event_type": d.event_type,
        "case_id": d.case_id,
        "status": d.status,
        "attempts": d.attempts,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "created_at": d.created_at,
        "delivered_at": d.delivered_at,
    }


def _hook(client: ApiClient, webhook_id: Annotated[int, Path(..., ge=1, le=MAX_ID)]) -> Webhook:
    hook = Webhook.objects.filter(organisation_id=client.organisation_id, pk=webhook_id).first()
    if hook is None:
        raise not_found("Webhook")
    return hook


def _invalid(exc: registry.WebhookError) -> ApiError:
    return ApiError(422, "invalid_webhook", str(exc))


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS}, summary="Webhooks auflisten")
def list_webhooks(request: HttpRequest) -> Any:
    client = client_of(request, Scope.WEBHOOKS)
    return [webhook_out(h) for h in Webhook.objects.filter(organisation_id=client.organisation_id)]


@router.post(
    "/webhooks",
    response={201: WebhookCreated, **ERRORS},
    summary="Webhook anlegen",
    description="Leere event_types: alle Ereignisse. Das Geheimnis wird nur hier einmal gezeigt.",
)
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Any:
    client = client_of(request, Scope.WEBHOOKS)
    try:
        hook = registry.create_webhook(
            organisation=client.organisation,
            url=payload.url,
            event_types=payload.event_types,
            description=payload.description,
            created_by=client.label,
        )
    except registry.WebhookError as exc:
        raise _invalid(exc) from None
    return Status(201, {**webhook_out(hook), "secret": hook.secret})


@router.get("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS}, summary="Ein Webhook")
def get_webhook(
    request: HttpRequest, webhook_id: Annotated[int, Path(..., ge=1, le=MAX_ID)]
) -> Any:
    client = client_of(request, Scope.WEBHOOKS)
    return webhook_out(_hook(client, webhook_id))


@router.patch(
    "/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS}, summary="Webhook ändern"
)
def update_webhook(
    request: HttpRequest,
    webhook_id: Annotated[int, Path(..., ge=1, le=MAX_ID)],
    payload: WebhookPatch,
) -> Any:
    client = client_of(request, Scope.WEBHOOKS)
    hook = _hook(client, webhook_id)
    try:
        registry.update_webhook(
            hook,
            url=payload.url,
            event_types=payload.event_types,
            description=payload.description,
            active=payload.active,
        )
    except registry.WebhookError as exc:
        raise _invalid(exc) from None
    return webhook_out(hook)


@router.delete("/webhooks/{webhook_id}", response={204: None, **ERRORS}, summary="Webhook löschen")
def delete_webhook(
    request: HttpRequest, webhook_id: Annotated[int, Path(..., ge=1, le=MAX_ID)]
) -> Any:
    client = client_of(request, Scope.WEBHOOKS)
    registry.delete_webhook(_hook(client, webhook_id))
    return Status(204, None)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    summary="Zustellprotokoll (neueste 100)",
)
def list_deliveries(
    request: HttpRequest, webhook_id: Annotated[int, Path(..., ge=1, le=MAX_ID)]
) -> Any:
    client = client_of(request, Scope.WEBHOOKS)
    hook = _hook(client, webhook_id)
    return [delivery_out(d) for d in hook.deliveries.order_by("-created_at", "-pk")[:100]]
