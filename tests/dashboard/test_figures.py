"""Every figure of the dashboard equals what a direct query of the case table says."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Status
from buergerticket.cases.selectors import deadline_bounds, due_soon_q, overdue_q
from buergerticket.org.models import Department, Staff
from buergerticket.workspace.dashboard import projection
from buergerticket.workspace.dashboard.models import CaseFact
from buergerticket.workspace.dashboard.selectors import Period, Scope, figures

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = dt.date(2026, 11, 20)
SERVICES = [
    "maengel-strasse",
    "maengel-muell",
    "ordnung-parken",
    "melde-bescheinigung",
    "allgemein",
]
CHANNELS = ["portal", "email", "phone", "api", "open311"]


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN)


@pytest.fixture
def history(open_case, staff):
    """About 50 cases over ten weeks: opened on every channel, some worked, some closed by
    people and some by automation, one handed over, one reopened; around midnight too."""
    rng = random.Random(8)
    clerk = {
        "maengel-strasse": "s.wagner",
        "maengel-muell": "j.schmidt",
        "ordnung-parken": "l.fischer",
        "melde-bescheinigung": "m.yilmaz",
        "allgemein": "m.yilmaz",
    }
    cases = []
    for i in range(50):
        day = TODAY - dt.timedelta(days=rng.randint(0, 70))
        hour = rng.choice([0, 8, 12, 23])
        code = rng.choice(SERVICES)
        with time_machine.travel(at(day, hour), tick=False):
            case = open_case(code, channel=rng.choice(CHANNELS), subject=f"Anliegen {i}")
        cases.append((case, day, code))
    for case, day, code in cases:
        actor = Actor.for_staff(staff(clerk[code]))
        roll = rng.random()
        when = at(min(day + dt.timedelta(days=rng.randint(0, 12)), TODAY), rng.choice([9, 23]))
        with time_machine.travel(when, tick=False):
            if roll < 0.45:
                services.set_status(case.pk, actor=actor, status=Status.CLOSED)
            elif roll < 0.55:
                services.set_status(
                    case.pk, actor=Actor.automation("Regel test v1"), status=Status.CLOSED
                )
            elif roll < 0.7:
                services.set_status(case.pk, actor=actor, status=Status.WAITING)
            elif roll < 0.8:
                services.set_status(case.pk, actor=actor, status=Status.IN_PROGRESS)
    moved, _day, code = cases[0]
    moved = Case.objects.get(pk=moved.pk)
    if moved.status != Status.CLOSED:
        services.hand_over(
            moved.pk,
            actor=Actor.for_staff(staff(clerk[code])),
            department=Department.objects.get(code="BAU"),
            reason="zuständig",
        )
    closed = Case.objects.filter(status=Status.CLOSED).first()
    services.reopen(closed.pk, actor=Actor.system(), reason="Nachfrage")
    return cases


def direct_quantiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    if len(values) == 1:
        return values[0], values[0]
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return statistics.median(values), deciles[8]


def test_figures_equal_direct_queries(history, musterstadt):
    period = Period(TODAY - dt.timedelta(days=62), TODAY)
    f = figures(Scope(musterstadt), period, TODAY)
    cases = Case.objects.filter(organisation=musterstadt)

    today, soon = deadline_bounds(musterstadt, TODAY)
    for row in f.departments:
        mine = cases.filter(department__code=row.code, is_open=True)
        assert row.open == mine.count(), row.code
        assert row.overdue == mine.filter(overdue_q(today)).count(), row.code
        assert row.due_soon == mine.filter(due_soon_q(today, soon)).count(), row.code
    assert sum(r.open for r in f.departments) == cases.filter(is_open=True).count()

    for i, monday in enumerate(f.intake.weeks):
        start = max(monday, period.start)
        end = min(monday + dt.timedelta(days=6), period.end)
        window = cases.filter(
            created_at__gte=at(start, 0), created_at__lt=at(end + dt.timedelta(days=1), 0)
        )
        for code in CHANNELS:
            assert f.intake.counts[code][i] == window.filter(channel=code).count(), (monday, code)
        assert f.intake.totals[i] == window.count()

    closed = cases.filter(
        status=Status.CLOSED,
        closed_at__gte=at(period.start, 0),
        closed_at__lt=at(period.end + dt.timedelta(days=1), 0),
    )
    assert f.services, "the period must contain closed cases"
    for row in f.services:
        mine = closed.filter(service__code=row.code)
        durations = [(c.closed_at - c.created_at).total_seconds() for c in mine]
        median, p90 = direct_quantiles([int(d) for d in durations])
        assert row.closed == len(durations)
        assert row.median_seconds == pytest.approx(median)
        assert row.p90_seconds == pytest.approx(p90)
        assert row.closed_automatically == mine.filter(closed_automatically=True).count()
    assert sum(r.closed for r in f.services) == closed.count()
    assert any(r.closed_automatically for r in f.services)

    for row in f.clerks:
        person = Staff.objects.get(user__username=row.username)
        assert row.open == cases.filter(owner=person, is_open=True).count()
        assert (
            row.overdue == cases.filter(owner=person, is_open=True).filter(overdue_q(today)).count()
        )
        assert row.closed == closed.filter(owner=person).count()


def test_a_lead_sees_only_their_department(history, musterstadt):
    tba = Department.objects.get(organisation=musterstadt, code="TBA")
    period = Period(TODAY - dt.timedelta(days=62), TODAY)
    f = figures(Scope(musterstadt, (tba.pk,)), period, TODAY)
    assert [r.code for r in f.departments] == ["TBA"]
    tba_cases = Case.objects.filter(department=tba)
    assert (
        sum(f.intake.totals)
        == tba_cases.filter(
            created_at__gte=at(period.start, 0), created_at__lt=at(TODAY + dt.timedelta(days=1), 0)
        ).count()
    )
    assert {r.department for r in f.clerks} <= {"TBA"}


def test_read_model_equals_a_rebuild(history):
    live = {
        f.case_id: {k: v for k, v in f.__dict__.items() if not k.startswith("_")}
        for f in CaseFact.objects.all()
    }
    assert len(live) == Case.objects.count()
    projection.rebuild()
    rebuilt = {
        f.case_id: {k: v for k, v in f.__dict__.items() if not k.startswith("_")}
        for f in CaseFact.objects.all()
    }
    assert rebuilt == live


def test_week_boundaries_are_local_days(open_case, musterstadt):
    # 23:30 on Sunday in Berlin is still that week, although it is Monday in no time zone.
    sunday = dt.date(2026, 11, 15)
    with time_machine.travel(at(sunday, 23), tick=False):
        open_case(channel="email")
    with time_machine.travel(at(sunday + dt.timedelta(days=1), 0), tick=False):
        open_case(channel="email")
    f = figures(Scope(musterstadt), Period(dt.date(2026, 11, 9), TODAY), TODAY)
    assert f.intake.weeks[:2] == [dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
    assert f.intake.counts["email"][:2] == [1, 1]
    assert timezone.localdate(Case.objects.order_by("pk").first().created_at) == sunday
