"""From case events to webhook deliveries (subscriber) and from deliveries to HTTP (outbox handler).

The subscriber runs inside the writing transaction: a delivery exists exactly
when its event does. The outbox worker sends it after commit, retries with
backoff, and the handler records every attempt for the administrators' log.
Payloads name codes and ids only, never the requester's personal data — a
receiver that needs more reads the case through the API.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from buergerticket.api.models import DeliveryStatus, Webhook, WebhookAttempt, WebhookDelivery
from buergerticket.api.webhooks import signing
from buergerticket.cases.models import ActorKind, Case, CaseEvent
from buergerticket.core.memo import Memo
from buergerticket.notify import outbox
from buergerticket.notify.models import OutboxItem
from buergerticket.org.models import Staff

log = logging.getLogger("buergerticket.webhooks")

KIND = "webhook"
TIMEOUT_SECONDS = 10
# Client errors a retry can fix: timeouts, conflicts, rate limits.
RETRYABLE_4XX = {408, 409, 425, 429}


def _username(staff: Staff | None) -> str | None:
    return staff.user.username if staff is not None else None


def _actor(event: CaseEvent) -> str | None:
    """Staff by username, system and automation by label; a requester's label may be
    their name, so it never leaves with a webhook."""
    if event.actor_id:
        return _username(event.actor)
    if event.actor_kind == ActorKind.REQUESTER:
        return None
    return event.actor_label


def payload_for(event: CaseEvent, case: Case) -> dict[str, Any]:
    url = settings.PUBLIC_BASE_URL + reverse("api-v1:case_detail", kwargs={"case_id": case.pk})
    return {
        "type": event.type,
        "timestamp": event.at.isoformat(),
        "organisation": case.organisation.slug,
        "case": {
            "id": case.pk,
            "file_number": case.file_number,
            "status": case.status,
            "service": case.service.code,
            "department": case.department.code,
            "owner": _username(case.owner),
            "priority": case.priority,
            "deadline": case.deadline.isoformat(),
            "version": case.version,
            "url": url,
        },
        "event": {
            "seq": event.seq,
            "actor_kind": event.actor_kind,
            "actor": _actor(event),
            "details": event.details,
        },
    }


# Every change of every case asks for the organisation's webhooks; most have none.
# Saves clear the memo at once in this process, others follow within seconds.
_active: Memo[list[Webhook]] = Memo("api.webhooks")


def on_write(events: list[CaseEvent], case: Case) -> None:
    """Write subscriber: one delivery per event and active webhook that wants it."""
    organisation_id = case.organisation_id
    active = _active.get(
        organisation_id,
        lambda: list(Webhook.objects.filter(organisation_id=organisation_id, active=True)),
    )
    if not active:
        return
    for event in events:
        _deliver(event, case, [hook for hook in active if hook.wants(event.type)])


def _deliver(event: CaseEvent, case: Case, hooks: list[Webhook]) -> None:
    if not hooks:
        return
    payload = payload_for(event, case)
    for hook in hooks:
        uid = uuid.uuid4()
        key = f"webhook:{hook.pk}:{case.pk}:{event.seq}"
        outbox.enqueue(
            organisation=case.organisation_id,
            case=case,
            kind=KIND,
            payload={"delivery": str(uid)},
            dedupe_key=key,
        )
        WebhookDelivery.objects.create(
            webhook=hook,
            organisation_id=case.organisation_id,
            uid=uid,
            event_type=event.type,
            event_seq=event.seq,
            case=case,
            payload={"id": str(uid), **payload},
            outbox_key=key,
            created_at=event.at,
        )


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook answering with a redirect is misconfigured; never re-send the body elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    """(status code or None, response excerpt, error) of one POST."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 - scheme checked at registration
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read(1000).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as exc:
        excerpt = exc.read(1000).decode("utf-8", "replace") if exc.fp else ""
        return exc.code, excerpt, ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, "", f"{type(exc).__name__}: {reason}"


def deliver(item: OutboxItem) -> None:
    """Outbox handler for kind ``webhook``: one signed POST, recorded as an attempt."""
    delivery = (
        WebhookDelivery.objects.select_related("webhook")
        .filter(uid=item.payload.get("delivery"))
        .first()
    )
    if delivery is None:
        raise outbox.PermanentError(
            "Die Webhook-Zustellung gibt es nicht mehr (Webhook gelöscht?)."
        )
    webhook = delivery.webhook
    if not webhook.active:
        _finish(delivery, DeliveryStatus.FAILED, None, "Webhook deaktiviert")
        raise outbox.PermanentError("Der Webhook ist deaktiviert.")
    body = body_of(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Buergerticket-Webhooks/1",
        "Buergerticket-Event": delivery.event_type,
        **signing.headers(webhook.secret, str(delivery.uid), timestamp, body),
    }
    started = time.monotonic()
    status, excerpt, error = _post(webhook.url, body, headers)
    number = delivery.attempts + 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        at=timezone.now(),
        status_code=status,
        response_excerpt=excerpt[:1000],
        error=error[:1000],
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    if status is not None and 200 <= status < 300:
        _finish(delivery, DeliveryStatus.SENT, status, "", attempts=number)
        return
    problem = error or f"HTTP {status}"
    _finish(delivery, DeliveryStatus.PENDING, status, problem, attempts=number)
    if status == 410:
        # "Gone": the receiver asks us to stop; do so until an administrator re-activates.
        Webhook.objects.filter(pk=webhook.pk).update(
            active=False, disabled_reason="Empfänger antwortete 410 Gone"
        )
        raise outbox.PermanentError("Der Empfänger hat den Webhook abbestellt (410 Gone).")
    if status is not None and (
        300 <= status < 400 or (400 <= status < 500 and status not in RETRYABLE_4XX)
    ):
        raise outbox.PermanentError(f"Der Empfänger lehnt die Zustellung ab ({problem}).")
    raise ConnectionError(problem)


def _finish(
    delivery: WebhookDelivery,
    status: str,
    code: int | None,
    error: str,
    *,
    attempts: int | None = None,
) -> None:
    fields: dict[str, Any] = {
        "status": status,
        "last_status_code": code,
        "last_error": error[:4000],
    }
    if attempts is not None:
        fields["attempts"] = attempts
    if status == DeliveryStatus.SENT:
        fields["delivered_at"] = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)


def on_final_failure(item: OutboxItem) -> None:
    WebhookDelivery.objects.filter(uid=item.payload.get("delivery")).update(
        status=DeliveryStatus.FAILED, last_error=item.last_error[:4000]
    )
