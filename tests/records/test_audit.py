"""``buergerticket audit verify``: the history is tamper-evident, tested by altering
the database directly (as an attacker with database access would)."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cli import main


@pytest.fixture
def two_cases(open_case, staff):
    clerk = Actor.for_staff(staff("s.wagner"))
    first = open_case(subject="Erster")
    services.add_note(first, actor=clerk, text="geprüft")
    services.set_status(first, actor=clerk, status="in_bearbeitung")
    second = open_case(subject="Zweiter")
    return first, second


def run(capsys, *args):
    status = main(["audit", "verify", *args])
    return status, capsys.readouterr()


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_intact_history_exits_zero(two_cases, capsys):
    status, out = run(capsys, "--org", "musterstadt")
    assert status == 0
    assert "intakt" in out.out
    status, out = run(capsys, "--json")
    assert status == 0 and json.loads(out.out)["cases"] == 2


def test_changed_event_is_named(two_cases, capsys):
    first, _ = two_cases
    sql(
        "UPDATE cases_caseevent SET reason = %s WHERE case_id = %s AND seq = 3",
        ["nachträglich", first.pk],
    )
    status, out = run(capsys, "--org", "musterstadt")
    assert status == 1
    assert first.file_number in out.out
    assert "Ereignis 3 (note) wurde nachträglich verändert" in out.out


def test_changed_details_or_time_is_detected(two_cases, capsys):
    first, second = two_cases
    sql(
        "UPDATE cases_caseevent SET details = %s WHERE case_id = %s AND seq = 1",
        ['{"channel": "phone"}', second.pk],
    )
    status, out = run(capsys)
    assert status == 1 and second.file_number in out.out and first.file_number not in out.out


def test_deleted_event_is_detected(two_cases, capsys):
    first, _ = two_cases
    sql("DELETE FROM cases_caseevent WHERE case_id = %s AND seq = 2", [first.pk])
    status, out = run(capsys, "--org", "musterstadt")
    assert status == 1
    assert f"{first.file_number}: Ereignis 2 fehlt" in out.out


def test_deleted_last_event_is_detected(two_cases, capsys):
    first, _ = two_cases
    sql("DELETE FROM cases_caseevent WHERE case_id = %s AND seq = 4", [first.pk])
    status, out = run(capsys)
    assert status == 1
    assert "Ereignis 4 und folgende fehlen" in out.out


def test_reordered_events_are_detected(two_cases, capsys):
    first, _ = two_cases
    # Swap events 2 and 3 (through a free number: seq is unique per case).
    sql("UPDATE cases_caseevent SET seq = 99 WHERE case_id = %s AND seq = 2", [first.pk])
    sql("UPDATE cases_caseevent SET seq = 2 WHERE case_id = %s AND seq = 3", [first.pk])
    sql("UPDATE cases_caseevent SET seq = 3 WHERE case_id = %s AND seq = 99", [first.pk])
    status, out = run(capsys, "--org", "musterstadt")
    assert status == 1
    assert f"{first.file_number}: Ereignis 2" in out.out


def test_history_stays_verifiable_after_anonymisation(open_case, staff, make_staff, capsys):
    from buergerticket.cases.services import Requester

    officer = make_staff("d.schutz", ["datenschutz"])
    case = open_case(requester=Requester(name="Erika Mustermann", email="erika@example.org"))
    services.set_status(case, actor=Actor.for_staff(staff("s.wagner")), status="abgeschlossen")
    services.anonymise_case(case, actor=Actor.for_staff(officer), reason="Antrag DS-1")
    status, out = run(capsys)
    assert status == 0, out.out


def test_unknown_organisation_is_a_usage_error(catalog, capsys):
    status, out = run(capsys, "--org", "gibtsnicht")
    assert status == 2 and "gibt es nicht" in out.err
