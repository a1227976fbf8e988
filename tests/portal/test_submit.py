"""Submitting a request through the portal: case, receipt page, receipt mail, tracking link."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from buergerticket.cases.models import Case, CaseEvent
from buergerticket.portal.models import TrackingLink
from buergerticket.portal.tracking import token_hash

URL = "/musterstadt/leistungen/maengel-strasse/"


def defect(**extra):
    data = {
        "schadensart": "schlagloch",
        "text": "Tiefes Loch vor der Bäckerei.",
        "location_address": "Hauptstraße 12",
        "email": "erika@example.org",
        "name": "Erika Mustermann",
        "privacy": "on",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_catalog_lists_public_services_with_facts(client, portal_catalog):
    response = client.get("/musterstadt/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Straßenschaden melden" in html
    assert "Hundesteuer an- oder abmelden" in html
    assert "IT-Störung" not in html  # internal
    assert "Gebühr 10,00 €" in html
    assert "/musterstadt/hilfe/" in html


@pytest.mark.django_db
def test_unknown_organisation_is_404(client, portal_catalog):
    assert client.get("/nirgendwo/").status_code == 404


@pytest.mark.django_db
def test_submission_opens_case_and_shows_receipt_after_commit(
    client, portal_catalog, png_bytes, outbox_mails
):
    photo = SimpleUploadedFile("loch.jpg", png_bytes, content_type="image/jpeg")
    response = client.post(URL, {**defect(), "attachments": [photo]})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "portal"
    assert case.service.code == "maengel-strasse"
    assert case.subject == "Straßenschaden melden: Hauptstraße 12"
    assert case.location_address == "Hauptstraße 12"
    assert case.form_data == {"schadensart": "schlagloch", "gefahr": False}
    assert case.requester_email == "erika@example.org"
    document = case.documents.get()
    # The type comes from the content: a PNG named .jpg is stored as PNG.
    assert (document.name, document.content_type) == ("loch.png", "image/png")

    receipt = client.get(response["Location"])
    html = receipt.content.decode()
    assert case.file_number in html
    assert "Straßenschaden melden" in html
    assert case.deadline.strftime("%d.%m.%Y") in html
    link = re.search(r'value="(http://[^"]+/musterstadt/verfolgen/([^"/]+)/)"', html)
    assert link, html
    url, token = link.groups()

    # The receipt mail was queued with the case and carries the same link.
    (mail,) = outbox_mails("erika@example.org")
    assert case.file_number in mail["subject"]
    assert url in mail["body"]
    assert (
        "Voraussichtliche Entscheidung bis: " + case.deadline.strftime("%d.%m.%Y") in mail["body"]
    )

    # Only the hash is stored.
    stored = TrackingLink.objects.get(case=case)
    assert stored.token_hash == token_hash(token)
    assert not TrackingLink.objects.filter(token_hash=token).exists()
    assert not CaseEvent.objects.filter(details__icontains=token).exists()


@pytest.mark.django_db
def test_anonymous_without_email_still_gets_a_link(client, portal_catalog, outbox_mails):
    response = client.post(URL, defect(email="", name=""))
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "/musterstadt/verfolgen/" in html
    assert TrackingLink.objects.count() == 1
    assert outbox_mails() == []


@pytest.mark.django_db
def test_validation_errors_keep_everything_typed(client, portal_catalog, png_bytes):
    photo = SimpleUploadedFile("foto.png", png_bytes, content_type="image/png")
    data = defect(schadensart="sonstiges", location_address="", privacy="")
    response = client.post(URL, {**data, "attachments": [photo]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Bitte geben Sie den Ort an" in html
    assert "Bitte bestätigen Sie die Datenschutzhinweise." in html
    # The conditional field became required because "Sonstiges" was chosen.
    assert "Dieses Feld ist zwingend erforderlich." in html
    assert "Tiefes Loch vor der Bäckerei." in html
    assert 'value="erika@example.org"' in html
    assert 'value="sonstiges" selected' in html
    # The photo passed its checks and is kept for the next try.
    assert "„foto.png“ entfernen" in html
    kept = re.search(r'name="kept" value="([^"]+)"', html).group(1)
    assert not Case.objects.exists()

    response = client.post(
        URL,
        {
            **data,
            "kept": kept,
            "schaden_sonstiges": "Bordstein lose",
            "location_address": "Am Markt 1",
            "privacy": "on",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.form_data["schaden_sonstiges"] == "Bordstein lose"
    assert [d.name for d in case.documents.all()] == ["foto.png"]


@pytest.mark.django_db
def test_a_point_on_the_map_is_enough_as_location(client, portal_catalog):
    response = client.post(
        URL, defect(location_address="", latitude="51.2345678", longitude="7.1234567")
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (str(case.latitude), str(case.longitude)) == ("51.234568", "7.123457")


@pytest.mark.django_db
def test_conditional_fields_that_do_not_apply_are_dropped(client, portal_catalog):
    response = client.post(URL, defect(schaden_sonstiges="sollte weg sein"))
    assert response.status_code == 302
    assert "schaden_sonstiges" not in Case.objects.get().form_data


@pytest.mark.django_db
def test_honeypot_rejects_bots_without_a_case(client, portal_catalog):
    response = client.post(URL, defect(website="http://spam.example"))
    assert response.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_rate_limit_per_address(client, portal_catalog, settings):
    settings.PORTAL_SUBMIT_LIMIT_IP = 2
    assert client.post(URL, defect()).status_code == 302
    assert client.post(URL, defect()).status_code == 302
    response = client.post(URL, defect(text="Noch ein Loch"))
    assert response.status_code == 429
    html = response.content.decode()
    assert "sehr viele Anfragen" in html
    assert "Noch ein Loch" in html
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_user_supplied_text_is_escaped(client, portal_catalog):
    response = client.post(
        URL, defect(text="<script>alert(1)</script>", location_address="<b>x</b>")
    )
    receipt = client.get(response["Location"]).content.decode()
    assert "<b>x</b>" not in receipt
    # "Zum Anliegen" goes through the private link, which opens the case in this session.
    link = re.search(r'href="(/musterstadt/verfolgen/[^"]+/)"', receipt).group(1)
    page = client.get(link, follow=True).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert "<b>x</b>" not in page


@pytest.mark.django_db
def test_service_needing_an_account_asks_to_log_in(client, portal_catalog):
    response = client.get("/musterstadt/leistungen/steuer-hund/")
    assert "Für diese Leistung brauchen Sie ein Konto." in response.content.decode()
    client.post("/musterstadt/leistungen/steuer-hund/", {"vorgang": "abmelden", "privacy": "on"})
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_pages_send_strict_security_headers(client, portal_catalog):
    response = client.get(URL)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "default-src 'self'" in csp
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert "https://" not in html.replace("https://www.w3.org", "")


@pytest.mark.django_db
def test_refused_submissions_keep_no_files(client, portal_catalog, settings, png_bytes):
    from buergerticket.portal.models import PendingUpload

    settings.PORTAL_SUBMIT_LIMIT_IP = 0
    photo = SimpleUploadedFile("foto.png", png_bytes, content_type="image/png")
    response = client.post(URL, {**defect(), "attachments": [photo]})
    assert response.status_code == 429
    assert not PendingUpload.objects.exists()
    settings.PORTAL_SUBMIT_LIMIT_IP = 100
    photo = SimpleUploadedFile("foto.png", png_bytes, content_type="image/png")
    client.post(URL, {**defect(website="x"), "attachments": [photo]})
    assert not PendingUpload.objects.exists()
