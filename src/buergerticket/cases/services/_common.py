"""Shared mechanics of the write path: locking, errors, saving a change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from buergerticket.cases.history import Actor, History
from buergerticket.cases.models import Case, Status
from buergerticket.cases.permissions import CasePermissionDenied, check_can_work


class CaseError(Exception):
    """A change cannot be made; the message is German and shown to the user as is."""


class CaseConflict(CaseError):
    """The case changed since the caller read it (optimistic lock, HTTP 412)."""


def lock_case(case: Case | int, expected_version: int | None = None) -> Case:
    """Re-read the case holding its row lock until the transaction ends.

    Callers must be inside ``transaction.atomic``. On SQLite the IMMEDIATE
    transaction already serialises writers; on PostgreSQL this is the row lock.
    """
    pk = case if isinstance(case, int) else case.pk
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related(
            "organisation", "service", "service__file_plan", "department", "owner", "regular_owner"
        )
        .get(pk=pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict(
            "Der Vorgang wurde inzwischen geändert. Bitte laden Sie ihn neu und "
            "wiederholen Sie Ihre Änderung."
        )
    return locked


def check_actor(actor: Actor, case: Case) -> None:
    """Staff act only on cases they may work; system, automation and requester
    paths are authorised by the channel that calls the service."""
    if actor.staff is not None:
        check_can_work(actor.staff, case)


def check_open(case: Case) -> None:
    # ``status``, not the generated ``is_open``: the latter is stale in memory after a save.
    if case.status == Status.CLOSED:
        raise CaseError("Der Vorgang ist abgeschlossen. Öffnen Sie ihn zuerst wieder.")


def save_change(case: Case, history: History, fields: Iterable[str]) -> None:
    """Persist the changed fields with a new version, then write the events."""
    case.version += 1
    case.updated_at = history.at
    update = {"version", "updated_at", "last_event_seq", "last_event_hash", *fields}
    case.save(update_fields=sorted(update))
    history.write()


def today() -> dt.date:
    return timezone.localdate()


__all__ = [
    "CaseConflict",
    "CaseError",
    "CasePermissionDenied",
    "check_actor",
    "check_open",
    "lock_case",
    "save_change",
    "today",
]
