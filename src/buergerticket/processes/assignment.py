"""Who does a human task: one person, by the same owner → deputy → lead rule as cases.

A task names a role and/or a department (or nothing: then it follows the case
owner). We pick the person the role points to, resolve their absence with
:func:`buergerticket.cases.assignment.resolve_holder`, and check that whoever
comes out may actually do the task (holds the role; is not the author of a
decision they would have to sign under four-eyes). If not, the next eligible
colleague who is present takes it; if nobody is, the task still gets a person
(a task, like a case, is never without one) and a note saying why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from buergerticket.cases.assignment import absent_ids, department_lead, resolve_holder
from buergerticket.cases.models import Case
from buergerticket.org.models import Department, Role, Staff


@dataclass(frozen=True)
class TaskAssignment:
    staff: Staff
    standing_in_for: Staff | None
    rule: str  # owner | deputy | lead | role | fixed | fallback
    note: str = ""


def eligible(staff: Staff, *, organisation_id: int, role: str, exclude: Iterable[int]) -> bool:
    if not staff.active or staff.organisation_id != organisation_id or staff.pk in set(exclude):
        return False
    if role:
        return staff.has_role(role)
    return staff.works_cases


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def _first_with_role(department: Department, role: str, exclude: set[int]) -> Staff | None:
    members = sorted(
        (
            s
            for s in department.members.filter(active=True).select_related("user")
            if s.has_role(role) and s.pk not in exclude
        ),
        key=lambda s: s.name,
    )
    return members[0] if members else None


def resolve(
    case: Case,
    *,
    role: str,
    department: Department,
    fixed_user: Staff | None = None,
    exclude: Iterable[int] = (),
    day: dt.date,
    use_case_holder: bool = True,
) -> TaskAssignment:
    excluded = set(exclude)
    org = case.organisation_id

    def ok(staff: Staff) -> bool:
        return eligible(staff, organisation_id=org, role=role, exclude=excluded)

    if (
        use_case_holder
        and fixed_user is None
        and role in ("", Role.CLERK)
        and department.pk == case.department_id
        and case.owner_id not in excluded
    ):
        # The case's holder was resolved by this very rule when it was assigned
        # (and absences re-route cases as they start): the task goes with it.
        rule = "deputy" if case.regular_owner_id is not None else "owner"
        return TaskAssignment(case.owner, case.regular_owner, rule)
    # 1. The person the model points to.
    person: Staff | None
    if fixed_user is not None:
        person = fixed_user
    elif role == Role.LEAD:
        person = department_lead(department)
    elif role and role != Role.CLERK:
        person = _first_with_role(department, role, excluded)
    elif department.pk == case.department_id:
        person = case.regular_owner or case.owner
    else:
        person = department.intake_owner or department_lead(department)
    if person is not None:
        # 2. Absence: owner → deputy → lead, exactly as for the case itself.
        holder = resolve_holder(person, day)
        if ok(holder.staff):
            return TaskAssignment(
                holder.staff,
                holder.standing_in_for,
                "fixed" if fixed_user is not None and holder.staff.pk == person.pk else holder.rule,
            )
    # 3. The holder may not do it (role, four-eyes): the next eligible colleague
    #    who is present, first in the department, then in the organisation.
    candidates = [s for s in department.members.filter(active=True).select_related("user") if ok(s)]
    if role and role != Role.CLERK:
        candidates += [
            s
            for s in Staff.objects.filter(organisation_id=org, active=True)
            .exclude(department=department)
            .select_related("user")
            if ok(s)
        ]
    away = absent_ids(candidates, day) if candidates else set()
    present = [s for s in candidates if s.pk not in away]
    if present:
        return TaskAssignment(sorted(present, key=lambda s: s.name)[0], None, "role")
    # 4. Nobody eligible is present: someone must still hold the task.
    fallback = person or department_lead(department) or case.owner
    if role:
        note = f"Niemand mit der Rolle „{_role_label(role)}“ ist verfügbar."
    else:
        note = "Niemand im Fachbereich ist verfügbar."
    if excluded and fallback.pk in excluded:
        fallback = department_lead(department) or case.owner
        note += " Die Aufgabe darf nicht von der verfassenden Person erledigt werden."
    return TaskAssignment(fallback, None, "fallback", note)
