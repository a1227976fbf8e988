"""File numbers: the organisation's pattern, a sequence per organisation and year, no gaps."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

import pytest
import time_machine
from django.db import connection, connections

from buergerticket.cases.models import Case

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.mark.django_db
def test_numbers_follow_each_organisations_pattern(open_case):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN), tick=False):
        first = open_case("maengel-strasse")
        second = open_case("steuer-hund")
        utility = open_case("sw-rechnung", subject="Rechnung zu hoch")
    assert first.file_number == "66.10.01-00001/2026"
    # One sequence per organisation and year, whatever the file plan entry.
    assert second.file_number == "22.30.01-00002/2026"
    assert utility.file_number == "SW-2026-000001"


@pytest.mark.django_db
def test_sequence_restarts_each_year(open_case):
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 50, tzinfo=BERLIN), tick=False):
        open_case()
        open_case()
    with time_machine.travel(dt.datetime(2027, 1, 1, 0, 5, tzinfo=BERLIN), tick=False):
        new_year = open_case()
    assert new_year.file_number == "66.10.01-00001/2027"


@pytest.mark.django_db
def test_a_failed_intake_does_not_consume_a_number(open_case):
    from buergerticket.cases.services import CaseError

    open_case()
    with pytest.raises(CaseError):
        open_case(subject="   ")
    assert open_case().sequence == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_intake_gives_unique_gap_free_numbers(open_case):
    """Several writers at once (threads with their own connections) on SQLite and PostgreSQL."""
    errors: list[BaseException] = []
    # No sequence row exists yet: the writers also race to create this year's row.

    def writer() -> None:
        try:
            for _ in range(15):
                open_case()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    sequences = sorted(Case.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 61)), connection.vendor
    assert Case.objects.values("file_number").distinct().count() == 60
