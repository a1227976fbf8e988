"""Upload checks: type by content, size, virus scan over clamd's real socket protocol."""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from buergerticket.cases.models import Case
from buergerticket.portal import clamd, uploads
from tests.portal.clamd_server import FakeClamd
from tests.portal.conftest import EICAR

URL = "/musterstadt/leistungen/maengel-strasse/"
FORM = {
    "schadensart": "schlagloch",
    "location_address": "Hauptstraße 1",
    "privacy": "on",
}


def test_type_comes_from_content_not_name(png_bytes, pdf_bytes):
    assert uploads.check_content("scan.jpg", pdf_bytes).content_type == "application/pdf"
    assert uploads.check_content("scan.jpg", pdf_bytes).name == "scan.pdf"
    assert uploads.check_content("../../etc/foto.png", png_bytes).name == "foto.png"
    with pytest.raises(uploads.UploadRejected, match="Dateityp ist nicht erlaubt"):
        uploads.check_content("rechnung.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(uploads.UploadRejected, match="Dateityp ist nicht erlaubt"):
        uploads.check_content("bild.png", b"GIF89a" + b"\0" * 64)


def test_a_truncated_image_is_rejected(png_bytes):
    with pytest.raises(uploads.UploadRejected, match="beschädigt"):
        uploads.check_content("foto.png", png_bytes[:40])


def test_size_limit(settings, png_bytes):
    settings.PORTAL_UPLOAD_MAX_BYTES = len(png_bytes) - 1
    with pytest.raises(uploads.UploadRejected, match="zu groß"):
        uploads.check_content("foto.png", png_bytes)


@pytest.mark.parametrize("transport", ["unix", "tcp"])
def test_clamd_client_gets_verdicts(tmp_path, transport, pdf_bytes):
    with FakeClamd(tmp_path / "clamd.sock" if transport == "unix" else None) as server:
        assert clamd.ping(server.address)
        assert clamd.scan(server.address, pdf_bytes).clean
        big = pdf_bytes + b"\0" * 200_000  # several INSTREAM chunks
        assert clamd.scan(server.address, big).clean
        infected = clamd.scan(server.address, EICAR)
        assert not infected.clean
        assert infected.signature == "Win.Test.EICAR_HDB-1"
        assert server.scanned[1] == len(big)


@pytest.mark.django_db
def test_infected_upload_is_rejected_and_logged(
    client, portal_catalog, settings, tmp_path, caplog, png_bytes
):
    # EICAR inside a real PDF, so it passes the type check and only the scanner can catch it.
    infected_pdf = b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n"
    with FakeClamd(tmp_path / "clamd.sock") as server:
        settings.CLAMD = server.address
        caplog.set_level(logging.WARNING, logger="buergerticket.portal.uploads")
        files = [
            SimpleUploadedFile("virus.pdf", infected_pdf, content_type="application/pdf"),
            SimpleUploadedFile("foto.png", png_bytes, content_type="image/png"),
        ]
        response = client.post(URL, {**FORM, "attachments": files})
        assert response.status_code == 400
        html = response.content.decode()
        assert "enthält Schadsoftware und wurde abgelehnt" in html
        assert "Infizierte Datei abgelehnt: 'virus.pdf' (Win.Test.EICAR_HDB-1)" in caplog.text
        assert not Case.objects.exists()
        # The clean photo was scanned too and is kept for the corrected form.
        assert len(server.scanned) == 2
        assert "„foto.png“ entfernen" in html


@pytest.mark.django_db
def test_unreachable_scanner_accepts_nothing_unscanned(
    client, portal_catalog, settings, tmp_path, png_bytes
):
    settings.CLAMD = str(tmp_path / "missing.sock")
    photo = SimpleUploadedFile("foto.png", png_bytes, content_type="image/png")
    response = client.post(URL, {**FORM, "attachments": [photo], "text": "Bitte reparieren"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Virenprüfung ist gerade nicht erreichbar" in html
    assert "Bitte reparieren" in html
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_too_many_files(client, portal_catalog, settings, png_bytes):
    settings.PORTAL_UPLOAD_MAX_FILES = 1
    files = [SimpleUploadedFile(f"f{i}.png", png_bytes, content_type="image/png") for i in range(2)]
    response = client.post(URL, {**FORM, "attachments": files})
    assert response.status_code == 400
    assert "höchstens 1 Dateien" in response.content.decode()


@pytest.mark.django_db
def test_kept_uploads_of_abandoned_forms_are_purged(client, portal_catalog, png_bytes):
    import datetime as dt

    from django.utils import timezone

    from buergerticket.core import jobs
    from buergerticket.portal.models import PendingUpload

    photo = SimpleUploadedFile("foto.png", png_bytes, content_type="image/png")
    client.post(URL, {"schadensart": "schlagloch", "attachments": [photo]})  # no location: error
    kept = PendingUpload.objects.get()
    path = kept.file.path
    jobs.get("portal.purge_pending_uploads").func()
    assert PendingUpload.objects.exists()  # still fresh
    PendingUpload.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    jobs.get("portal.purge_pending_uploads").func()
    assert not PendingUpload.objects.exists()
    import os

    assert not os.path.exists(path)
