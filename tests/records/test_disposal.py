"""Retention and disposal: due cases are listed, an administrator approves,
then they are deleted or exported, leaving a minimal, chained disposal record."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from django.test import Client

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, CaseEvent, Message
from buergerticket.catalog.models import FilePlanEntry
from buergerticket.cli import main
from buergerticket.records.models import DisposalRecord, SearchDocument
from buergerticket.records.services import disposal


@pytest.fixture
def old_cases(open_case, close_case, staff):
    """Closed in 2014 (retention of 66.10.01: 10 years → due from 2025),
    one closed in 2020 (not due), one open."""
    at_2014 = dt.datetime(2014, 6, 1, 10, tzinfo=dt.UTC)
    due = open_case(subject="Altfall fällig")
    close_case(due, at_2014)
    held = open_case(subject="Altfall gesperrt")
    close_case(held, at_2014)
    services.set_legal_hold(
        held, actor=Actor.for_staff(staff("t.nguyen")), hold=True, reason="Klage"
    )
    recent = open_case(subject="Jüngerer Fall")
    close_case(recent, dt.datetime(2020, 6, 1, tzinfo=dt.UTC))
    still_open = open_case(subject="Offener Fall")
    return due, held, recent, still_open


def test_due_cases_respect_retention_and_legal_hold(old_cases, musterstadt):
    due, _held, _recent, _still_open = old_cases
    found = set(disposal.due_cases(musterstadt, dt.date(2026, 1, 15)).values_list("pk", flat=True))
    assert found == {due.pk}
    # The end of the closing year counts: closed mid-2014 + 10 years → kept through 2024.
    assert not disposal.due_cases(musterstadt, dt.date(2024, 12, 31)).exists()
    assert disposal.due_cases(musterstadt, dt.date(2025, 1, 1)).exists()


def test_run_needs_an_administrator_then_deletes(old_cases, musterstadt, staff, make_staff):
    due = Case.objects.get(pk=old_cases[0].pk)
    run = disposal.plan(musterstadt, as_of=dt.date(2026, 1, 15))
    assert [i.file_number for i in run.items.all()] == [due.file_number]
    with pytest.raises(disposal.DisposalError):
        disposal.plan(musterstadt)  # one open run at a time
    with pytest.raises(disposal.DisposalError):
        disposal.approve(run, staff=staff("t.nguyen"))  # a lead is not an administrator
    with pytest.raises(disposal.DisposalError):
        disposal.execute(run)  # not approved yet
    admin = staff("admin")
    disposal.approve(run, staff=admin)
    report = disposal.execute(run)
    assert (report.done, report.failed) == (1, 0)
    assert not Case.objects.filter(pk=due.pk).exists()
    assert not CaseEvent.objects.filter(case_id=due.pk).exists()
    assert not Message.objects.filter(case_id=due.pk).exists()
    assert not SearchDocument.objects.filter(case_id=due.pk).exists()
    record = DisposalRecord.objects.get()
    assert record.file_number == due.file_number
    assert record.action == "delete"
    assert record.approved_by == "admin – Fachadministration"
    assert record.closed_at.year == 2014
    assert (record.event_count, record.last_event_hash) == (3, due.last_event_hash)


def test_archive_action_writes_a_package_first(old_cases, musterstadt, staff, settings, tmp_path):
    settings.RECORDS_ARCHIVE_DIR = tmp_path
    due = old_cases[0]
    FilePlanEntry.objects.filter(organisation=musterstadt, code="66.10.01").update(
        disposal="archive"
    )
    run = disposal.plan(musterstadt, as_of=dt.date(2026, 1, 15))
    disposal.approve(run, staff=staff("admin"))
    disposal.execute(run, convert=False)
    record = DisposalRecord.objects.get(file_number=due.file_number)
    assert record.action == "archive" and record.package_sha256
    package = tmp_path / record.package_name
    assert zipfile.ZipFile(package).testzip() is None


def test_excluded_and_meanwhile_reopened_cases_stay(
    old_cases, musterstadt, staff, open_case, close_case
):
    due = old_cases[0]
    second = open_case(subject="Zweiter Altfall")
    close_case(second, dt.datetime(2013, 3, 1, tzinfo=dt.UTC))
    run = disposal.plan(musterstadt, as_of=dt.date(2026, 1, 15))
    admin = staff("admin")
    item = run.items.get(file_number=second.file_number)
    with pytest.raises(disposal.DisposalError):
        disposal.set_excluded(item, staff=admin, excluded=True, note="")
    disposal.set_excluded(item, staff=admin, excluded=True, note="Prüfung durch Rechtsamt")
    disposal.approve(run, staff=admin)
    services.reopen(
        due, actor=Actor.for_staff(staff("s.wagner")), reason="Bürgerin meldet sich erneut"
    )
    report = disposal.execute(run)
    assert (report.done, report.skipped) == (0, 1)
    assert Case.objects.filter(pk__in=[due.pk, second.pk]).count() == 2
    assert not DisposalRecord.objects.exists()


def test_disposal_records_are_chained_and_verified(
    old_cases, musterstadt, staff, open_case, close_case, capsys
):
    other = open_case(subject="Noch ein Altfall")
    close_case(other, dt.datetime(2012, 1, 10, tzinfo=dt.UTC))
    run = disposal.plan(musterstadt, as_of=dt.date(2026, 1, 15))
    disposal.approve(run, staff=staff("admin"))
    disposal.execute(run)
    assert DisposalRecord.objects.count() == 2
    assert main(["audit", "verify", "--org", "musterstadt"]) == 0
    capsys.readouterr()
    DisposalRecord.objects.filter(seq=1).update(approved_by="jemand anderes")
    assert main(["audit", "verify", "--org", "musterstadt"]) == 1
    assert "Aussonderungsnachweis 1 wurde nachträglich verändert" in capsys.readouterr().out
    DisposalRecord.objects.filter(seq=1).update(approved_by="admin – Fachadministration")
    DisposalRecord.objects.filter(seq=2).delete()
    assert main(["audit", "verify", "--org", "musterstadt"]) == 1
    assert "Aussonderungsnachweis 2 und folgende fehlen" in capsys.readouterr().out


def test_cli_plan_approve_execute(old_cases, capsys):
    import json

    due = old_cases[0]
    assert main(["disposal", "plan", "--org", "musterstadt", "--as-of", "2026-01-15"]) == 0
    run = json.loads(capsys.readouterr().out)
    assert [i["file_number"] for i in run["items"]] == [due.file_number]
    assert (
        main(["disposal", "approve", str(run["run"]), "--org", "musterstadt", "--by", "t.nguyen"])
        == 2
    )
    assert "Nur die Administration" in capsys.readouterr().err
    assert (
        main(
            [
                "disposal",
                "approve",
                str(run["run"]),
                "--org",
                "musterstadt",
                "--by",
                "admin",
                "--execute",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["done"] == 1


def test_admin_pages(old_cases, staff, make_staff):
    client = Client()
    client.force_login(staff("admin").user)
    page = client.get("/arbeitsplatz/archiv/aussonderung/")
    assert page.status_code == 200
    response = client.post("/arbeitsplatz/archiv/aussonderung/ermitteln/")
    assert response.status_code == 302
    run_url = response["Location"]
    assert old_cases[0].file_number in client.get(run_url).content.decode()
    client.force_login(staff("s.wagner").user)
    assert client.get("/arbeitsplatz/archiv/aussonderung/").status_code == 403
