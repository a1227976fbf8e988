"""Who holds a case: owner → deputy → department lead, resolved at the moment of assignment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from buergerticket.org.models import Absence, Department, Staff


@dataclass(frozen=True)
class Holder:
    """The person who gets the case, and whom they stand in for (if anyone)."""

    staff: Staff
    standing_in_for: Staff | None
    rule: str  # "owner" | "deputy" | "lead" — recorded in the history

    @property
    def regular_owner(self) -> Staff | None:
        return self.standing_in_for


def absent_ids(candidates: list[Staff], day: dt.date) -> set[int]:
    ids = [c.pk for c in candidates]
    return set(
        Absence.objects.filter(
            staff_id__in=ids, start__lte=day, end__gte=day, cancelled_at__isnull=True
        ).values_list("staff_id", flat=True)
    )


def department_lead(department: Department) -> Staff | None:
    if department.lead_id is not None:
        return department.lead
    return next((s for s in department.members.filter(active=True) if s.is_lead), None)


def resolve_holder(person: Staff, day: dt.date) -> Holder:
    """Who holds ``person``'s cases on ``day``.

    The chain is bounded (person, deputy, lead, lead's deputy); if everyone in
    it is away the lead still gets the case, because a case must never be
    without an owner.
    """
    lead = department_lead(person.department)
    chain: list[tuple[Staff, str]] = [(person, "owner")]
    if person.deputy_id is not None and person.deputy is not None and person.deputy.active:
        chain.append((person.deputy, "deputy"))
    if lead is not None and lead.pk != person.pk:
        chain.append((lead, "lead"))
        if lead.deputy_id is not None and lead.deputy is not None and lead.deputy.active:
            chain.append((lead.deputy, "deputy"))
    if len(chain) == 1 and person.active:
        # Nobody to stand in: no absence lookup needed.
        return Holder(person, None, "owner")
    away = absent_ids([s for s, _ in chain], day)
    for staff, rule in chain:
        if staff.pk not in away and staff.active:
            return Holder(staff, None if staff.pk == person.pk else person, rule)
    fallback = lead or person
    return Holder(fallback, None if fallback.pk == person.pk else person, "lead")


def is_absent(staff: Staff, day: dt.date) -> bool:
    return staff.pk in absent_ids([staff], day)
