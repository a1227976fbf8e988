"""Process library packages between municipalities: export, import as draft, report."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from buergerticket.processes.models import ProcessModel, ProcessVersion
from buergerticket.processes.services import library
from tests.conftest import SHARED

pytestmark = pytest.mark.django_db

MIWG = SHARED / "bpmn-miwg"


def _files(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_package_has_models_and_metadata_with_checksums(shipped, musterstadt):
    package = library.export_package(musterstadt)
    files = _files(package)
    manifest = json.loads(files[library.MANIFEST])
    assert manifest["format"] == library.FORMAT
    assert manifest["organisation"] == {"slug": "musterstadt", "name": "Stadt Musterstadt"}
    entry = next(m for m in manifest["models"] if m["key"] == "steuer-hund")
    assert entry["service"] == {"code": "steuer-hund", "name": "Hundesteuer an- oder abmelden"}
    assert entry["version"] == 1 and entry["kind"] == "soll" and entry["four_eyes"] is True
    import hashlib

    for model in manifest["models"]:
        assert hashlib.sha256(files[model["file"]]).hexdigest() == model["sha256"]
    assert len(manifest["models"]) == 12  # one per service, no built-in defaults


def test_export_import_export_gives_the_same_model_files(shipped, musterstadt, stadtwerke, staff):
    # Musterstadt also documents a foreign model (ISO-8859-1) in its register.
    library.import_file(musterstadt, (MIWG / "A.4.0.bpmn").read_bytes(), file_name="A.4.0.bpmn")
    first = _files(library.export_package(musterstadt))
    report = library.import_package(
        stadtwerke, library.export_package(musterstadt), actor=staff("h.braun")
    )
    assert report.ok
    imported = ProcessVersion.objects.filter(
        model__organisation=stadtwerke, source__startswith="Bibliothek"
    )
    assert imported.count() == 13
    # Drafts: nothing published, never used by cases of the importing organisation.
    assert not imported.filter(status="veroeffentlicht").exists()
    keys = [m["key"] for m in json.loads(first[library.MANIFEST])["models"]]
    second = _files(
        library.export_package(
            stadtwerke,
            models=list(ProcessModel.objects.filter(organisation=stadtwerke, key__in=keys)),
        )
    )
    assert {n: d for n, d in first.items() if n != library.MANIFEST} == {
        n: d for n, d in second.items() if n != library.MANIFEST
    }


def test_import_into_another_municipality_reports_what_does_not_fit(
    shipped, musterstadt, stadtwerke
):
    package = library.export_package(
        musterstadt, service=musterstadt.services.get(code="maengel-strasse")
    )
    report = library.import_package(stadtwerke, package).as_dict()
    [item] = report["imported"]
    assert item["key"] == "maengel-strasse" and item["service"] is None
    assert item["status"] == "ausfuehrbar"  # roles are ours; no department is named
    assert any(
        p["element_type"] == "service" and "maengel-strasse" in p["message"]
        for p in report["problems"]
    )


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"x.txt": b"hallo"}, "keine BPMN-Dateien"),
        ({library.MANIFEST: b"{kaputt"}, "kein gültiges JSON"),
        ({library.MANIFEST: json.dumps({"format": "anderes"}).encode()}, "Unbekanntes Paketformat"),
        (
            {
                library.MANIFEST: json.dumps(
                    {
                        "format": library.FORMAT,
                        "models": [{"key": "a", "file": "modelle/a.bpmn", "sha256": "0" * 64}],
                    }
                ).encode()
            },
            "fehlt im Paket",
        ),
        (
            {
                "../../etc/passwd.bpmn": b"x",
                library.MANIFEST: json.dumps({"format": library.FORMAT, "models": []}).encode(),
            },
            "Unzulässiger Pfad",
        ),
    ],
)
def test_broken_packages_never_crash_and_import_nothing(musterstadt, files, expected):
    report = library.import_package(musterstadt, _zip(files)).as_dict()
    assert report["ok"] is False
    assert expected in " ".join(p["message"] for p in report["problems"])
    assert not ProcessVersion.objects.exists()


def test_checksum_mismatch_skips_only_that_model(shipped, musterstadt, stadtwerke):
    files = _files(library.export_package(musterstadt))
    files["modelle/allgemein.bpmn"] = files["modelle/allgemein.bpmn"].replace(
        b"Anfrage beantworten", b"Manipuliert"
    )
    report = library.import_package(stadtwerke, _zip(files)).as_dict()
    assert report["ok"] is True
    assert "allgemein" not in {i["key"] for i in report["imported"]}
    assert any(
        "Prüfsumme" in p["message"] and p["file"] == "modelle/allgemein.bpmn"
        for p in report["problems"]
    )


def test_not_a_package_at_all(musterstadt):
    report = library.import_package(musterstadt, b"\x00\x01binary", file_name="x.zip").as_dict()
    assert report["ok"] is False
    assert "kein ZIP-Archiv" in report["problems"][0]["message"]


def test_invalid_bpmn_inside_a_package_is_reported_per_file(musterstadt):
    manifest = {
        "format": library.FORMAT,
        "models": [
            {
                "key": "kaputt",
                "file": "modelle/kaputt.bpmn",
                "sha256": __import__("hashlib").sha256(b"<nope").hexdigest(),
            },
            {
                "key": "ok",
                "file": "modelle/ok.bpmn",
                "sha256": __import__("hashlib")
                .sha256((MIWG / "A.1.0.bpmn").read_bytes())
                .hexdigest(),
            },
        ],
    }
    report = library.import_package(
        musterstadt,
        _zip(
            {
                library.MANIFEST: json.dumps(manifest).encode(),
                "modelle/kaputt.bpmn": b"<nope",
                "modelle/ok.bpmn": (MIWG / "A.1.0.bpmn").read_bytes(),
            }
        ),
    ).as_dict()
    assert [i["key"] for i in report["imported"]] == ["ok"]
    assert any(
        p["file"] == "modelle/kaputt.bpmn" and "kein gültiges XML" in p["message"]
        for p in report["problems"]
    )
