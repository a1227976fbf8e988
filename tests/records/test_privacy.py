"""DSGVO: anonymise or erase one person's data, automatic anonymisation, Art. 15 export."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.test import Client
from django.utils import timezone

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, CaseEvent, Document, Message
from buergerticket.cases.services import NewDocument, Requester
from buergerticket.records.models import PrivacyRequest, ServicePrivacyRule
from buergerticket.records.search.engine import search
from buergerticket.records.services import privacy

ERIKA = Requester(
    name="Erika Mustermann",
    email="erika@example.org",
    phone="0211 555123",
    address="Lindenweg 5, 12345 Musterstadt",
)


@pytest.fixture
def officer(make_staff):
    return make_staff("d.schutz", ["datenschutz"])


@pytest.fixture
def erikas_case(open_case, staff, close_case):
    case = open_case(
        subject="Schlagloch vor Lindenweg 5",
        text="Hallo, hier Erika Mustermann. Erreichbar unter 0211/555123 oder erika@example.org.",
        requester=ERIKA,
        attachments=[NewDocument("foto.txt", b"Foto von Erika", "text/plain")],
        location=services.Location(address="Lindenweg 5, 12345 Musterstadt"),
    )
    clerk = Actor.for_staff(staff("s.wagner"))
    services.add_reply(case, actor=clerk, body="Sehr geehrte Frau Mustermann, wir kümmern uns.")
    close_case(case)
    return Case.objects.get(pk=case.pk)


def test_anonymisation_removes_personal_data_everywhere(erikas_case, officer, musterstadt, capsys):
    services.anonymise_case(erikas_case, actor=Actor.for_staff(officer), reason="DS-2026-1")
    case = Case.objects.get(pk=erikas_case.pk)
    assert (case.requester_name, case.requester_email, case.requester_phone) == ("", "", "")
    assert case.requester_address == "" and case.anonymised_at is not None
    assert "Erika" not in case.text and "555123" not in case.text and "example.org" not in case.text
    assert "[entfernt]" in case.text and "Schlagloch" in case.subject
    assert case.location_address == "[entfernt]"
    for message in Message.objects.filter(case=case):
        assert "Mustermann" not in message.body and "Erika" not in message.author_label
        assert message.recipient == ""
    document = Document.objects.get(case=case)
    assert "entfernt" in document.name and document.content_type == "text/plain"
    with document.file.open("rb") as handle:
        assert b"Erika" not in handle.read()
    clerk = Client()
    clerk.force_login(case.owner.user)
    download = clerk.get(f"/arbeitsplatz/vorgaenge/{case.pk}/dokumente/{document.pk}/")
    assert download.status_code == 200 and b"entfernt" in b"".join(download.streaming_content)
    # The history still verifies and never held the name in the first place.
    assert all("Erika" not in e.actor_label for e in CaseEvent.objects.filter(case=case))
    from buergerticket.cli import main

    assert main(["audit", "verify"]) == 0
    # The index no longer finds her; the case's subject still is searchable.
    assert search(organisation=musterstadt, staff=None, text="Mustermann").hits == []
    assert search(organisation=musterstadt, staff=None, text="Schlagloch").total == 1
    assert CaseEvent.objects.filter(case=case, type="anonymised").count() == 1


def test_anonymisation_empties_the_outbox_mails_of_the_case(erikas_case, officer):
    from buergerticket.notify import outbox
    from buergerticket.notify.models import OutboxItem, OutboxStatus

    mails = OutboxItem.objects.filter(case=erikas_case, kind="mail")
    assert any("erika@example.org" in json.dumps(item.payload) for item in mails)
    services.anonymise_case(erikas_case, actor=Actor.for_staff(officer), reason="DS-2026-2")
    for item in OutboxItem.objects.filter(case=erikas_case, kind="mail"):
        text = json.dumps(item.payload, ensure_ascii=False)
        assert "erika" not in text.lower() and "Mustermann" not in text
        # Nothing queued for her goes out any more.
        assert item.status in (OutboxStatus.SENT, OutboxStatus.FAILED)
    assert outbox.deliver_due().get("sent", 0) == 0


def test_anonymisation_refuses_open_held_and_unauthorised(open_case, staff, officer, erikas_case):
    running = open_case(requester=ERIKA)
    with pytest.raises(services.CaseError, match="Nur abgeschlossene"):
        services.anonymise_case(running, actor=Actor.for_staff(officer), reason="x")
    with pytest.raises(services.CasePermissionDenied):
        services.anonymise_case(erikas_case, actor=Actor.for_staff(staff("s.wagner")), reason="x")
    services.set_legal_hold(erikas_case, actor=Actor.for_staff(officer), hold=True, reason="Klage")
    with pytest.raises(services.CaseError, match="Aufbewahrungssperre"):
        services.anonymise_case(erikas_case, actor=Actor.for_staff(officer), reason="x")


def test_erasure_request_respects_retention_holds_and_open_cases(
    erikas_case, open_case, close_case, officer, musterstadt, staff
):
    person = privacy.Person(email="erika@example.org")
    running = open_case(requester=ERIKA, subject="Noch offen")
    expired = open_case("ordnung-laerm", requester=ERIKA, subject="Alter Lärmfall")
    close_case(expired, dt.datetime(2010, 5, 1, tzinfo=dt.UTC))
    plan = {o.file_number: o for o in privacy.plan(musterstadt, person, privacy.ERASE)}
    assert plan[running.file_number].action == "keep"
    assert "in Bearbeitung" in plan[running.file_number].reason
    assert plan[erikas_case.file_number].action == "keep"
    assert "Aufbewahrungspflicht bis 31.12." in plan[erikas_case.file_number].reason
    assert plan[expired.file_number].action == "erase"
    request = privacy.erase(
        musterstadt, person, mode=privacy.ERASE, staff=officer, reference="DS-2026-7"
    )
    assert not Case.objects.filter(pk=expired.pk).exists()
    assert Case.objects.filter(pk__in=[running.pk, erikas_case.pk]).count() == 2
    stored = PrivacyRequest.objects.get(pk=request.pk)
    assert "erika" not in json.dumps(stored.outcomes).lower()  # the proof holds no personal data
    assert {o["file_number"] for o in stored.outcomes if o["done"]} == {expired.file_number}
    from buergerticket.records.models import DisposalRecord

    assert DisposalRecord.objects.get().action == "erasure"


def test_service_rule_allows_anonymisation_within_retention(erikas_case, officer, musterstadt):
    privacy.set_rule(erikas_case.service, 30)
    person = privacy.Person(name="erika mustermann")
    plan = privacy.plan(musterstadt, person, privacy.ANONYMISE)
    assert [o.action for o in plan] == ["anonymise"]
    privacy.erase(musterstadt, person, mode=privacy.ANONYMISE, staff=officer, reference="DS-3")
    assert Case.objects.get(pk=erikas_case.pk).requester_name == ""
    again = privacy.plan(musterstadt, privacy.Person(email="erika@example.org"), privacy.ANONYMISE)
    assert again == []  # nothing left that identifies her


def test_automatic_anonymisation_after_n_days(erikas_case, open_case, close_case, staff):
    ServicePrivacyRule.objects.create(service=erikas_case.service, anonymise_after_days=30)
    fresh = open_case(requester=Requester(name="Otto Normal", email="otto@example.org"))
    close_case(fresh)
    assert privacy.anonymise_due() == 0  # closed today: not yet
    later = timezone.now() + dt.timedelta(days=31)
    assert privacy.anonymise_due(now=later) == 2
    assert privacy.anonymise_due(now=later) == 0  # exactly once
    event = CaseEvent.objects.get(case=fresh, type="anonymised")
    assert event.actor_kind == "system" and "30 Tage" in event.actor_label


def test_access_export_contains_everything_about_the_person(
    erikas_case, open_case, staff, officer, musterstadt
):
    services.add_note(
        open_case(requester=ERIKA, subject="Zweiter Fall"),
        actor=Actor.for_staff(staff("s.wagner")),
        text="Interne Einschätzung",
    )
    open_case(requester=Requester(name="Jemand Anderes", email="x@example.org"))
    data, request = privacy.access_export(
        musterstadt, privacy.Person(email="ERIKA@example.org"), staff=officer, reference="DS-9"
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    summary = json.loads(archive.read("auskunft.json"))
    assert len(summary["cases"]) == 2
    first = summary["cases"][0]
    assert first["personal_data"]["email"] == "erika@example.org"
    assert first["purpose"] == "Straßenschaden melden"
    assert first["stored_until"].startswith(str(timezone.localdate().year + 10))
    names = archive.namelist()
    assert any(n.startswith("intern/") for n in names)  # notes for review
    assert any(n.endswith("foto.txt") for n in names)
    assert "Auskunft nach Art. 15 DSGVO" in archive.read("auskunft.txt").decode()
    assert request.kind == "access"


def test_privacy_page_for_the_officer(erikas_case, officer, staff):
    client = Client()
    client.force_login(officer.user)
    page = client.get(
        "/arbeitsplatz/archiv/datenschutz/",
        {"email": "erika@example.org", "reference": "DS-1"},
    )
    assert page.status_code == 200 and erikas_case.file_number in page.content.decode()
    export = client.post(
        "/arbeitsplatz/archiv/datenschutz/anfrage/",
        {"email": "erika@example.org", "reference": "DS-1", "action": "export"},
    )
    assert export.status_code == 200 and export["Content-Type"] == "application/zip"
    missing = client.post(
        "/arbeitsplatz/archiv/datenschutz/anfrage/", {"reference": "x", "action": "erase"}
    )
    assert missing.status_code == 302  # back with a German message, nothing done
    client.force_login(staff("s.wagner").user)
    assert client.get("/arbeitsplatz/archiv/datenschutz/").status_code == 403


def test_cli_erase_dry_run_and_rule(erikas_case, officer, capsys):
    from buergerticket.cli import main

    assert (
        main(
            [
                "privacy",
                "erase",
                "--org",
                "musterstadt",
                "--email",
                "erika@example.org",
                "--by",
                "d.schutz",
                "--reference",
                "DS-1",
                "--dry-run",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)[0]["action"] == "keep"
    assert (
        main(
            [
                "privacy",
                "rule",
                "--org",
                "musterstadt",
                "--service",
                "maengel-strasse",
                "--days",
                "14",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert (
        main(
            [
                "privacy",
                "erase",
                "--org",
                "musterstadt",
                "--email",
                "erika@example.org",
                "--by",
                "d.schutz",
                "--reference",
                "DS-1",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["outcomes"][0]["done"] is True
    assert (
        main(["privacy", "erase", "--org", "musterstadt", "--by", "d.schutz", "--reference", "x"])
        == 2
    )
