"""Appending to a case's history: hash chain, actors, and event subscribers.

Every change of a case becomes a :class:`CaseEvent`. The history a clerk sees,
the audit trail, notifications, webhooks and search indexing are all fed from
here — subscribers run inside the writing transaction, so whatever they write
(outbox rows, index rows) commits or rolls back with the event itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from buergerticket.cases.models import ActorKind, Case, CaseEvent
from buergerticket.org.models import Staff


@dataclass(frozen=True)
class Actor:
    """Who performs a change: a staff member, the requester, the system or automation."""

    kind: str
    label: str
    staff: Staff | None = None

    @classmethod
    def for_staff(cls, staff: Staff) -> Actor:
        return cls(kind=ActorKind.STAFF, label=staff.name, staff=staff)

    @classmethod
    def system(cls, label: str = "System") -> Actor:
        return cls(kind=ActorKind.SYSTEM, label=label)

    @classmethod
    def requester(cls) -> Actor:
        """The person who made the request. Deliberately nameless: events are
        hash-chained and must never hold personal data that erasure has to remove."""
        return cls(kind=ActorKind.REQUESTER, label="Antragsteller:in")

    @classmethod
    def automation(cls, label: str) -> Actor:
        """``label`` names the rule or model version, e.g. ``"Regel abschlag v1"``."""
        return cls(kind=ActorKind.AUTOMATION, label=label)


Subscriber = Callable[[CaseEvent, Case], None]
WriteSubscriber = Callable[[list[CaseEvent], Case], None]
_subscribers: list[Subscriber] = []
_write_subscribers: list[WriteSubscriber] = []
# Changes written by this process so far (any thread): lets a caller see
# cheaply whether anything was written while it waited, see write_count().
_writes = 0


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Register a function called for every new event, inside the transaction.

    Apps subscribe in their ``AppConfig.ready``. A subscriber must not change
    the case itself (that would be a second write path); it may write its own
    tables, e.g. the outbox or a search index.
    """
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def subscribe_write(subscriber: WriteSubscriber) -> WriteSubscriber:
    """Register a function called once per change with all its events, after they exist.

    For read models that follow the case's final state (search index, statistics,
    webhooks): one call per change instead of one per event keeps intake fast.
    Same rules as :func:`subscribe`.
    """
    if subscriber not in _write_subscribers:
        _write_subscribers.append(subscriber)
    return subscriber


def write_count() -> int:
    """How many changes this process has written; unchanged means no case changed
    in between (another thread's write only makes the answer cautious)."""
    return _writes


def canonical_event(event: CaseEvent, file_number: str) -> bytes:
    """The bytes the event's hash covers; stable across SQLite and PostgreSQL."""
    payload = {
        "organisation": event.organisation_id,
        "file_number": file_number,
        "seq": event.seq,
        "type": event.type,
        "actor_kind": event.actor_kind,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "on_behalf_of": event.on_behalf_of_id,
        "at": event.at.astimezone(dt.UTC).isoformat(),
        "details": event.details,
        "reason": event.reason,
        "prev": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: CaseEvent, file_number: str) -> str:
    return hashlib.sha256(canonical_event(event, file_number)).hexdigest()


@dataclass
class History:
    """Collects the events of one change of one case and writes them together."""

    case: Case
    at: datetime = field(default_factory=timezone.now)
    pending: list[CaseEvent] = field(default_factory=list)

    def record(
        self, type: str, actor: Actor, details: dict[str, Any] | None = None, reason: str = ""
    ) -> CaseEvent:
        case = self.case
        on_behalf_of = None
        # A deputy holding a case for an absent colleague acts "i. V.".
        if (
            actor.staff is not None
            and case.regular_owner_id is not None
            and actor.staff.pk == case.owner_id
            and case.regular_owner_id != actor.staff.pk
        ):
            on_behalf_of = case.regular_owner_id
        event = CaseEvent(
            organisation_id=case.organisation_id,
            seq=case.last_event_seq + 1,
            type=type,
            actor_kind=actor.kind,
            actor=actor.staff,
            actor_label=actor.label,
            on_behalf_of_id=on_behalf_of,
            at=self.at,
            details=_jsonable(details or {}),
            reason=reason,
            prev_hash=case.last_event_hash,
        )
        event.hash = event_hash(event, case.file_number)
        case.last_event_seq = event.seq
        case.last_event_hash = event.hash
        self.pending.append(event)
        return event

    def write(self) -> list[CaseEvent]:
        """Insert the events (the case row must exist) and notify subscribers."""
        global _writes
        _writes += 1
        events = self.pending
        self.pending = []
        for event in events:
            event.case = self.case
        CaseEvent.objects.bulk_create(events)
        for event in events:
            for subscriber in _subscribers:
                subscriber(event, self.case)
        if events:
            for write_subscriber in _write_subscribers:
                write_subscriber(events, self.case)
        return events


def _jsonable(value: Any) -> Any:
    """Details must survive a JSON round trip unchanged, or the hash breaks."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def verify_chain(case: Case, events: Iterable[CaseEvent]) -> str | None:
    """None when the case's history is intact, else a German description of the first break."""
    expected_prev = ""
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            return f"Ereignis {expected_seq} fehlt oder ist verschoben (gefunden: {event.seq})."
        if event.prev_hash != expected_prev:
            return f"Ereignis {event.seq}: Verkettung unterbrochen (Reihenfolge geändert?)."
        if event_hash(event, case.file_number) != event.hash:
            return f"Ereignis {event.seq} ({event.type}) wurde nachträglich verändert."
        expected_prev = event.hash
        expected_seq += 1
    if expected_seq - 1 != case.last_event_seq or expected_prev != case.last_event_hash:
        return f"Ereignis {expected_seq} und folgende fehlen (gelöscht?)."
    return None
