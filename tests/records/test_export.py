"""``buergerticket case export``: a self-contained archival package."""

from __future__ import annotations

import hashlib
import io
import json
import xml.etree.ElementTree as ET
import zipfile

import pytest
from reportlab.pdfgen import canvas

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.services import NewDocument
from buergerticket.cli import main
from buergerticket.records.export import pdfa
from buergerticket.records.export.package import verify_package

NS = {"x": "urn:xoev-de:xdomea:schema:3.0.0"}


def _pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(72, 720, text)
    sheet.save()
    return buffer.getvalue()


@pytest.fixture
def finished_case(open_case, staff):
    case = open_case(
        subject="Schlagloch Hauptstraße",
        attachments=[NewDocument("foto.pdf", _pdf("Beweisfoto"), "application/pdf")],
    )
    clerk = Actor.for_staff(staff("s.wagner"))
    services.add_note(case, actor=clerk, text="Bauhof beauftragt")
    services.add_reply(case, actor=clerk, body="Das Schlagloch wurde verfüllt.")
    services.set_status(case, actor=clerk, status="abgeschlossen")
    return case


def test_cli_writes_a_complete_package(finished_case, tmp_path, capsys):
    out = tmp_path / "paket.zip"
    status = main(["case", "export", finished_case.file_number, "--org", "musterstadt", str(out)])
    assert status == 0, capsys.readouterr().err
    report = json.loads(capsys.readouterr().out)
    data = out.read_bytes()
    assert report["sha256"] == hashlib.sha256(data).hexdigest()
    assert verify_package(data) == []
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    xml_name = next(n for n in names if n.endswith("_Aussonderung.Aussonderung.0503.xml"))
    root = ET.fromstring(archive.read(xml_name))  # noqa: S314 - our own output
    assert root.find("x:Kopf/x:Nachrichtentyp/code", NS).text == "0503"
    vorgang = root.find("x:Schriftgutobjekt/x:Vorgang", NS)
    assert vorgang.find("x:AllgemeineMetadaten/x:Kennzeichen", NS).text == finished_case.file_number
    assert (
        vorgang.find("x:AllgemeineMetadaten/x:Aktenplaneinheit/x:Kennzeichen", NS).text
        == "66.10.01"
    )
    assert vorgang.find("x:Laufzeit/x:Ende", NS) is not None
    primary = vorgang.findall("x:Dokument/x:Version/x:Format/x:Primaerdokument/x:Dateiname", NS)
    assert all(p.text in names for p in primary) and primary
    history = json.loads(archive.read("verlauf.json"))
    assert history["chain_intact"] is True
    assert [e["type"] for e in history["events"]][:2] == ["intake", "assigned"]
    assert (
        history["events"][-1]["hash"]
        == finished_case.__class__.objects.get(pk=finished_case.pk).last_event_hash
    )
    metadata = json.loads(archive.read("vorgang.json"))
    assert metadata["file_number"] == finished_case.file_number
    assert metadata["requester_name"] == "Erika Mustermann"
    messages = [n for n in names if n.startswith("nachrichten/")]
    assert len(messages) == 3  # intake, note, reply
    assert "Bauhof beauftragt" in "".join(archive.read(n).decode() for n in messages)
    assert any(n.startswith("dokumente/") and n.endswith("foto.pdf") for n in names)
    assert archive.read("vorgang.pdf").startswith(b"%PDF")


def test_pdfa_renditions_when_ghostscript_is_there(finished_case):
    from tests.conftest import require_tool

    require_tool("gs", "Ghostscript")
    from buergerticket.records.export.package import build

    package = build(finished_case)
    assert package.pdfa
    archive = zipfile.ZipFile(io.BytesIO(package.data))
    from pypdf import PdfReader

    for name in ["vorgang.pdf", *[n for n in archive.namelist() if n.endswith(".pdfa.pdf")]]:
        reader = PdfReader(io.BytesIO(archive.read(name)))
        assert "/OutputIntents" in reader.trailer["/Root"], name
        xmp = reader.xmp_metadata.stream.get_data().decode()
        assert "pdfaid:part" in xmp, name
    assert pdfa.available()


def test_tampered_package_is_detected(finished_case):
    from buergerticket.records.export.package import build

    package = build(finished_case, convert=False)
    source = zipfile.ZipFile(io.BytesIO(package.data))
    tampered = io.BytesIO()
    with zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(
                name, data.replace(b"Bauhof", b"Rathaus") if "nachrichten" in name else data
            )
    assert any("Prüfsumme" in p for p in verify_package(tampered.getvalue()))


def test_export_refuses_bad_input(finished_case, tmp_path, capsys):
    assert (
        main(["case", "export", "gibts-nicht", "--org", "musterstadt", str(tmp_path / "a.zip")])
        == 2
    )
    assert "gibt es in musterstadt nicht" in capsys.readouterr().err
    assert (
        main(
            ["case", "export", finished_case.file_number, "--org", "musterstadt", "/nirgends/a.zip"]
        )
        == 2
    )
    existing = tmp_path / "b.zip"
    existing.write_bytes(b"x")
    assert (
        main(["case", "export", finished_case.file_number, "--org", "musterstadt", str(existing)])
        == 2
    )
    assert existing.read_bytes() == b"x"
