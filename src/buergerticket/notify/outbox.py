"""Queueing side effects and delivering them with retries.

Handlers are registered per ``kind``. A handler raises :class:`PermanentError`
for failures no retry will fix (invalid address); anything else is retried
with exponential backoff until ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from buergerticket.cases.models import Case
from buergerticket.notify.models import OutboxItem, OutboxStatus
from buergerticket.org.models import Organisation

log = logging.getLogger("buergerticket.outbox")

MAX_ATTEMPTS = 8
LEASE = dt.timedelta(minutes=5)
BATCH = 50

# Returns what of the payload to keep once delivered (None: all of it).
Handler = Callable[[OutboxItem], dict[str, Any] | None]
FailureHook = Callable[[OutboxItem], None]
_handlers: dict[str, Handler] = {}
_on_final_failure: dict[str, FailureHook] = {}


class PermanentError(Exception):
    """Retrying will not help; the item fails at once."""


def register_handler(
    kind: str, handler: Handler, on_final_failure: FailureHook | None = None
) -> None:
    _handlers[kind] = handler
    if on_final_failure is not None:
        _on_final_failure[kind] = on_final_failure


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, … minutes, at most six hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def enqueue(
    *,
    organisation: Organisation | int,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str,
    case: Case | None = None,
    message_id: str = "",
) -> None:
    """Queue a side effect in the current transaction (idempotent per ``dedupe_key``)."""
    now = timezone.now()
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    # One INSERT that skips an existing key: the same side effect is never queued twice.
    OutboxItem.objects.bulk_create(
        [
            OutboxItem(
                dedupe_key=dedupe_key,
                organisation_id=org_id,
                case=case,
                kind=kind,
                payload=payload,
                message_id=message_id,
                next_attempt_at=now,
                created_at=now,
            )
        ],
        ignore_conflicts=True,
    )


def _claim(now: dt.datetime) -> list[OutboxItem]:
    """Lease due items; concurrent workers skip rows another worker holds."""
    with transaction.atomic():
        due = (
            OutboxItem.objects.select_for_update(skip_locked=True)
            .filter(
                status__in=(OutboxStatus.PENDING, OutboxStatus.SENDING), next_attempt_at__lte=now
            )
            .exclude(locked_until__gt=now)
            .order_by("next_attempt_at")[:BATCH]
        )
        items = list(due)
        OutboxItem.objects.filter(pk__in=[i.pk for i in items]).update(
            status=OutboxStatus.SENDING, locked_until=now + LEASE
        )
    return items


def deliver_due() -> dict[str, int]:
    """Worker job: deliver what is due. Returns counts for logging and tests."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for item in _claim(timezone.now()):
        outcome = _deliver(item)
        counts[outcome] += 1
    return counts


def _deliver(item: OutboxItem) -> str:
    handler = _handlers.get(item.kind)
    now = timezone.now()
    try:
        if handler is None:
            raise PermanentError(f"Kein Zustellweg für „{item.kind}“ eingerichtet.")
        kept = handler(item)
    except PermanentError as exc:
        return _fail(item, str(exc), final=True)
    except Exception as exc:
        log.warning("Zustellung %s fehlgeschlagen (Versuch %d): %s", item, item.attempts + 1, exc)
        return _fail(item, f"{type(exc).__name__}: {exc}", final=item.attempts + 1 >= MAX_ATTEMPTS)
    OutboxItem.objects.filter(pk=item.pk).update(
        status=OutboxStatus.SENT,
        sent_at=now,
        attempts=item.attempts + 1,
        locked_until=None,
        last_error="",
        # In the same statement: a crash cannot leave a sent item without its text.
        **({"payload": kept} if kept is not None else {}),
    )
    return "sent"


def _fail(item: OutboxItem, error: str, *, final: bool) -> str:
    attempts = item.attempts + 1
    now = timezone.now()
    OutboxItem.objects.filter(pk=item.pk).update(
        status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
        attempts=attempts,
        last_error=error[:4000],
        locked_until=None,
        next_attempt_at=now + backoff(attempts),
    )
    if final:
        item.attempts, item.last_error = attempts, error
        hook = _on_final_failure.get(item.kind)
        if hook is not None:
            hook(item)
        return "failed"
    return "retry"


def retry(item: OutboxItem) -> None:
    """An administrator sends a failed item again."""
    OutboxItem.objects.filter(pk=item.pk).update(
        status=OutboxStatus.PENDING, next_attempt_at=timezone.now(), locked_until=None
    )
