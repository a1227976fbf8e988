"""Exactly one owner: service owner → deputy → lead; absences move cases and bring them back."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Status
from buergerticket.org.models import Department

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
D = dt.date


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def absent(staff, username, start, end, by=None):
    person = staff(username)
    return services.record_absence(
        staff=person, start=start, end=end, actor=staff(by) if by else person
    )


@pytest.mark.django_db
def test_new_case_goes_to_the_service_owner(monday, open_case):
    case = open_case("maengel-strasse")
    assert case.owner.username == "s.wagner" and case.regular_owner is None
    assigned = case.events.get(type="assigned")
    assert assigned.details == {"owner": "s.wagner", "rule": "owner"}


@pytest.mark.django_db
def test_absent_owner_sends_new_cases_to_the_deputy_acting_for_them(monday, open_case, staff):
    absent(staff, "s.wagner", D(2026, 11, 23), D(2026, 11, 27))
    case = open_case("maengel-strasse")
    assert case.owner.username == "t.nguyen"
    assert case.regular_owner.username == "s.wagner"
    assert case.events.get(type="assigned").details["standing_in_for"] == "s.wagner"
    # The deputy acts with full rights, recorded "i. V." for the absent owner.
    services.add_note(case, actor=Actor.for_staff(staff("t.nguyen")), text="Ortstermin geplant")
    note = case.events.get(type="note")
    assert note.actor.username == "t.nguyen" and note.on_behalf_of.username == "s.wagner"


@pytest.mark.django_db
def test_owner_and_deputy_absent_sends_the_case_to_the_lead(monday, open_case, staff):
    absent(staff, "l.fischer", D(2026, 11, 23), D(2026, 11, 23))
    absent(staff, "k.hoffmann", D(2026, 11, 20), D(2026, 11, 24))
    case = open_case("ordnung-laerm", subject="Lärm")
    # k.hoffmann is deputy and lead; with both away the lead still holds it:
    # a case never has zero owners.
    assert case.owner.username == "k.hoffmann"
    absent(staff, "r.schulz", D(2026, 11, 23), D(2026, 11, 23))
    tax = open_case("steuer-hund", subject="Hund anmelden")
    assert tax.owner.username == "e.koch"  # deputy, and the lead of STE


@pytest.mark.django_db
def test_absence_moves_open_cases_to_the_deputy_and_back(open_case, staff):
    with time_machine.travel(MONDAY, tick=False) as clock:
        first, second = open_case(), open_case()
        closed = open_case()
        services.set_status(closed, actor=Actor.for_staff(staff("s.wagner")), status=Status.CLOSED)
        absent(staff, "s.wagner", D(2026, 11, 24), D(2026, 11, 26))
        assert Case.objects.get(pk=first.pk).owner.username == "s.wagner"  # not yet
        clock.move_to(dt.datetime(2026, 11, 24, 6, 0, tzinfo=BERLIN))
        services.apply_absences()  # the worker job
        for case in (first, second):
            moved = Case.objects.get(pk=case.pk)
            assert (moved.owner.username, moved.regular_owner.username) == ("t.nguyen", "s.wagner")
        assert Case.objects.get(pk=closed.pk).owner.username == "s.wagner"
        # The lead decides one case stays with the deputy.
        services.reassign(
            second,
            actor=Actor.for_staff(staff("t.nguyen")),
            to=staff("t.nguyen"),
            reason="bleibt bei mir",
        )
        services.apply_absences()
        clock.move_to(dt.datetime(2026, 11, 27, 7, 0, tzinfo=BERLIN))
        result = services.apply_absences()
        assert result == {"moved": 0, "returned": 1}
        assert Case.objects.get(pk=first.pk).owner.username == "s.wagner"
        assert Case.objects.get(pk=first.pk).regular_owner is None
        assert Case.objects.get(pk=second.pk).owner.username == "t.nguyen"
        # Running the job again changes nothing.
        assert services.apply_absences() == {"moved": 0, "returned": 0}
        returned = Case.objects.get(pk=first.pk).events.filter(type="assigned").last()
        assert returned.details["rule"] == "return"


@pytest.mark.django_db
def test_absence_starting_today_moves_cases_at_once(monday, open_case, staff):
    case = open_case()
    absent(staff, "s.wagner", D(2026, 11, 23), D(2026, 11, 25))
    assert Case.objects.get(pk=case.pk).owner.username == "t.nguyen"


@pytest.mark.django_db
def test_cancelled_absence_returns_the_cases(monday, open_case, staff):
    case = open_case()
    absence = absent(staff, "s.wagner", D(2026, 11, 23), D(2026, 11, 30))
    services.cancel_absence(absence, actor=staff("s.wagner"))
    assert Case.objects.get(pk=case.pk).owner.username == "s.wagner"


@pytest.mark.django_db
def test_only_the_person_their_lead_or_an_administrator_record_absences(monday, staff):
    with pytest.raises(services.CasePermissionDenied):
        absent(staff, "s.wagner", D(2026, 11, 23), D(2026, 11, 24), by="l.fischer")
    absent(staff, "s.wagner", D(2026, 11, 23), D(2026, 11, 24), by="t.nguyen")
    absent(staff, "l.fischer", D(2026, 11, 23), D(2026, 11, 24), by="admin")
    with pytest.raises(services.CaseError, match="vor ihrem Beginn"):
        absent(staff, "m.yilmaz", D(2026, 11, 24), D(2026, 11, 23))


@pytest.mark.django_db
def test_reassign_within_department_only(monday, open_case, staff):
    case = open_case()
    clerk = Actor.for_staff(staff("s.wagner"))
    services.reassign(case, actor=clerk, to=staff("t.nguyen"), reason="Urlaubsübergabe")
    assert Case.objects.get(pk=case.pk).owner.username == "t.nguyen"
    with pytest.raises(services.CaseError, match="Abgabe"):
        services.reassign(case, actor=clerk, to=staff("l.fischer"))


@pytest.mark.django_db
def test_handover_lets_the_receiving_department_assign(monday, open_case, staff):
    case = open_case(subject="Sperrmüll auf dem Gehweg")
    clerk = Actor.for_staff(staff("s.wagner"))
    umw = Department.objects.get(organisation__slug="musterstadt", code="UMW")
    with pytest.raises(services.CaseError, match="begründen"):
        services.hand_over(case, actor=clerk, department=umw, reason="")
    services.hand_over(case, actor=clerk, department=umw, reason="Abfall, nicht Straße")
    moved = Case.objects.get(pk=case.pk)
    assert (moved.department.code, moved.owner.username) == ("UMW", "j.schmidt")
    event = moved.events.get(type="handed_over")
    assert event.details == {"from": "TBA", "to": "UMW"} and event.reason == "Abfall, nicht Straße"
    # The former department no longer works it.
    with pytest.raises(services.CasePermissionDenied):
        services.add_note(moved, actor=clerk, text="noch ein Hinweis")


@pytest.mark.django_db
def test_changing_the_service_to_another_department_is_a_handover(monday, open_case, staff):
    from buergerticket.catalog.models import Service

    case = open_case("allgemein", subject="Laterne kaputt")
    parking = Service.objects.get(code="maengel-beleuchtung")
    services.change_service(case, actor=Actor.for_staff(staff("m.yilmaz")), service=parking)
    moved = Case.objects.get(pk=case.pk)
    assert (moved.service.code, moved.department.code, moved.owner.username) == (
        "maengel-beleuchtung",
        "TBA",
        "s.wagner",
    )
