"""What the API must commit together with a case it opens.

An ``Idempotency-Key`` and the Open311 request row must be committed in the
same transaction as the case, or a crash in between would either lose the
acknowledgement or open the case twice on the client's retry. Channels only
call :func:`pipeline.submit`; the rows are written by an event subscriber on
the case's ``intake`` event, which runs inside that transaction. The channel
hands its facts to the subscriber through a context variable.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from buergerticket.api.models import ApiClient, IdempotencyKey, Open311Request
from buergerticket.cases.models import Case, CaseEvent


@dataclass
class PendingIntake:
    client: ApiClient
    idempotency_key: str = ""
    request_hash: str = ""
    open311: dict[str, str] | None = None
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    case_id: int | None = None


_pending: ContextVar[PendingIntake | None] = ContextVar("api_pending_intake", default=None)


@contextmanager
def intake_by(pending: PendingIntake) -> Iterator[PendingIntake]:
    token = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(token)


def on_event(event: CaseEvent, case: Case) -> None:
    """Subscriber: bind the pending API facts to the first case opened in this context."""
    if event.type != "intake":
        return
    pending = _pending.get()
    if pending is None or pending.case_id is not None:
        # Follow-up cases opened by automation in the same request are not the client's.
        return
    pending.case_id = case.pk
    if pending.idempotency_key:
        IdempotencyKey.objects.create(
            client=pending.client,
            key=pending.idempotency_key,
            request_hash=pending.request_hash,
            case=case,
            created_at=event.at,
        )
    if pending.open311 is not None:
        Open311Request.objects.create(
            case=case,
            client=pending.client,
            token=pending.token,
            account_id=pending.open311.get("account_id", "")[:200],
            device_id=pending.open311.get("device_id", "")[:200],
            created_at=event.at,
        )
