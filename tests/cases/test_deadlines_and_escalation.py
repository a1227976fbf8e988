"""Deadlines run, pause while waiting for the requester (Fristhemmung), and escalate once."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from buergerticket.cases import jobs, selectors, services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Status

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
D = dt.date


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)


@pytest.mark.django_db
def test_deadline_counts_working_days_from_intake(open_case):
    with time_machine.travel(at(D(2026, 11, 20)), tick=False):  # Friday
        case = open_case("maengel-strasse")  # 10 working days
    assert case.deadline == D(2026, 12, 4)


@pytest.mark.django_db
def test_waiting_suspends_the_deadline_and_resuming_extends_it(open_case, staff):
    clerk = Actor.for_staff(staff("s.wagner"))
    with time_machine.travel(at(D(2026, 11, 20)), tick=False) as clock:
        case = open_case("maengel-strasse")
        assert case.deadline == D(2026, 12, 4)
        clock.move_to(at(D(2026, 11, 23)))  # Monday
        services.set_status(case, actor=clerk, status=Status.WAITING, reason="Foto fehlt")
        # While waiting the case is never overdue, whatever the date.
        clock.move_to(at(D(2026, 12, 10)))
        waiting = Case.objects.get(pk=case.pk)
        today, soon = selectors.deadline_bounds(waiting.organisation)
        assert selectors.deadline_state(waiting, today, soon) == "suspended"
        assert jobs.escalate_overdue() == 0
        # Resumed on Thursday 10 Dec: 13 working days waited (23 Nov – 9 Dec).
        services.set_status(case, actor=clerk, status=Status.IN_PROGRESS)
    resumed = Case.objects.get(pk=case.pk)
    assert resumed.deadline == D(2026, 12, 23)
    assert resumed.deadline_suspended_since is None
    event = resumed.events.get(type="deadline_resumed")
    assert event.details == {
        "suspended_since": "2026-11-23",
        "old": "2026-12-04",
        "new": "2026-12-23",
    }


@pytest.mark.django_db
def test_the_requesters_answer_ends_the_waiting(open_case, staff):
    clerk = Actor.for_staff(staff("s.wagner"))
    with time_machine.travel(at(D(2026, 11, 23)), tick=False) as clock:
        case = open_case("maengel-strasse")
        services.set_status(case, actor=clerk, status=Status.WAITING)
        clock.move_to(at(D(2026, 11, 25)))
        services.add_incoming_message(
            case,
            actor=Actor.requester(),
            channel="email",
            body="Hier ist das Foto.",
        )
    resumed = Case.objects.get(pk=case.pk)
    assert resumed.status == Status.IN_PROGRESS
    assert resumed.deadline == D(2026, 12, 9)  # 7 Dec + two waited days


@pytest.mark.django_db
def test_overdue_cases_escalate_to_the_lead_once(open_case):
    with time_machine.travel(at(D(2026, 11, 2)), tick=False) as clock:
        late = open_case("ordnung-parken", subject="Falschparker")  # 2 working days
        fresh = None
        clock.move_to(at(D(2026, 11, 5)))
        fresh = open_case("ordnung-parken", subject="Noch ein Falschparker")
        assert jobs.escalate_overdue() == 1
        assert jobs.escalate_overdue() == 0  # once, not every run
    escalated = Case.objects.get(pk=late.pk)
    assert escalated.escalated_at is not None
    event = escalated.events.get(type="escalated")
    assert event.details["lead"] == "k.hoffmann" and event.actor_label == "Fristüberwachung"
    assert Case.objects.get(pk=fresh.pk).escalated_at is None
    lead_view = selectors.escalated_for_lead(escalated.department.lead)
    assert list(lead_view) == [escalated]


@pytest.mark.django_db
def test_extending_the_deadline_allows_a_new_escalation_later(open_case, staff):
    lead = Actor.for_staff(staff("k.hoffmann"))
    with time_machine.travel(at(D(2026, 11, 2)), tick=False) as clock:
        case = open_case("ordnung-parken", subject="Falschparker")
        clock.move_to(at(D(2026, 11, 5)))
        jobs.escalate_overdue()
        services.change_deadline(case, actor=lead, deadline=D(2026, 11, 9), reason="Rückfrage")
        assert Case.objects.get(pk=case.pk).escalated_at is None
        assert jobs.escalate_overdue() == 0
        clock.move_to(at(D(2026, 11, 10)))
        assert jobs.escalate_overdue() == 1
    assert Case.objects.get(pk=case.pk).events.filter(type="escalated").count() == 2


@pytest.mark.django_db
def test_counts_of_open_overdue_and_due_soon(open_case, staff):
    with time_machine.travel(at(D(2026, 11, 2)), tick=False) as clock:
        open_case("ordnung-parken", subject="alt")  # due 4 Nov
        clock.move_to(at(D(2026, 11, 5)))
        open_case("ordnung-parken", subject="neu")  # due 9 Nov: due soon (≤ 2 working days)
        open_case("ordnung-laerm", subject="Lärm")  # due 16 Nov
        department = staff("l.fischer").department
        rows, counts = selectors.department_queue(department)
    assert (counts.open, counts.overdue, counts.due_soon) == (3, 1, 1)
    # Sorted by urgency, then deadline, then intake time.
    assert [c.subject for c in rows] == ["alt", "neu", "Lärm"]


@pytest.mark.django_db
def test_status_transitions_are_checked(open_case, staff):
    clerk = Actor.for_staff(staff("s.wagner"))
    case = open_case()
    services.set_status(case, actor=clerk, status=Status.CLOSED)
    with pytest.raises(services.CaseError, match="abgeschlossen"):
        services.set_status(case, actor=clerk, status=Status.IN_PROGRESS)
    with pytest.raises(services.CaseError, match="Grund"):
        services.reopen(case, actor=clerk, reason=" ")
    services.reopen(case, actor=clerk, reason="Bürger meldet erneut")
    reopened = Case.objects.get(pk=case.pk)
    assert reopened.status == Status.IN_PROGRESS and reopened.closed_at is None
