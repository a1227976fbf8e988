"""Human tasks get one person by the owner → deputy → lead rule, and follow the case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from buergerticket.cases import services as case_services
from buergerticket.cases.history import Actor
from buergerticket.org.models import Absence
from buergerticket.processes import selectors
from buergerticket.processes.services import lifecycle

pytestmark = pytest.mark.django_db


def _absent(staff, username, days=3):
    today = timezone.localdate()
    return Absence.objects.create(
        staff=staff(username), start=today, end=today + dt.timedelta(days=days)
    )


def test_task_goes_to_the_deputy_when_the_owner_is_absent(shipped, open_case, tasks_of, staff):
    _absent(staff, "s.wagner")
    case = open_case("maengel-strasse")
    [task] = tasks_of(case)
    assert task.assignee.username == "t.nguyen"  # s.wagner's deputy
    assert task.regular_assignee.username == "s.wagner"
    assert task.assignment_rule == "deputy"


def test_role_task_goes_to_the_lead(shipped, open_case, tasks_of, complete, staff):
    case = open_case("bau-anfrage")
    [draft] = tasks_of(case)
    complete(draft, "p.weber", auskunft="Kein Bauantrag nötig.")
    [approve] = tasks_of(case)
    assert (approve.role, approve.assignee.username) == ("leitung", "p.weber")


def test_cross_department_task_goes_to_that_department(shipped, open_case, tasks_of, complete):
    case = open_case("sw-umzug", org="stadtwerke")
    [first] = tasks_of(case)
    assert first.assignee.username == "o.krause"
    complete(first, "o.krause", auszug="2026-12-31")
    [bill] = tasks_of(case)
    assert bill.department.code == "ABR"
    assert bill.assignee.username == "c.lange"  # ABR has no intake owner: its lead


def test_absence_job_reroutes_open_tasks_exactly_once(shipped, open_case, tasks_of, staff):
    case = open_case("maengel-strasse")
    [task] = tasks_of(case)
    assert task.assignee.username == "s.wagner"
    _absent(staff, "s.wagner")
    assert lifecycle.reroute_absent() == 1
    [task] = tasks_of(case)
    assert task.assignee.username == "t.nguyen"
    assert lifecycle.reroute_absent() == 0
    assert case.events.filter(type="task_reassigned").count() == 1


def test_tasks_follow_a_reassigned_case_and_a_handover(shipped, open_case, tasks_of, staff):
    case = open_case("maengel-strasse")
    lead = Actor.for_staff(staff("t.nguyen"))
    case_services.reassign(case.pk, actor=lead, to=staff("t.nguyen"), reason="Urlaubsplanung")
    [task] = tasks_of(case)
    assert task.assignee.username == "t.nguyen"
    from buergerticket.org.models import Department

    umw = Department.objects.get(organisation=case.organisation, code="UMW")
    case_services.hand_over(case.pk, actor=lead, department=umw, reason="Zuständigkeit Grünfläche")
    [task] = tasks_of(case)
    assert (task.department.code, task.assignee.username) == ("UMW", "j.schmidt")


def test_due_date_from_the_service_deadline_without_timer(shipped, open_case, tasks_of):
    case = open_case("allgemein")
    [task] = tasks_of(case)
    assert not task.due_from_timer
    assert timezone.localtime(task.due).date() == case.deadline


def test_my_tasks_lists_only_my_open_tasks(shipped, open_case, staff):
    open_case("maengel-strasse")
    open_case("allgemein")
    mine = selectors.my_tasks(staff("s.wagner"))
    assert [t.case.service.code for t in mine] == ["maengel-strasse"]
    assert selectors.my_tasks(staff("h.braun")) == []  # other organisation
