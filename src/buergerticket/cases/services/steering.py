"""Steering a case: status, deadline, follow-up, priority, owner, department, service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from buergerticket.cases.assignment import department_lead
from buergerticket.cases.history import Actor, History
from buergerticket.cases.models import Case, Priority, Status
from buergerticket.catalog.deadlines import deadline_for, extend_after_suspension

from ._common import CaseError, check_actor, check_open, lock_case, save_change, today

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.IN_PROGRESS, Status.WAITING, Status.DECIDED, Status.CLOSED},
    Status.IN_PROGRESS: {Status.WAITING, Status.DECIDED, Status.CLOSED},
    Status.WAITING: {Status.IN_PROGRESS, Status.DECIDED, Status.CLOSED},
    Status.DECIDED: {Status.IN_PROGRESS, Status.CLOSED},
    Status.CLOSED: set(),  # only through reopen(), which is its own event
}

StatusGuard = Callable[[Case, str, Actor], None]
_status_guards: list[StatusGuard] = []


def register_status_guard(guard: StatusGuard) -> StatusGuard:
    """Let another app veto a status change by raising :class:`CaseError`.

    The process app uses this so a legal act cannot be marked decided before
    its final signature.
    """
    if guard not in _status_guards:
        _status_guards.append(guard)
    return guard


def suspend_deadline(case: Case, history: History, actor: Actor) -> list[str]:
    case.deadline_suspended_since = today()
    history.record("deadline_suspended", actor, {"deadline": case.deadline.isoformat()})
    return ["deadline_suspended_since"]


def resume_deadline(case: Case, history: History, actor: Actor, reason: str = "") -> list[str]:
    """End the Fristhemmung: the deadline moves by the suspended days."""
    fields = ["deadline_suspended_since", "status"]
    if case.deadline_suspended_since is not None:
        old = case.deadline
        case.deadline = extend_after_suspension(
            old,
            case.deadline_suspended_since,
            today(),
            case.service.deadline_unit,
            case.organisation.state,
        )
        history.record(
            "deadline_resumed",
            actor,
            {
                "suspended_since": case.deadline_suspended_since.isoformat(),
                "old": old.isoformat(),
                "new": case.deadline.isoformat(),
            },
            reason,
        )
        case.deadline_suspended_since = None
        fields.append("deadline")
        if case.deadline != old:
            case.escalated_at = None
            fields.append("escalated_at")
    old_status = case.status
    case.status = Status.IN_PROGRESS
    history.record("status_changed", actor, {"old": old_status, "new": case.status}, reason)
    return fields


def set_status(
    case: Case | int,
    *,
    actor: Actor,
    status: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    with transaction.atomic():
        case = lock_case(case, expected_version)
        check_actor(actor, case)
        if status not in Status.values:
            raise CaseError(f"Unbekannter Status „{status}“.")
        if status == case.status:
            return case
        if status not in ALLOWED_TRANSITIONS[case.status]:
            raise CaseError(
                f"Ein Vorgang im Status „{Status(case.status).label}“ kann nicht auf "
                f"„{Status(status).label}“ gesetzt werden."
            )
        for guard in _status_guards:
            guard(case, status, actor)
        history = History(case)
        fields: list[str] = ["status"]
        if case.status == Status.WAITING:
            fields += resume_deadline(case, history, actor, reason)
            if status == Status.IN_PROGRESS:
                save_change(case, history, fields)
                return case
        old = case.status
        case.status = status
        history.record("status_changed", actor, {"old": old, "new": status}, reason)
        if status == Status.WAITING:
            fields += suspend_deadline(case, history, actor)
        if status == Status.DECIDED:
            case.decided_at = history.at
            fields.append("decided_at")
        if status == Status.CLOSED:
            case.closed_at = history.at
            case.closed_automatically = actor.kind == "automation"
            fields += ["closed_at", "closed_automatically"]
        save_change(case, history, fields)
    return case


def reopen(
    case: Case | int, *, actor: Actor, reason: str, expected_version: int | None = None
) -> Case:
    """A closed case becomes active again, with a fresh deadline from today."""
    with transaction.atomic():
        case = lock_case(case, expected_version)
        check_actor(actor, case)
        if case.status != Status.CLOSED:
            raise CaseError("Nur abgeschlossene Vorgänge können wieder geöffnet werden.")
        if not reason.strip():
            raise CaseError("Bitte geben Sie einen Grund für die Wiederaufnahme an.")
        history = History(case)
        case.status = Status.IN_PROGRESS
        case.closed_at = None
        case.closed_automatically = False
        case.escalated_at = None
        case.deadline = deadline_for(
            today(), case.service.deadline_days, case.service.deadline_unit, case.organisation.state
        )
        history.record("reopened", actor, {"deadline": case.deadline.isoformat()}, reason)
        save_change(
            case,
            history,
            ["status", "closed_at", "closed_automatically", "escalated_at", "deadline"],
        )
    return case


def set_follow_up(
    case: Case | int,
    *,
    actor: Actor,
    on: dt.date | None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    with transaction.atomic():
        case = lock_case(case, expected_version)
        check_actor(actor, case)
        check_open(case)
        history = History(case)
        case.follow_up = on
        history.record("follow_up_set", actor, {"on": on.isoformat() if on else None}, reason)
        save_change(case, history, ["follow_up"])
    return case


def set_priority(
    case: Case | int,
    *,
    actor: Actor,
    priority: int,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    if priority not in Priority.values:
        raise CaseError("Unbekannte Priorität.")
    with transaction.atomic():
        case = lock_case(case, expected_version)
        check_actor(actor, case)
        check_open(case)
        if case.priority == priority:
            return case
        history = History(case)
        history.record("priority_changed", actor, {"old": case.priority, "new": priority}, reason)
        case.priority = priority
        save_change(case, history, ["priority"])
    return case


def change_deadline(
    case: Case | int,
    *,
    actor: Actor,
    deadline: dt.date,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    if not reason.strip():
        raise CaseError("Bitte begründen Sie die Friständerung.")
    with transaction.atomic():
        case = lock_case(case, expected_version)
        check_actor(actor, case)
        check_open(case)
        history = History(case)
        history.record(
            "deadline_changed",
            actor,
            {"old": case.deadline.isoformat(), "new": deadline.isoformat()},
            reason,
        )
        case.deadline = deadline
        case.escalated_at = None
        save_change(case, history, ["deadline", "escalated_at"])
    return case


def add_tag(case: Case | int, *, actor: Actor, tag: str, reason: str = "") -> Case:
    with transaction.atomic():
        case = lock_case(case)
        check_open(case)
        if tag in case.tags:
            return case
        history = History(case)
        case.tags = [*case.tags, tag]
        history.record("tag_added", actor, {"tag": tag}, reason)
        save_change(case, history, ["tags"])
    return case


def set_attention(case: Case | int, *, actor: Actor, text: str) -> Case:
    """Flag the case for its owner (empty ``text`` clears the flag)."""
    with transaction.atomic():
        case = lock_case(case)
        check_actor(actor, case)
        check_open(case)
        history = History(case)
        case.attention = text[:300]
        history.record("attention_set" if text else "attention_cleared", actor, {}, text[:300])
        save_change(case, history, ["attention"])
    return case


def record_event(
    case: Case | int,
    *,
    actor: Actor,
    type: str,
    details: dict[str, object] | None = None,
    reason: str = "",
) -> Case:
    """A step that changes nothing but must be in the history (a check, a decision).

    Automation records each check it makes this way, with the rule or model
    version in ``actor.label`` and its finding in ``details``/``reason``.
    """
    with transaction.atomic():
        case = lock_case(case)
        history = History(case)
        history.record(type, actor, dict(details or {}), reason)
        save_change(case, history, [])
    return case


def escalate(case: Case | int) -> Case | None:
    """Raise an overdue case to its department lead, once per deadline."""
    with transaction.atomic():
        case = lock_case(case)
        if (
            case.escalated_at is not None
            or case.status not in (Status.NEW, Status.IN_PROGRESS)
            or case.deadline >= today()
        ):
            return None
        lead = department_lead(case.department)
        history = History(case)
        case.escalated_at = history.at
        history.record(
            "escalated",
            Actor.system("Fristüberwachung"),
            {
                "deadline": case.deadline.isoformat(),
                "lead": lead.username if lead else None,
            },
            "Frist überschritten",
        )
        save_change(case, history, ["escalated_at"])
    return case
