"""Who may see and work which case. Every read of case data goes through here."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from buergerticket.cases.models import Case
from buergerticket.org.models import Staff


class CasePermissionDenied(PermissionError):
    """The actor may not do this with this case; the message is German and user-facing."""


def visible_cases_q(staff: Staff) -> Q:
    """Cases a staff member may see: their department's, and those they hold or own."""
    if not staff.active or not staff.works_cases:
        return Q(pk__in=[])
    return Q(organisation_id=staff.organisation_id) & (
        Q(department_id=staff.department_id) | Q(owner_id=staff.pk) | Q(regular_owner_id=staff.pk)
    )


def visible_cases(staff: Staff) -> QuerySet[Case]:
    return Case.objects.filter(visible_cases_q(staff))


def can_view(staff: Staff, case: Case) -> bool:
    if not staff.active or not staff.works_cases or case.organisation_id != staff.organisation_id:
        return False
    return staff.pk in (case.owner_id, case.regular_owner_id) or (
        case.department_id == staff.department_id
    )


def can_work(staff: Staff, case: Case) -> bool:
    """Department members work their queue; the holder (also a deputy from
    elsewhere) works the cases they hold with full rights."""
    return can_view(staff, case)


def can_reassign(staff: Staff, case: Case) -> bool:
    return can_work(staff, case)


def check_can_work(staff: Staff, case: Case) -> None:
    if not can_work(staff, case):
        raise CasePermissionDenied("Sie dürfen diesen Vorgang nicht bearbeiten.")
