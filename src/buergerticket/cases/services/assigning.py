"""Who holds a case: reassignment within a department, handover (Abgabe), service change."""

from __future__ import annotations

from django.db import transaction

from buergerticket.cases.assignment import department_lead, resolve_holder
from buergerticket.cases.history import Actor, History
from buergerticket.cases.models import Case
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Staff

from ._common import CaseError, check_actor, check_open, lock_case, save_change, today


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
