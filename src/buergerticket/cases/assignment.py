"""Who holds a case: owner → deputy → department lead, resolved at the moment of assignment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from buergerticket.core.memo import Memo
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
    """Who of ``candidates`` is away on ``day``. Read fresh on every assignment (an
    absence counts from the moment it is entered), so in plain SQL: composing the
    query through the ORM cost several times what running it did."""
    ids = [c.pk for c in candidates]
    if not ids:
        return set()
    table = Absence._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT staff_id FROM {table} WHERE staff_id IN ({marks}) AND start <= %s "  # noqa: S608 - only placeholders
            f'AND "end" >= %s AND cancelled_at IS NULL',
            [*ids, *[connection.ops.adapt_datefield_value(day)] * 2],
        )
        return {row[0] for row in cursor.fetchall()}


@dataclass(frozen=True)
class Directory:
    """An organisation's staff with their users, and each department's lead."""

    staff: dict[int, Staff]
    leads: dict[int, Staff | None]


# Every assignment walks owner → deputy → lead; reading those through foreign keys
# cost a query per step on every intake (see core.memo for the staleness bound).
_directories: Memo[Directory] = Memo("cases.staff_directory")


def directory(organisation_id: int) -> Directory:
    return _directories.get(organisation_id, lambda: _load_directory(organisation_id))


def _load_directory(organisation_id: int) -> Directory:
    staff = {
        s.pk: s
        for s in Staff.objects.filter(organisation_id=organisation_id).select_related(
            "user", "department"
        )
    }
    leads: dict[int, Staff | None] = {}
    for department in Department.objects.filter(organisation_id=organisation_id):
        if department.lead_id is not None:
            leads[department.pk] = staff.get(department.lead_id)
        else:
            members = sorted(
                (s for s in staff.values() if s.department_id == department.pk),
                key=lambda s: s.pk,
            )
            leads[department.pk] = next((s for s in members if s.active and s.is_lead), None)
    return Directory(staff, leads)


def department_lead(department: Department) -> Staff | None:
    return directory(department.organisation_id).leads.get(department.pk)


def resolve_holder(person: Staff, day: dt.date) -> Holder:
    """Who holds ``person``'s cases on ``day``.

    The chain is bounded (person, deputy, lead, lead's deputy); if everyone in
    it is away the lead still gets the case, because a case must never be
    without an owner.
    """
    people = directory(person.organisation_id)
    person = people.staff.get(person.pk, person)
    lead = people.leads.get(person.department_id)
    chain: list[tuple[Staff, str]] = [(person, "owner")]
    deputy = people.staff.get(person.deputy_id) if person.deputy_id else None
    if deputy is not None and deputy.active:
        chain.append((deputy, "deputy"))
    if lead is not None and lead.pk != person.pk:
        chain.append((lead, "lead"))
        lead_deputy = people.staff.get(lead.deputy_id) if lead.deputy_id else None
        if lead_deputy is not None and lead_deputy.active:
            chain.append((lead_deputy, "deputy"))
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
