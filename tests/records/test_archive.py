"""Archive: closed cases stay complete and read-only; the records jobs are scheduled."""

from __future__ import annotations

import datetime as dt

import pytest

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case
from buergerticket.core import jobs
from buergerticket.records.models import DisposalRun
from buergerticket.records.search.engine import Filters, search


def test_closed_case_is_read_only_and_findable(open_case, staff, musterstadt):
    clerk = Actor.for_staff(staff("s.wagner"))
    case = open_case(subject="Bank am Teich beschädigt")
    services.add_note(case, actor=clerk, text="Schreiner beauftragt")
    services.set_status(case, actor=clerk, status="abgeschlossen")
    events_before = Case.objects.get(pk=case.pk).last_event_seq
    for attempt in (
        lambda: services.add_note(case, actor=clerk, text="noch etwas"),
        lambda: services.add_reply(case, actor=clerk, body="noch etwas"),
        lambda: services.change_deadline(
            case, actor=clerk, deadline=dt.date(2030, 1, 1), reason="x"
        ),
        lambda: services.reassign(case, actor=clerk, to=staff("t.nguyen")),
    ):
        with pytest.raises(services.CaseError, match="abgeschlossen"):
            attempt()
    assert Case.objects.get(pk=case.pk).last_event_seq == events_before
    archived = search(
        organisation=musterstadt,
        staff=staff("t.nguyen"),
        text="Schreiner",
        filters=Filters(status="closed"),
    )
    assert [h.case.pk for h in archived.hits] == [case.pk]
    services.reopen(case, actor=Actor.for_staff(staff("t.nguyen")), reason="Bank wieder kaputt")
    assert (
        search(
            organisation=musterstadt,
            staff=staff("t.nguyen"),
            text="Schreiner",
            filters=Filters(status="open"),
        ).total
        == 1
    )


def test_records_jobs_are_registered_and_idempotent(open_case, close_case):
    names = {job.name for job in jobs.registered()}
    assert {
        "records.extract_text",
        "records.disposal_plan",
        "records.disposal_execute",
        "records.anonymise_due",
        "records.purge_read_log",
    } <= names
    case = open_case()
    close_case(case, dt.datetime(2010, 2, 1, tzinfo=dt.UTC))
    assert jobs.get("records.disposal_plan").func() == 1
    assert jobs.get("records.disposal_plan").func() == 0  # one open list at a time
    assert DisposalRun.objects.count() == 1
    assert jobs.get("records.disposal_execute").func() == 0  # nothing approved
    assert Case.objects.filter(pk=case.pk).exists()
