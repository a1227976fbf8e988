"""Read queries for cases. Queue and count queries are shaped for the indexes in models.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from buergerticket.cases.models import DEADLINE_RUNNING, Case, CaseEvent, Status
from buergerticket.cases.permissions import visible_cases
from buergerticket.catalog.deadlines import due_soon_threshold
from buergerticket.org.models import Department, Organisation, Staff

PAGE_SIZE = 50


@dataclass(frozen=True)
class Counts:
    open: int
    overdue: int
    due_soon: int


def deadline_bounds(
    organisation: Organisation, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today, due_soon_threshold(today, settings.DUE_SOON_WORKING_DAYS, organisation.state)


def overdue_q(today: dt.date) -> Q:
    return Q(status__in=DEADLINE_RUNNING, deadline__lt=today)


def due_soon_q(today: dt.date, soon: dt.date) -> Q:
    return Q(status__in=DEADLINE_RUNNING, deadline__gte=today, deadline__lte=soon)


def count_open(cases: QuerySet[Case], organisation: Organisation) -> Counts:
    today, soon = deadline_bounds(organisation)
    row = cases.filter(is_open=True).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=overdue_q(today)),
        due_soon=Count("pk", filter=due_soon_q(today, soon)),
    )
    return Counts(open=row["open"], overdue=row["overdue"], due_soon=row["due_soon"])


def _ordered_open(cases: QuerySet[Case]) -> QuerySet[Case]:
    return (
        cases.filter(is_open=True)
        .order_by("-priority", "deadline", "created_at")
        .select_related("owner", "regular_owner", "service", "department")
    )


def department_queue(department: Department, page: int = 1) -> tuple[list[Case], Counts]:
    """The department's open cases by urgency, deadline and intake time, with counts."""
    cases = Case.objects.filter(department=department)
    start = (page - 1) * PAGE_SIZE
    rows = list(_ordered_open(cases)[start : start + PAGE_SIZE])
    return rows, count_open(cases, department.organisation)


def my_cases(staff: Staff, page: int = 1) -> tuple[list[Case], Counts]:
    cases = Case.objects.filter(owner=staff)
    start = (page - 1) * PAGE_SIZE
    rows = list(_ordered_open(cases)[start : start + PAGE_SIZE])
    return rows, count_open(cases, staff.organisation)


def escalated_for_lead(lead: Staff) -> QuerySet[Case]:
    """Escalated open cases of the lead's department, oldest deadline first."""
    return (
        Case.objects.filter(
            department_id=lead.department_id, is_open=True, escalated_at__isnull=False
        )
        .order_by("deadline")
        .select_related("owner", "service")
    )


def overdue_unescalated(today: dt.date) -> QuerySet[Case]:
    return Case.objects.filter(is_open=True, escalated_at__isnull=True).filter(overdue_q(today))


def case_for_staff(staff: Staff, pk: int) -> Case:
    """One case the staff member may see (raises Case.DoesNotExist otherwise)."""
    return (
        visible_cases(staff)
        .select_related(
            "organisation",
            "service",
            "service__file_plan",
            "department",
            "owner",
            "regular_owner",
            "requester_account",
        )
        .get(pk=pk)
    )


def case_by_file_number(organisation: Organisation, file_number: str) -> Case:
    return Case.objects.select_related(
        "organisation", "service", "department", "owner", "regular_owner"
    ).get(organisation=organisation, file_number=file_number)


def timeline(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("actor", "on_behalf_of").order_by("seq"))


def deadline_state(case: Case, today: dt.date, soon: dt.date) -> str:
    """'overdue', 'due_soon', 'suspended', 'met' or 'running' — shown everywhere."""
    if case.status in (Status.DECIDED, Status.CLOSED):
        return "met"
    if case.status == Status.WAITING:
        return "suspended"
    if case.deadline < today:
        return "overdue"
    if case.deadline <= soon:
        return "due_soon"
    return "running"


def case_as_dict(case: Case, *, with_events: bool = True) -> dict[str, Any]:
    """The case as JSON for the CLI and exports (names are a stable contract)."""
    data: dict[str, Any] = {
        "file_number": case.file_number,
        "organisation": case.organisation.slug,
        "service": case.service.code,
        "channel": case.channel,
        "status": case.status,
        "priority": case.priority,
        "owner": case.owner.username,
        "regular_owner": case.regular_owner.username if case.regular_owner else None,
        "department": case.department.code,
        "subject": case.subject,
        "deadline": case.deadline.isoformat(),
        "deadline_suspended_since": (
            case.deadline_suspended_since.isoformat() if case.deadline_suspended_since else None
        ),
        "follow_up": case.follow_up.isoformat() if case.follow_up else None,
        "created_at": case.created_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "closed_automatically": case.closed_automatically,
        "escalated": case.escalated_at is not None,
        "tags": case.tags,
        "version": case.version,
    }
    if with_events:
        data["events"] = [
            {
                "seq": e.seq,
                "type": e.type,
                "actor": e.actor.username if e.actor else e.actor_label,
                "on_behalf_of": e.on_behalf_of.username if e.on_behalf_of else None,
                "at": e.at.isoformat(),
                "details": e.details,
                "reason": e.reason,
            }
            for e in timeline(case)
        ]
    return data
