"""Staff side of the Bürgerpostfach in the workspace: publish, upload, reply with documents."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import MessageKind
from buergerticket.portal import tracking


@pytest.fixture
def case(portal_catalog, open_case):
    return open_case("maengel-strasse")


@pytest.mark.django_db
def test_case_page_shows_the_mailbox_panel(client, case, staff):
    client.force_login(staff("s.wagner").user)
    html = client.get(f"/arbeitsplatz/vorgaenge/{case.pk}/").content.decode()
    assert "Bürgerpostfach" in html
    assert f"/arbeitsplatz/postfach/{case.pk}/dokument/" in html


@pytest.mark.django_db
def test_clerk_publishes_an_uploaded_decision(client, case, staff, pdf_bytes):
    client.force_login(staff("s.wagner").user)
    upload = SimpleUploadedFile("Bescheid.pdf", pdf_bytes, content_type="application/pdf")
    response = client.post(f"/arbeitsplatz/postfach/{case.pk}/dokument/", {"file": upload})
    assert response.status_code == 302
    document = case.documents.get()
    assert document.published
    assert case.events.filter(type="document_added", details__published=True).exists()


@pytest.mark.django_db
def test_clerk_publishes_an_existing_document(client, case, staff, pdf_bytes):
    clerk = staff("s.wagner")
    document = services.add_document(
        case,
        actor=Actor.for_staff(clerk),
        document=services.NewDocument("gutachten.pdf", pdf_bytes, "application/pdf"),
    )
    client.force_login(clerk.user)
    response = client.post(
        f"/arbeitsplatz/postfach/{case.pk}/dokument/{document.pk}/veroeffentlichen/"
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.published


@pytest.mark.django_db
def test_clerk_replies_with_documents(client, case, staff, pdf_bytes):
    client.force_login(staff("s.wagner").user)
    upload = SimpleUploadedFile("Plan.pdf", pdf_bytes, content_type="application/pdf")
    response = client.post(
        f"/arbeitsplatz/postfach/{case.pk}/antwort/",
        {"body": "Anbei der Reparaturplan.", "attachments": [upload]},
    )
    assert response.status_code == 302
    message = case.messages.get(kind=MessageKind.OUTGOING)
    assert message.body == "Anbei der Reparaturplan."
    assert [(d.name, d.published) for d in message.documents.all()] == [("Plan.pdf", True)]


@pytest.mark.django_db
def test_clerk_upload_is_checked_too(client, case, staff):
    client.force_login(staff("s.wagner").user)
    upload = SimpleUploadedFile("Bescheid.pdf", b"not a pdf", content_type="application/pdf")
    response = client.post(
        f"/arbeitsplatz/postfach/{case.pk}/dokument/", {"file": upload}, follow=True
    )
    assert "Dateityp ist nicht erlaubt" in response.content.decode()
    assert not case.documents.exists()


@pytest.mark.django_db
def test_other_departments_cannot_use_the_panel(client, case, staff, pdf_bytes):
    client.force_login(staff("l.fischer").user)  # Ordnungsamt, not Tiefbau
    upload = SimpleUploadedFile("x.pdf", pdf_bytes, content_type="application/pdf")
    assert (
        client.post(f"/arbeitsplatz/postfach/{case.pk}/dokument/", {"file": upload}).status_code
        == 404
    )
    assert not case.documents.exists()


@pytest.mark.django_db
def test_clerk_revokes_private_links(client, case, staff):
    token = tracking.new_token()
    tracking.store(case, token, "receipt")
    client.force_login(staff("s.wagner").user)
    client.post(f"/arbeitsplatz/postfach/{case.pk}/links-sperren/")
    assert tracking.find(token) is None
    assert case.events.filter(type="tracking_links_revoked", actor_kind="staff").exists()
