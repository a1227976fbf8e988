"""Tracking links, status and Bürgerpostfach: what the requester sees and does."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Message, MessageKind, Status
from buergerticket.notify.models import OutboxItem
from buergerticket.portal.models import TrackingLink

URL = "/musterstadt/leistungen/maengel-strasse/"


def submit(client, **extra) -> tuple[Case, str]:
    data = {
        "schadensart": "schlagloch",
        "location_address": "Hauptstraße 12",
        "email": "erika@example.org",
        "name": "Erika Mustermann",
        "privacy": "on",
        **extra,
    }
    response = client.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    html = client.get(response["Location"]).content.decode()
    url = re.search(r'value="http://[^"]+(/musterstadt/verfolgen/[^"/]+/)"', html).group(1)
    return Case.objects.latest("pk"), url


@pytest.mark.django_db
def test_tracking_link_opens_the_case_and_a_wrong_token_does_not(
    client, portal_catalog, django_user_model
):
    case, url = submit(client)
    visitor = client.__class__()
    response = visitor.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/musterstadt/anliegen/{case.pk}/"
    page = visitor.get(response["Location"])
    assert page.status_code == 200
    assert case.file_number in page.content.decode()
    assert "Eingegangen" in page.content.decode()

    stranger = client.__class__()
    assert stranger.get(url[:-5] + "xxxx/").status_code == 404
    # Without a link the case page is not reachable (redirect to login, then 404 for others).
    assert stranger.get(f"/musterstadt/anliegen/{case.pk}/").status_code == 302


@pytest.mark.django_db
def test_a_link_of_one_organisation_does_not_work_in_another(client, portal_catalog):
    _, url = submit(client)
    other = client.__class__()
    assert other.get(url.replace("/musterstadt/", "/stadtwerke/")).status_code == 404


@pytest.mark.django_db
def test_citizen_sees_replies_and_published_documents_never_notes(
    client, portal_catalog, staff, pdf_bytes
):
    case, url = submit(client)
    clerk = Actor.for_staff(staff("s.wagner"))
    services.add_note(case, actor=clerk, text="Intern: Bauhof fragen")
    services.add_reply(case, actor=clerk, body="Wir schauen uns das morgen an.")
    services.add_document(
        case,
        actor=clerk,
        document=services.NewDocument("intern.pdf", pdf_bytes, "application/pdf"),
    )
    services.add_document(
        case,
        actor=clerk,
        document=services.NewDocument("bescheid.pdf", pdf_bytes, "application/pdf"),
        published=True,
    )
    client.get(url)
    html = client.get(f"/musterstadt/anliegen/{case.pk}/").content.decode()
    assert "Wir schauen uns das morgen an." in html
    assert "Bauhof" not in html
    assert "bescheid.pdf" in html
    assert "intern.pdf" not in html
    published = case.documents.get(name="bescheid.pdf")
    hidden = case.documents.get(name="intern.pdf")
    response = client.get(f"/musterstadt/anliegen/{case.pk}/dokumente/{published.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes
    assert client.get(f"/musterstadt/anliegen/{case.pk}/dokumente/{hidden.pk}/").status_code == 404


@pytest.mark.django_db
def test_citizen_reply_and_documents_land_in_the_case(client, portal_catalog, staff, png_bytes):
    case, url = submit(client)
    clerk = Actor.for_staff(staff("s.wagner"))
    services.add_reply(case, actor=clerk, body="Bitte schicken Sie ein Foto.")
    services.set_status(case, actor=clerk, status=Status.WAITING)
    client.get(url)
    photo = SimpleUploadedFile("foto.png", png_bytes, content_type="image/png")
    response = client.post(
        f"/musterstadt/anliegen/{case.pk}/antworten/",
        {"body": "Hier ist das Foto.", "attachments": [photo]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    message = case.messages.filter(kind=MessageKind.INCOMING).latest("pk")
    assert message.body == "Hier ist das Foto."
    assert message.channel == "portal"
    assert [d.name for d in message.documents.all()] == ["foto.png"]
    # The answer the case waited for resumes it.
    assert case.status == Status.IN_PROGRESS
    assert case.events.filter(type="message_received", actor_kind="requester").exists()


@pytest.mark.django_db
def test_reply_without_text_or_file_is_refused_in_german(client, portal_catalog):
    case, url = submit(client)
    client.get(url)
    response = client.post(f"/musterstadt/anliegen/{case.pk}/antworten/", {"body": "  "})
    assert response.status_code == 400
    assert "Bitte schreiben Sie eine Nachricht" in response.content.decode()


@pytest.mark.django_db
def test_reply_rejects_a_file_that_is_not_what_its_name_says(client, portal_catalog):
    case, url = submit(client)
    client.get(url)
    fake = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00 this is an exe", content_type="image/jpeg")
    response = client.post(
        f"/musterstadt/anliegen/{case.pk}/antworten/", {"body": "Foto", "attachments": [fake]}
    )
    assert response.status_code == 400
    assert "Dieser Dateityp ist nicht erlaubt" in response.content.decode()
    assert not case.messages.filter(body="Foto").exists()


@pytest.mark.django_db
def test_staff_reply_notification_links_to_the_portal(client, portal_catalog, staff, outbox_mails):
    case, _ = submit(client)
    services.add_reply(case, actor=Actor.for_staff(staff("s.wagner")), body="Erledigt morgen.")
    mail = outbox_mails("erika@example.org")[-1]
    assert "Erledigt morgen." in mail["body"]
    link = re.search(r"(http://\S+/musterstadt/verfolgen/\S+/)", mail["body"]).group(1)
    # A fresh link (only hashes are stored), and it works.
    fresh = client.__class__()
    assert fresh.get(link.replace("http://127.0.0.1:8000", "")).status_code == 302
    assert TrackingLink.objects.filter(case=case, purpose="reply").count() == 1


@pytest.mark.django_db
def test_sensitive_service_notification_carries_no_content(
    client, portal_catalog, staff, outbox_mails
):
    response = client.post(
        "/musterstadt/leistungen/ordnung-laerm/",
        {
            "quelle": "baustelle",
            "ort_quelle": "Lindenallee 3",
            "zeiten": "sonntags ab 7 Uhr",
            "email": "nachbar@example.org",
            "privacy": "on",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    services.add_reply(
        case, actor=Actor.for_staff(staff("l.fischer")), body="Der Bauherr heißt Meier."
    )
    mail = outbox_mails("nachbar@example.org")[-1]
    assert "Meier" not in mail["body"] and "Meier" not in mail["subject"]
    assert "/musterstadt/verfolgen/" in mail["body"]


@pytest.mark.django_db
def test_requester_can_revoke_their_links(client, portal_catalog):
    case, url = submit(client)
    client.get(url)
    response = client.post(f"/musterstadt/anliegen/{case.pk}/links-sperren/")
    assert "Alle Links sind gesperrt" in response.content.decode()
    assert client.get(f"/musterstadt/anliegen/{case.pk}/").status_code in (302, 404)
    assert client.__class__().get(url).status_code == 404
    assert case.events.filter(type="tracking_links_revoked").exists()


@pytest.mark.django_db
def test_lost_link_is_sent_only_to_the_address_of_the_case(client, portal_catalog, outbox_mails):
    case, _ = submit(client)
    before = len(outbox_mails())
    client.post(
        "/musterstadt/link-anfordern/",
        {"file_number": case.file_number, "email": "someone@example.org"},
    )
    assert len(outbox_mails()) == before
    response = client.post(
        "/musterstadt/link-anfordern/",
        {"file_number": case.file_number, "email": "Erika@Example.org"},
    )
    assert "Bitte prüfen Sie Ihr E-Mail-Postfach" in response.content.decode()
    mail = outbox_mails("erika@example.org")[-1]
    assert "/musterstadt/verfolgen/" in mail["body"]


@pytest.mark.django_db
def test_wrong_tokens_are_rate_limited(client, portal_catalog, settings):
    settings.PORTAL_TRACKING_FAILURE_LIMIT = 3
    for _ in range(3):
        assert client.get("/musterstadt/verfolgen/falsch/").status_code == 404
    assert client.get("/musterstadt/verfolgen/falsch/").status_code == 429


@pytest.mark.django_db
def test_closed_case_reopens_on_a_portal_reply(client, portal_catalog, staff):
    case, url = submit(client)
    services.set_status(case, actor=Actor.for_staff(staff("s.wagner")), status=Status.CLOSED)
    client.get(url)
    response = client.post(
        f"/musterstadt/anliegen/{case.pk}/antworten/", {"body": "Loch ist wieder da"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status != Status.CLOSED
    assert Message.objects.filter(case=case, body="Loch ist wieder da").exists()
    assert OutboxItem.objects.exists()


@pytest.mark.django_db
def test_reply_mail_is_plain_text_not_html_escaped(client, portal_catalog, staff, outbox_mails):
    submit(client)
    case = Case.objects.get()
    services.add_reply(case, actor=Actor.for_staff(staff("s.wagner")), body="Müller & Söhne <Bau>")
    assert "Müller & Söhne <Bau>" in outbox_mails("erika@example.org")[-1]["body"]


@pytest.mark.django_db
def test_done_button_makes_the_browser_forget_the_case(client, portal_catalog):
    case, url = submit(client)
    client.get(url)
    assert client.get(f"/musterstadt/anliegen/{case.pk}/").status_code == 200
    response = client.post("/musterstadt/anliegen/vergessen/")
    assert response.status_code == 302
    assert client.get(f"/musterstadt/anliegen/{case.pk}/").status_code == 302  # to login
    assert client.get("/musterstadt/eingangsbestaetigung/").status_code == 302  # receipt gone
    # The link itself still works (it was not revoked).
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_mail_others_wrote_into_the_case_stays_out_of_the_mailbox(
    client, portal_catalog, staff, pdf_bytes
):
    from buergerticket.intake.mail.ingest import Delivery, ingest
    from tests.intake import mails

    case, url = submit(client)
    colleague = staff("s.wagner")
    colleague.email = "s.wagner@musterstadt.example"
    colleague.save()
    receipt_id = OutboxItem.objects.get(case=case, dedupe_key=f"receipt:{case.pk}").message_id
    sent = [
        ("Erika Mustermann <erika@example.org>", f"[{case.file_number}] Foto", "", "eigene.pdf"),
        ("Sabine Wagner <s.wagner@musterstadt.example>", f"[{case.file_number}] Bauhof", "", ""),
        ("Nachbar <nachbar@example.net>", "AW: Eingangsbestätigung", receipt_id, "fremde.pdf"),
    ]
    for sender, subject, in_reply_to, attachment in sent:
        raw = mails.message(
            sender=sender,
            subject=subject,
            body=f"Text von {sender.split()[0]}",
            in_reply_to=in_reply_to,
            attachments=[(attachment, "application/pdf", pdf_bytes)] if attachment else [],
        )
        outcome = ingest(raw, organisation=case.organisation, delivery=Delivery(kind="file"))
        assert (outcome.result, outcome.case.pk) == ("threaded", case.pk), outcome.as_dict()
    client.get(url)
    html = client.get(f"/musterstadt/anliegen/{case.pk}/").content.decode()
    assert "Text von Erika" in html and "eigene.pdf" in html
    assert "Text von Sabine" not in html
    assert "Text von Nachbar" not in html and "fremde.pdf" not in html
    foreign = case.documents.get(name="fremde.pdf")
    assert client.get(f"/musterstadt/anliegen/{case.pk}/dokumente/{foreign.pk}/").status_code == 404
    # The clerk sees all three, the hidden ones marked.
    client.force_login(colleague.user)
    page = client.get(f"/arbeitsplatz/vorgaenge/{case.pk}/").content.decode()
    assert "Text von Nachbar" in page
    assert page.count("nicht im Bürgerpostfach") == 2
    assert list(
        Message.objects.filter(case=case, kind=MessageKind.INCOMING)
        .order_by("pk")
        .values_list("shared", flat=True)
    ) == [True, True, False, False]
    # The clerk decides to show the neighbour's mail after all.
    neighbour = Message.objects.get(case=case, body__startswith="Text von Nachbar")
    assert "Nachricht von Nachbar" in page
    response = client.post(f"/arbeitsplatz/postfach/{case.pk}/nachricht/{neighbour.pk}/freigeben/")
    assert response.status_code == 302
    assert case.events.filter(type="message_shared").count() == 1
    citizen = client.__class__()
    citizen.get(url)
    html = citizen.get(f"/musterstadt/anliegen/{case.pk}/").content.decode()
    assert "Text von Nachbar" in html and "fremde.pdf" in html
    assert "Text von Sabine" not in html
