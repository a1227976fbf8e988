"""Absences re-route open cases to the deputy and bring them back afterwards."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from buergerticket.cases.assignment import is_absent, resolve_holder
from buergerticket.cases.history import Actor, History
from buergerticket.cases.models import Case
from buergerticket.org.models import Absence, Role, Staff

from ._common import CaseError, CasePermissionDenied, lock_case, save_change, today


def can_record_absence(actor: Staff, staff: Staff) -> bool:
    """The person themselves, their department's lead, or an administrator."""
    if actor.organisation_id != staff.organisation_id:
        return False
    return (
        actor.pk == staff.pk
        or Role.ADMIN in actor.roles
        or (Role.LEAD in actor.roles and actor.department_id == staff.department_id)
    )


def record_absence(
    *, staff: Staff, start: dt.date, end: dt.date, actor: Staff | None, note: str = ""
) -> Absence:
    """Record an absence; if it has begun, the person's open cases move now."""
    if end < start:
        raise CaseError("Das Ende der Abwesenheit liegt vor ihrem Beginn.")
    if actor is not None and not can_record_absence(actor, staff):
        raise CasePermissionDenied(
            "Abwesenheiten erfassen nur die Person selbst, ihre Leitung oder die Administration."
        )
    with transaction.atomic():
        absence = Absence.objects.create(
            staff=staff, start=start, end=end, note=note, created_by=actor
        )
    apply_absences()
    return absence


def cancel_absence(absence: Absence, *, actor: Staff | None) -> None:
    if actor is not None and not can_record_absence(actor, absence.staff):
        raise CasePermissionDenied("Sie dürfen diese Abwesenheit nicht ändern.")
    with transaction.atomic():
        Absence.objects.filter(pk=absence.pk).update(cancelled_at=timezone.now())
    apply_absences()


def _move_cases_away(staff: Staff) -> int:
    moved = 0
    day = today()
    # Cases the person owns regularly, and cases they hold for someone else.
    for case_id in Case.objects.filter(owner=staff, is_open=True).values_list("pk", flat=True):
        with transaction.atomic():
            case = lock_case(case_id)
            if case.owner_id != staff.pk or case.status == "abgeschlossen":
                continue
            regular = case.regular_owner or staff
            holder = resolve_holder(regular, day)
            if holder.staff.pk == staff.pk:
                continue
            history = History(case)
            case.owner = holder.staff
            case.regular_owner = regular if holder.staff.pk != regular.pk else None
            history.record(
                "assigned",
                Actor.system("Abwesenheitsvertretung"),
                {
                    "old": staff.username,
                    "owner": holder.staff.username,
                    "rule": holder.rule,
                    "standing_in_for": regular.username,
                },
                "Abwesenheit",
            )
            save_change(case, history, ["owner", "regular_owner"])
            moved += 1
    return moved


def _return_cases(staff: Staff) -> int:
    returned = 0
    for case_id in Case.objects.filter(regular_owner=staff, is_open=True).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            case = lock_case(case_id)
            if case.regular_owner_id != staff.pk:
                continue
            history = History(case)
            old = case.owner
            case.owner = staff
            case.regular_owner = None
            history.record(
                "assigned",
                Actor.system("Abwesenheitsvertretung"),
                {
                    "old": old.username,
                    "owner": staff.username,
                    "rule": "return",
                },
                "Rückkehr aus der Abwesenheit",
            )
            save_change(case, history, ["owner", "regular_owner"])
            returned += 1
    return returned


def apply_absences() -> dict[str, int]:
    """Worker job (and called on every change of an absence); idempotent.

    Moves cases of people whose absence has begun and returns cases of people
    who are back. Safe to run any number of times: it acts on today's state.
    """
    day = today()
    now = timezone.now()
    moved = returned = 0
    starting = Absence.objects.filter(
        start__lte=day, end__gte=day, cancelled_at__isnull=True, applied_at__isnull=True
    ).select_related("staff")
    for absence in starting:
        moved += _move_cases_away(absence.staff)
        Absence.objects.filter(pk=absence.pk).update(applied_at=now)
    # Ended (or cancelled) absences whose cases have not come back yet.
    ending = (
        Absence.objects.filter(applied_at__isnull=False, returned_at__isnull=True)
        .exclude(start__lte=day, end__gte=day, cancelled_at__isnull=True)
        .select_related("staff")
    )
    for absence in ending:
        if not is_absent(absence.staff, day):
            returned += _return_cases(absence.staff)
        Absence.objects.filter(pk=absence.pk).update(returned_at=now)
    return {"moved": moved, "returned": returned}
