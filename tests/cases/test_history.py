"""Every change is an immutable, hash-chained event with actor, time, what and why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from buergerticket.cases import services
from buergerticket.cases.history import Actor, verify_chain
from buergerticket.cases.models import Case, CaseEvent, Message, Priority, Status
from buergerticket.org.models import Department


@pytest.mark.django_db
def test_every_kind_of_change_is_recorded(open_case, staff):
    clerk = Actor.for_staff(staff("s.wagner"))
    case = open_case()
    services.set_status(case, actor=clerk, status=Status.IN_PROGRESS, reason="angefangen")
    services.add_reply(case, actor=clerk, body="Wir kümmern uns.")
    services.add_note(case, actor=clerk, text="Bauhof informiert")
    services.set_priority(case, actor=clerk, priority=Priority.HIGH)
    services.set_follow_up(case, actor=clerk, on=dt.date(2030, 1, 7))
    services.change_deadline(case, actor=clerk, deadline=dt.date(2030, 1, 31), reason="Frost")
    services.add_incoming_message(case, actor=Actor.requester(), channel="email", body="Danke")
    services.hand_over(
        case, actor=clerk, reason="zuständig", department=Department.objects.get(code="UMW")
    )
    case.refresh_from_db()
    types = list(case.events.order_by("seq").values_list("type", flat=True))
    assert types == [
        "intake",
        "assigned",
        "status_changed",
        "reply",
        "note",
        "priority_changed",
        "follow_up_set",
        "deadline_changed",
        "message_received",
        "handed_over",
        "assigned",
    ]
    status = case.events.get(type="status_changed")
    assert (status.actor.username, status.details, status.reason) == (
        "s.wagner",
        {"old": "neu", "new": "in_bearbeitung"},
        "angefangen",
    )
    assert verify_chain(case, case.events.order_by("seq")) is None
    assert case.version == 9  # opened as version 1, then eight changes


@pytest.mark.django_db
def test_notes_never_reach_the_requester(open_case, staff):
    case = open_case()
    note = services.add_note(case, actor=Actor.for_staff(staff("s.wagner")), text="intern")
    assert not note.visible_to_requester
    assert Message.objects.get(pk=note.pk).kind == "note"


@pytest.mark.django_db
def test_events_cannot_be_changed_through_the_application(open_case):
    event = open_case().events.first()
    event.reason = "nachträglich"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


@pytest.mark.django_db
def test_direct_database_tampering_is_detected(open_case, staff):
    case = open_case()
    services.add_note(case, actor=Actor.for_staff(staff("s.wagner")), text="a")
    case.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_caseevent SET reason = 'geändert' WHERE case_id = %s AND seq = 2",
            [case.pk],
        )
    problem = verify_chain(case, CaseEvent.objects.filter(case=case).order_by("seq"))
    assert problem == "Ereignis 2 (assigned) wurde nachträglich verändert."


@pytest.mark.django_db
def test_closed_cases_are_read_only(open_case, staff):
    clerk = Actor.for_staff(staff("s.wagner"))
    case = open_case()
    services.set_status(case, actor=clerk, status=Status.CLOSED)
    for change in (
        lambda: services.add_note(case, actor=clerk, text="x"),
        lambda: services.add_reply(case, actor=clerk, body="x"),
        lambda: services.reassign(case, actor=clerk, to=staff("t.nguyen")),
    ):
        with pytest.raises(services.CaseError, match="abgeschlossen"):
            change()
    assert Case.objects.get(pk=case.pk).closed_at is not None


@pytest.mark.django_db
def test_stale_version_is_refused(open_case, staff):
    clerk = Actor.for_staff(staff("s.wagner"))
    case = open_case()
    services.add_note(case, actor=clerk, text="erster", expected_version=1)
    with pytest.raises(services.CaseConflict):
        services.add_note(case, actor=clerk, text="zweiter", expected_version=1)


@pytest.mark.django_db
def test_closing_by_automation_marks_the_case_automatically_done(open_case):
    case = open_case("sw-abschlag", subject="Abschlag")
    services.set_status(case, actor=Actor.automation("Regel abschlag v1"), status=Status.CLOSED)
    assert Case.objects.get(pk=case.pk).closed_automatically


@pytest.mark.django_db
def test_closed_cases_refuse_every_steering_change(open_case, staff):
    clerk = Actor.for_staff(staff("s.wagner"))
    case = open_case()
    services.set_status(case, actor=clerk, status=Status.CLOSED)
    for change in (
        lambda: services.set_priority(case, actor=clerk, priority=Priority.HIGH),
        lambda: services.set_follow_up(case, actor=clerk, on=dt.date(2030, 1, 1)),
        lambda: services.add_tag(case, actor=clerk, tag="x"),
        lambda: services.set_attention(case, actor=clerk, text="x"),
        lambda: services.add_document(
            case,
            actor=clerk,
            document=services.NewDocument("a.pdf", b"%PDF-1.4", "application/pdf"),
        ),
    ):
        with pytest.raises(services.CaseError, match="abgeschlossen"):
            change()
