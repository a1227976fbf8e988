"""Full-text search over cases, as a clerk uses it."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.services import NewDocument, Requester
from buergerticket.records.search.engine import Filters, search


def found(results):
    return [hit.case.file_number for hit in results.hits]


def everything(org, text, **kwargs):
    return found(search(organisation=org, staff=None, text=text, **kwargs))


def test_german_stemming_and_umlaut_folding(open_case, musterstadt):
    case = open_case(subject="Schlaglöcher in der Straße", text="Tiefe Löcher vor dem Haus.")
    other = open_case("ordnung-laerm", subject="Laterne brummt", text="Die Laterne surrt laut.")
    for text in ("Strasse", "straße", "STRASSE", "Schlagloch", "Straßen"):
        assert everything(musterstadt, text) == [case.file_number], text
    assert case.file_number in everything(musterstadt, "Loch")
    # Compounds are split: the service "Straßenschaden melden" holds "Schaden".
    assert everything(musterstadt, "Schaden") == [case.file_number]
    assert everything(musterstadt, "Laternen") == [other.file_number]


def test_mueller_finds_mueller_and_email_and_phone(open_case, musterstadt):
    case = open_case(
        requester=Requester(name="Hans Müller", email="hm@example.org", phone="0211 123456")
    )
    open_case(requester=Requester(name="Anna Schmidt", email="as@example.org"))
    assert everything(musterstadt, "Mueller") == [case.file_number]
    assert everything(musterstadt, "hm@example.org") == [case.file_number]
    assert everything(musterstadt, "123456") == [case.file_number]


def test_file_number_comes_first(open_case, musterstadt):
    first = open_case(subject="Erster Fall")
    follow = open_case(subject="Nachfrage", text=f"Bezug: {first.file_number}, bitte prüfen")
    results = search(organisation=musterstadt, staff=None, text=first.file_number)
    assert found(results) == [first.file_number, follow.file_number]
    assert results.hits[0].exact and not results.hits[1].exact


def test_messages_notes_and_attachment_text_are_found(open_case, musterstadt, staff):
    case = open_case(
        attachments=[
            NewDocument("foto.txt", b"x", "text/plain", text="Gutachten zur Brandschutzklappe")
        ]
    )
    clerk = Actor.for_staff(staff("s.wagner"))
    services.add_note(case, actor=clerk, text="Bauhof informiert, Kolonne kommt Dienstag")
    services.add_reply(case, actor=clerk, body="Wir beheben den Schaden bis Freitag.")
    services.add_incoming_message(
        case, actor=Actor.requester(), channel="email", body="Danke für die Rückmeldung!"
    )
    for word in ("Kolonne", "Freitag", "Rückmeldung", "Brandschutzklappe"):
        assert everything(musterstadt, word) == [case.file_number], word
    hit = search(organisation=musterstadt, staff=None, text="Kolonne").hits[0]
    assert hit.snippet is not None and "<mark>Kolonne</mark>" in hit.snippet.html
    assert hit.snippet.source == "Vermerk"


def test_extracted_pdf_and_office_text_is_found(open_case, musterstadt):
    from docx import Document as Docx
    from openpyxl import Workbook
    from reportlab.pdfgen import canvas

    pdf = io.BytesIO()
    sheet = canvas.Canvas(pdf)
    sheet.drawString(72, 720, "Kostenvoranschlag Wasserrohrbruch")
    sheet.save()
    word = io.BytesIO()
    doc = Docx()
    doc.add_paragraph("Stellungnahme zur Baumfällung")
    doc.save(word)
    excel = io.BytesIO()
    book = Workbook()
    book.active.append(["Zählerstand", 4711, "Hausanschluss"])
    book.save(excel)
    case = open_case(
        attachments=[
            NewDocument("angebot.pdf", pdf.getvalue(), "application/pdf"),
            NewDocument(
                "stellungnahme.docx",
                word.getvalue(),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            NewDocument(
                "zaehler.xlsx",
                excel.getvalue(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            NewDocument("kaputt.pdf", b"%PDF-1.4 nonsense", "application/pdf"),
        ]
    )
    assert everything(musterstadt, "Wasserrohrbruch") == []  # not yet extracted
    from buergerticket.records.extraction import extract_pending
    from buergerticket.records.models import DocumentText

    assert extract_pending() == 4
    assert extract_pending() == 0  # each file once
    for word in ("Wasserrohrbruch", "Baumfällung", "Hausanschluss", "Kostenvoranschlag"):
        assert everything(musterstadt, word) == [case.file_number], word
    statuses = sorted(DocumentText.objects.values_list("status", flat=True))
    assert statuses == ["failed", "ok", "ok", "ok"]


def test_query_syntax_phrase_prefix_exclusion_or(open_case, musterstadt):
    a = open_case(subject="Antrag auf Erstattung der Gebühr", text="")
    b = open_case(subject="Erstattung beantragt", text="Gebühr zu hoch")
    c = open_case(subject="Hundesteuer abmelden", text="Hund verstorben")
    assert everything(musterstadt, '"Antrag auf Erstattung"') == [a.file_number]
    assert set(everything(musterstadt, "Erstattung -Antrag")) == {b.file_number}
    assert set(everything(musterstadt, "Hundest*")) == {c.file_number}
    assert set(everything(musterstadt, "Hund ODER Erstattung")) == {
        a.file_number,
        b.file_number,
        c.file_number,
    }
    assert everything(musterstadt, "und die") == []  # only stop words


def test_subject_match_ranks_above_text_match(open_case, musterstadt):
    in_text = open_case(subject="Allgemeine Frage", text="Es geht um einen Sperrmülltermin.")
    in_subject = open_case(subject="Sperrmülltermin verschieben", text="Bitte melden Sie sich.")
    assert everything(musterstadt, "Sperrmülltermin") == [
        in_subject.file_number,
        in_text.file_number,
    ]
    newest = everything(musterstadt, "Sperrmülltermin", sort="neueste")
    assert newest == [in_subject.file_number, in_text.file_number]


def test_results_respect_permissions(open_case, musterstadt, stadtwerke, staff):
    street = open_case("maengel-strasse", subject="Kanaldeckel klappert")
    noise = open_case("ordnung-laerm", subject="Kanaldeckel klappert nachts")
    utility = open_case("sw-allgemein", org="stadtwerke", subject="Kanaldeckel klappert")
    as_tba = search(organisation=musterstadt, staff=staff("s.wagner"), text="Kanaldeckel")
    assert found(as_tba) == [street.file_number]
    as_ord = search(organisation=musterstadt, staff=staff("l.fischer"), text="Kanaldeckel")
    assert found(as_ord) == [noise.file_number]
    # The admin role works no cases and sees none; nor does another tenant's staff.
    assert found(search(organisation=musterstadt, staff=staff("admin"), text="Kanaldeckel")) == []
    assert found(search(organisation=stadtwerke, staff=staff("h.braun"), text="Kanaldeckel")) == [
        utility.file_number
    ]
    # A case handed over to another department leaves the old queue's search.
    services.hand_over(
        street,
        actor=Actor.for_staff(staff("s.wagner")),
        department=staff("l.fischer").department,
        reason="zuständig",
    )
    assert (
        found(search(organisation=musterstadt, staff=staff("s.wagner"), text="Kanaldeckel")) == []
    )
    assert street.file_number in found(
        search(organisation=musterstadt, staff=staff("l.fischer"), text="Kanaldeckel")
    )
    # An exact file number of an invisible case is not revealed either.
    assert (
        found(search(organisation=musterstadt, staff=staff("s.wagner"), text=noise.file_number))
        == []
    )


def test_deputy_finds_the_cases_they_hold(open_case, musterstadt, staff):
    case = open_case("maengel-strasse", subject="Gullydeckel lose")
    services.reassign(case, actor=Actor.for_staff(staff("t.nguyen")), to=staff("t.nguyen"))
    # k.hoffmann (ORD) holds nothing in TBA: not visible.
    assert (
        found(search(organisation=musterstadt, staff=staff("k.hoffmann"), text="Gullydeckel")) == []
    )
    assert found(search(organisation=musterstadt, staff=staff("t.nguyen"), text="Gullydeckel")) == [
        case.file_number
    ]


def test_filters(open_case, close_case, musterstadt, staff):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC), tick=False):
        march = open_case("maengel-strasse", subject="Ampel ausgefallen")
    with time_machine.travel(dt.datetime(2026, 5, 20, 9, tzinfo=dt.UTC), tick=False):
        may = open_case("maengel-beleuchtung", subject="Ampel flackert")
    close_case(may)
    tba = staff("s.wagner")
    assert set(everything(musterstadt, "Ampel")) == {march.file_number, may.file_number}
    by_service = Filters(services=(may.service_id,))
    assert everything(musterstadt, "Ampel", filters=by_service) == [may.file_number]
    assert everything(musterstadt, "Ampel", filters=Filters(status="closed")) == [may.file_number]
    assert everything(musterstadt, "Ampel", filters=Filters(status="open")) == [march.file_number]
    assert everything(musterstadt, "Ampel", filters=Filters(status="neu")) == [march.file_number]
    by_owner = everything(musterstadt, "Ampel", filters=Filters(owner=tba.pk))
    assert set(by_owner) == {march.file_number, may.file_number}
    other_owner = Filters(owner=staff("t.nguyen").pk)
    assert everything(musterstadt, "Ampel", filters=other_owner) == []
    dates = Filters(created_from=dt.date(2026, 3, 1), created_to=dt.date(2026, 3, 31))
    assert everything(musterstadt, "Ampel", filters=dates) == [march.file_number]
    single_day = Filters(created_from=dt.date(2026, 5, 20), created_to=dt.date(2026, 5, 20))
    assert everything(musterstadt, "Ampel", filters=single_day) == [may.file_number]
    assert (
        everything(
            musterstadt, "Ampel", filters=Filters(department=staff("l.fischer").department_id)
        )
        == []
    )
    # No words: the filtered list itself (the archive).
    assert everything(musterstadt, "", filters=Filters(status="closed")) == [may.file_number]


def test_index_follows_every_change_in_the_same_transaction(open_case, musterstadt, staff):
    from django.db import transaction

    case = open_case(subject="Baum umgestürzt")
    clerk = Actor.for_staff(staff("s.wagner"))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.add_note(case, actor=clerk, text="Feuerwehr verständigt")
        assert everything(musterstadt, "Feuerwehr") == [case.file_number]
        raise RuntimeError("rollback")
    assert everything(musterstadt, "Feuerwehr") == []
    services.set_status(case, actor=clerk, status="abgeschlossen")
    assert everything(musterstadt, "Baum", filters=Filters(status="closed")) == [case.file_number]


def test_candidate_limit_ranks_newest_and_says_so(open_case, musterstadt, settings):
    settings.SEARCH_CANDIDATE_LIMIT = 3
    cases = [open_case(subject=f"Parkplatz Nummer {i}") for i in range(5)]
    results = search(organisation=musterstadt, staff=None, text="Parkplatz")
    assert results.capped and results.total == 3
    assert set(found(results)) == {c.file_number for c in cases[2:]}


def test_pagination(open_case, musterstadt):
    numbers = {open_case(subject=f"Bank kaputt {i}").file_number for i in range(5)}
    first = search(organisation=musterstadt, staff=None, text="Bank", page_size=2)
    second = search(organisation=musterstadt, staff=None, text="Bank", page=2, page_size=2)
    third = search(organisation=musterstadt, staff=None, text="Bank", page=3, page_size=2)
    assert first.total == 5 and first.has_next and not third.has_next
    assert set(found(first) + found(second) + found(third)) == numbers


def test_reindex_rebuilds_identical_results(open_case, musterstadt):
    from buergerticket.records.models import SearchDocument
    from buergerticket.records.search.indexer import reindex

    case = open_case(subject="Wasserschaden im Keller")
    SearchDocument.objects.all().delete()
    assert everything(musterstadt, "Wasserschaden") == []
    assert reindex() == 1
    assert everything(musterstadt, "Wasserschaden") == [case.file_number]


def test_cli_search_json(open_case, musterstadt, capsys):
    from buergerticket.cli import main

    case = open_case(subject="Glasscherben auf dem Spielplatz")
    assert (
        main(["search", "--org", "musterstadt", "--user", "s.wagner", "Spielplatz", "--json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 1
    assert data["hits"][0]["file_number"] == case.file_number
    assert "«Spielplatz»" in data["hits"][0]["snippet"] or data["hits"][0]["snippet"] == ""
    assert (
        main(["search", "--org", "musterstadt", "--user", "l.fischer", "Spielplatz", "--json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["hits"] == []
    assert main(["search", "--org", "musterstadt", "--status", "kaputt", "x"]) == 2
    assert "Unbekannter Status" in capsys.readouterr().err
    assert main(["search", "--org", "nirgendwo", "x"]) == 2


def test_index_maintenance_keeps_results(open_case, musterstadt):
    from buergerticket.records.search.indexer import merge_step, optimise

    case = open_case(subject="Hydrant undicht")
    merge_step()
    optimise()
    assert everything(musterstadt, "Hydrant") == [case.file_number]
