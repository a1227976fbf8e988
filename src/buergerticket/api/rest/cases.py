"""``/api/v1/cases``: list and read (writes in :mod:`case_writes`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from buergerticket.api import selectors
from buergerticket.api.models import ApiClient, Scope
from buergerticket.api.rest import schemas
from buergerticket.api.rest.auth import client_of
from buergerticket.api.rest.errors import ErrorOut, not_found
from buergerticket.api.rest.etag import not_modified, set_etag
from buergerticket.api.rest.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    page_url,
    paginate_by,
    paginate_desc_id,
)
from buergerticket.cases import selectors as case_selectors
from buergerticket.cases.history import Actor
from buergerticket.cases.models import DEADLINE_RUNNING, Case
from buergerticket.cases.models import Status as CaseStatus
from buergerticket.cases.signals import case_read

router = Router(tags=["Vorgänge"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    429: ErrorOut,
}
LIST_ERRORS: dict[int, Any] = {**ERRORS, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}


class CaseFilter(Schema):
    status: list[schemas.StatusCode] | None = None
    open: bool | None = None
    service: str | None = None
    department: str | None = None
    owner: str | None = None
    channel: schemas.ChannelCode | None = None
    deadline_state: schemas.DeadlineState | None = None
    file_number: str | None = None
    created_from: schemas.IsoDate | None = None
    created_to: schemas.IsoDate | None = None
    updated_since: schemas.IsoDateTime | None = Field(
        None, description="Mit Zeitzone; liefert die seitdem geänderten Vorgänge, älteste zuerst."
    )
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def actor_for(client: ApiClient) -> Actor:
    """A client acting as a person acts with their rights; otherwise as the interface itself."""
    if client.staff is not None:
        return Actor.for_staff(client.staff)
    return Actor.system(client.label)


def case_url(request: HttpRequest, case: Case) -> str:
    return request.build_absolute_uri(reverse("api-v1:case_detail", kwargs={"case_id": case.pk}))


def _bounds(client: ApiClient) -> tuple[dt.date, dt.date]:
    return case_selectors.deadline_bounds(client.organisation)


def _state(case: Case, bounds: tuple[dt.date, dt.date]) -> str:
    return case_selectors.deadline_state(case, *bounds)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filtered(client: ApiClient, f: CaseFilter) -> Any:
    cases = selectors.visible_cases(client)
    if f.status:
        cases = cases.filter(status__in=f.status)
    if f.open is not None:
        cases = cases.filter(is_open=f.open)
    if f.service:
        cases = cases.filter(service__code=f.service)
    if f.department:
        cases = cases.filter(department__code=f.department)
    if f.owner:
        cases = cases.filter(owner__user__username=f.owner)
    if f.channel:
        cases = cases.filter(channel=f.channel)
    if f.file_number:
        cases = cases.filter(file_number=f.file_number)
    if f.created_from:
        cases = cases.filter(created_at__gte=_local_midnight(f.created_from))
    if f.created_to:
        cases = cases.filter(created_at__lt=_local_midnight(f.created_to + dt.timedelta(days=1)))
    if f.deadline_state:
        today, soon = _bounds(client)
        by_state = {
            "overdue": case_selectors.overdue_q(today),
            "due_soon": case_selectors.due_soon_q(today, soon),
            "suspended": Q(status=CaseStatus.WAITING),
            "met": Q(status__in=(CaseStatus.DECIDED, CaseStatus.CLOSED)),
            "running": Q(status__in=DEADLINE_RUNNING, deadline__gt=soon),
        }
        cases = cases.filter(by_state[f.deadline_state])
    if f.updated_since:
        cases = cases.filter(updated_at__gte=f.updated_since)
    return cases.select_related(*selectors.CASE_RELATED)


@router.get(
    "/cases",
    response={200: schemas.CasePage, **LIST_ERRORS},
    summary="Vorgänge auflisten",
    description=(
        "Neueste zuerst. Mit updated_since: älteste Änderung zuerst, als Änderungs-Feed zum "
        "Abholen aller seitdem geänderten Vorgänge. Weitere Seiten über next_cursor."
    ),
)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    client = client_of(request, Scope.CASES_READ, CaseFilter.model_fields)
    cases = _filtered(client, filters)
    if filters.updated_since:
        rows, cursor = paginate_by(
            cases,
            field="updated_at",
            cursor=filters.cursor,
            limit=filters.limit,
            key=lambda c: c.updated_at,
        )
    else:
        rows, cursor = paginate_desc_id(cases, cursor=filters.cursor, limit=filters.limit)
    bounds = _bounds(client)
    return {
        "items": [
            schemas.case_summary(c, state=_state(c, bounds), url=case_url(request, c)) for c in rows
        ],
        "next_cursor": cursor,
        "next": page_url(request, cursor) if cursor else None,
    }


def load_visible_case(request: HttpRequest, client: ApiClient, case_id: schemas.CaseId) -> Case:
    try:
        return selectors.case_for_client(client, case_id)
    except Case.DoesNotExist:
        raise not_found() from None


def _read(request: HttpRequest, client: ApiClient, case: Case) -> None:
    case_read.send(
        sender=list_cases,
        case=case,
        staff=client.staff,
        user=None,
        document=None,
        channel="api",
        api_client=client,
    )


def case_response(request: HttpRequest, response: HttpResponse, case: Case) -> dict[str, Any]:
    client: ApiClient = request.auth  # type: ignore[attr-defined]  # set by TokenAuth
    set_etag(response, case)
    return schemas.case_out(case, state=_state(case, _bounds(client)), url=case_url(request, case))


@router.get(
    "/cases/{case_id}",
    response={200: schemas.CaseOut, 304: None, **ERRORS},
    url_name="case_detail",
    summary="Einen Vorgang lesen",
    description="Liefert das ETag des Vorgangs; mit If-None-Match antwortet der Server 304.",
)
def get_case(request: HttpRequest, response: HttpResponse, case_id: schemas.CaseId) -> Any:
    client = client_of(request, Scope.CASES_READ)
    case = load_visible_case(request, client, case_id)
    if not_modified(request, case):
        set_etag(response, case)
        return Status(304, None)
    _read(request, client, case)
    return case_response(request, response, case)


@router.get(
    "/cases/{case_id}/messages",
    response={200: list[schemas.MessageOut], **ERRORS},
    summary="Nachrichten und Vermerke eines Vorgangs",
)
def case_messages(request: HttpRequest, response: HttpResponse, case_id: schemas.CaseId) -> Any:
    client = client_of(request, Scope.CASES_READ)
    case = load_visible_case(request, client, case_id)
    _read(request, client, case)
    set_etag(response, case)
    return [schemas.message_out(m) for m in case.messages.order_by("created_at", "pk")]


@router.get(
    "/cases/{case_id}/events",
    response={200: list[schemas.EventOut], **ERRORS},
    summary="Historie eines Vorgangs",
)
def case_events(request: HttpRequest, response: HttpResponse, case_id: schemas.CaseId) -> Any:
    client = client_of(request, Scope.CASES_READ)
    case = load_visible_case(request, client, case_id)
    _read(request, client, case)
    set_etag(response, case)
    return [
        {
            "seq": e.seq,
            "type": e.type,
            "actor": e.actor.user.username if e.actor else e.actor_label,
            "actor_kind": e.actor_kind,
            "on_behalf_of": e.on_behalf_of.user.username if e.on_behalf_of else None,
            "at": e.at,
            "details": e.details if isinstance(e.details, dict) else {},
            "reason": e.reason,
        }
        for e in case.events.select_related("actor__user", "on_behalf_of__user").order_by("seq")
    ]
