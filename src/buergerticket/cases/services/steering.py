"""Steering a case: status, deadline, follow-up, priority, owner, department, service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from buergerticket.cases.assignment import department_lead, resolve_holder
from buergerticket.cases.history import Actor, History
from buergerticket.cases.models import Case, Priority, Status
from buergerticket.catalog.deadlines import deadline_for, extend_after_suspension
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Staff

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


def _assign(case: Case, history: History, actor: Actor, person: Staff, rule_reason: str) -> None:
    holder = resolve_holder(person, today())
    old = case.owner
    case.owner = holder.staff
    case.regular_owner = holder.regular_owner
    details = {"old": old.username, "owner": holder.staff.username, "rule": holder.rule}
    if holder.standing_in_for is not None:
        details["standing_in_for"] = holder.standing_in_for.username
    history.record("assigned", actor, details, rule_reason)


def reassign(
    case: Case | int,
    *,
    actor: Actor,
    to: Staff,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Give the case to another member of its department.

    An explicit reassignment also ends any pending return after an absence:
    whoever decided this decided otherwise.
    """
    with transaction.atomic():
        case = lock_case(case, expected_version)
        check_actor(actor, case)
        check_open(case)
        if to.organisation_id != case.organisation_id or to.department_id != case.department_id:
            raise CaseError(
                "Innerhalb des Fachbereichs kann nur an dessen Mitarbeitende zugewiesen werden; "
                "für einen anderen Fachbereich nutzen Sie die Abgabe."
            )
        if not to.active or not to.works_cases:
            raise CaseError(f"{to.name} bearbeitet keine Vorgänge.")
        if to.pk == case.owner_id and case.regular_owner_id is None:
            return case
        history = History(case)
        _assign(case, history, actor, to, reason)
        save_change(case, history, ["owner", "regular_owner"])
    return case


def hand_over(
    case: Case | int,
    *,
    actor: Actor,
    department: Department,
    reason: str,
    service: Service | None = None,
    expected_version: int | None = None,
) -> Case:
    """Abgabe: the case moves to another department, whose rules assign it."""
    if not reason.strip():
        raise CaseError("Bitte begründen Sie die Abgabe.")
    with transaction.atomic():
        case = lock_case(case, expected_version)
        check_actor(actor, case)
        check_open(case)
        if department.organisation_id != case.organisation_id:
            raise CaseError("Abgabe ist nur innerhalb der eigenen Organisation möglich.")
        if department.pk == case.department_id:
            raise CaseError("Der Vorgang liegt bereits in diesem Fachbereich.")
        if service is not None and service.department_id != department.pk:
            raise CaseError("Die gewählte Leistung gehört nicht zum Ziel-Fachbereich.")
        history = History(case)
        old_department = case.department
        case.department = department
        fields = ["department", "owner", "regular_owner", "escalated_at"]
        details = {"from": old_department.code, "to": department.code}
        if service is not None and service.pk != case.service_id:
            details["service_old"] = case.service.code
            details["service"] = service.code
            case.service = service
            fields.append("service")
        history.record("handed_over", actor, details, reason)
        # Receiving department: the service owner if the service is its own,
        # else whoever takes its incoming handovers, else its lead.
        person: Staff | None
        if case.service.department_id == department.pk:
            person = case.service.owner
        else:
            person = department.intake_owner or department_lead(department)
        if person is None:
            raise CaseError(f"Der Fachbereich {department.name} hat keine Leitung.")
        case.escalated_at = None
        _assign(case, history, Actor.system(), person, "Abgabe")
        save_change(case, history, fields)
    return case


def change_service(case: Case | int, *, actor: Actor, service: Service, reason: str = "") -> Case:
    """Correct the service (e.g. after misrouting); another department means an Abgabe.

    The ``service_changed`` event is what the request router learns from.
    """
    case_obj = case
    with transaction.atomic():
        case = lock_case(case_obj)
        if service.organisation_id != case.organisation_id:
            raise CaseError("Die Leistung gehört zu einer anderen Organisation.")
        if service.department_id != case.department_id:
            return hand_over(
                case,
                actor=actor,
                department=service.department,
                service=service,
                reason=reason or f"Leistung geändert: {service.name}",
            )
        check_actor(actor, case)
        if service.pk == case.service_id:
            return case
        history = History(case)
        history.record(
            "service_changed", actor, {"old": case.service.code, "new": service.code}, reason
        )
        case.service = service
        save_change(case, history, ["service"])
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
