"""The dashboard's figures, read from :class:`CaseFact` with its covering indexes.

Open, overdue and due soon use the case selectors' own definitions
(``overdue_q``/``due_soon_q`` and the organisation's working-day threshold), so
the dashboard and the queues can never disagree. Periods are local calendar days,
both ends included; weeks are ISO weeks starting on Monday.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet

from buergerticket.cases.models import Channel
from buergerticket.cases.selectors import deadline_bounds, due_soon_q, overdue_q
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Organisation, Staff
from buergerticket.workspace.dashboard.models import CaseFact

MAX_PERIOD_DAYS = 366
# ``IN (true)`` instead of ``= true``: SQLite sees an equality it can use on the
# ``fact_open`` index; the bare boolean column Django writes for ``is_open=True`` is not.
OPEN = Q(is_open__in=[True])


@dataclass(frozen=True)
class Scope:
    """Whose figures: an organisation, optionally narrowed to departments."""

    organisation: Organisation
    department_ids: tuple[int, ...] = ()

    def facts(self) -> QuerySet[CaseFact]:
        facts = CaseFact.objects.filter(organisation_id=self.organisation.pk)
        if self.department_ids:
            facts = facts.filter(department_id__in=self.department_ids)
        return facts

    def departments(self) -> QuerySet[Department]:
        departments = Department.objects.filter(organisation=self.organisation)
        if self.department_ids:
            departments = departments.filter(pk__in=self.department_ids)
        return departments.order_by("code")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def last_weeks(cls, today: dt.date, weeks: int = 12) -> Period:
        monday = today - dt.timedelta(days=today.weekday())
        return cls(monday - dt.timedelta(weeks=weeks - 1), today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class DepartmentRow:
    code: str
    name: str
    open: int
    overdue: int
    due_soon: int


def department_counts(scope: Scope, today: dt.date | None = None) -> list[DepartmentRow]:
    """Open, overdue and due-soon cases per department (every department, zeros included)."""
    today, soon = deadline_bounds(scope.organisation, today)
    counts: dict[int, dict[str, Any]] = {
        row["department_id"]: dict(row)
        for row in scope.facts()
        .filter(OPEN)
        .values("department_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=overdue_q(today)),
            due_soon=Count("pk", filter=due_soon_q(today, soon)),
        )
    }
    rows = []
    for department in scope.departments():
        row: dict[str, Any] = counts.get(department.pk, {})
        rows.append(
            DepartmentRow(
                code=department.code,
                name=department.name,
                open=row.get("open", 0),
                overdue=row.get("overdue", 0),
                due_soon=row.get("due_soon", 0),
            )
        )
    return rows


@dataclass(frozen=True)
class IntakeWeeks:
    weeks: list[dt.date]  # Mondays
    channels: list[tuple[str, str]]  # (code, label)
    counts: dict[str, list[int]]  # channel code → count per week
    totals: list[int]


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def intake_per_week(scope: Scope, period: Period) -> IntakeWeeks:
    """New cases per channel and ISO week (weeks cut to the period at its ends)."""
    first = monday(period.start)
    weeks = []
    week = first
    while week <= period.end:
        weeks.append(week)
        week += dt.timedelta(weeks=1)
    index = {w: i for i, w in enumerate(weeks)}
    counts: dict[str, list[int]] = {code: [0] * len(weeks) for code in Channel.values}
    rows = (
        scope.facts()
        .filter(created_on__gte=period.start, created_on__lte=period.end)
        .values_list("created_on", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for day, channel, n in rows:
        counts.setdefault(channel, [0] * len(weeks))[index[monday(day)]] += n
    totals = [sum(values[i] for values in counts.values()) for i in range(len(weeks))]
    return IntakeWeeks(
        weeks=weeks,
        channels=[(code, str(label)) for code, label in Channel.choices],
        counts=counts,
        totals=totals,
    )


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (as PostgreSQL's percentile_cont)."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(sorted_values[low])
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


@dataclass(frozen=True)
class ServiceRow:
    code: str
    name: str
    closed: int
    median_seconds: float | None
    p90_seconds: float | None
    closed_automatically: int

    @property
    def median_days(self) -> float | None:
        return None if self.median_seconds is None else self.median_seconds / 86400

    @property
    def p90_days(self) -> float | None:
        return None if self.p90_seconds is None else self.p90_seconds / 86400

    @property
    def automatic_share(self) -> float | None:
        return None if not self.closed else self.closed_automatically / self.closed

    @property
    def automatic_percent(self) -> float:
        return round(100 * self.closed_automatically / self.closed, 1) if self.closed else 0.0


def _closed(scope: Scope, period: Period) -> QuerySet[CaseFact]:
    return scope.facts().filter(
        closed_on__isnull=False, closed_on__gte=period.start, closed_on__lte=period.end
    )


@dataclass(frozen=True)
class ClosedScan:
    """Every case closed in the period, read once from the covering index."""

    durations: dict[int, list[int]]  # service → seconds from intake to closing
    automatic: dict[int, int]  # service → closed by automation
    per_owner: dict[int, int]  # person → closed while they held the case


def closed_scan(scope: Scope, period: Period) -> ClosedScan:
    """Exact percentiles need every duration of the period, so they are read through the
    raw cursor (Django's per-row machinery would cost more than the query itself); the
    same pass counts automatic closings and closings per person."""
    sql, params = (
        _closed(scope, period)
        .values_list("service_id", "close_seconds", "closed_automatically", "owner_id")
        .query.sql_with_params()
    )
    durations: dict[int, list[int]] = defaultdict(list)
    automatic: dict[int, int] = defaultdict(int)
    per_owner: dict[int, int] = defaultdict(int)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for service_id, seconds, auto, owner_id in cursor.fetchall():
            durations[service_id].append(seconds)
            per_owner[owner_id] += 1
            if auto:
                automatic[service_id] += 1
    return ClosedScan(durations, automatic, per_owner)


def services_closed(
    scope: Scope, period: Period, scan: ClosedScan | None = None
) -> list[ServiceRow]:
    """Per service: cases closed in the period, median and 90th percentile time to close,
    and how many of them automation closed. Services without closed cases are left out."""
    scan = scan or closed_scan(scope, period)
    services = Service.objects.filter(pk__in=list(scan.durations)).only("code", "name")
    result = []
    for service in sorted(services, key=lambda s: s.name):
        values = sorted(scan.durations[service.pk])
        result.append(
            ServiceRow(
                code=service.code,
                name=service.name,
                closed=len(values),
                median_seconds=percentile(values, 0.5),
                p90_seconds=percentile(values, 0.9),
                closed_automatically=scan.automatic.get(service.pk, 0),
            )
        )
    return result


@dataclass(frozen=True)
class ClerkRow:
    username: str
    name: str
    department: str
    open: int
    overdue: int
    closed: int = field(default=0)


def per_clerk(
    scope: Scope,
    period: Period,
    today: dt.date | None = None,
    scan: ClosedScan | None = None,
) -> list[ClerkRow]:
    """Per person: cases they hold now (open, overdue) and cases closed in the period
    while they held them. People with neither are left out."""
    today, _soon = deadline_bounds(scope.organisation, today)
    current: dict[int, dict[str, Any]] = {
        row["owner_id"]: dict(row)
        for row in scope.facts()
        .filter(OPEN)
        .values("owner_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_q(today)))
    }
    closed = (scan or closed_scan(scope, period)).per_owner
    people = Staff.objects.filter(pk__in=set(current) | set(closed)).select_related(
        "user", "department"
    )
    rows = [
        ClerkRow(
            username=p.user.username,
            name=p.name,
            department=p.department.code,
            open=current.get(p.pk, {}).get("open", 0),
            overdue=current.get(p.pk, {}).get("overdue", 0),
            closed=closed.get(p.pk, 0),
        )
        for p in people
    ]
    return sorted(rows, key=lambda r: (-r.open, r.name))


@dataclass(frozen=True)
class Figures:
    scope: Scope
    period: Period
    today: dt.date
    departments: list[DepartmentRow]
    intake: IntakeWeeks
    services: list[ServiceRow]
    clerks: list[ClerkRow]


def figures(scope: Scope, period: Period, today: dt.date) -> Figures:
    scan = closed_scan(scope, period)
    return Figures(
        scope=scope,
        period=period,
        today=today,
        departments=department_counts(scope, today),
        intake=intake_per_week(scope, period),
        services=services_closed(scope, period, scan),
        clerks=per_clerk(scope, period, today, scan),
    )
