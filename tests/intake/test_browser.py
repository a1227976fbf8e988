"""Every page of the e-mail administration in real Chromium, checked with axe-core."""

from __future__ import annotations

import pytest
from django.utils import timezone

from buergerticket.intake.mail import secrets
from buergerticket.intake.models import Mailbox, MailboxState
from buergerticket.notify.bounces import record_bounce
from tests.browser import assert_accessible
from tests.intake import mails


@pytest.mark.django_db(transaction=True)
def test_mail_administration_pages_are_accessible(page, login_as, deliver, settings):
    settings.SECRETS_KEYS = [secrets.generate_key()]
    case = deliver(mails.message(subject="Laterne")).case
    deliver(mails.message(subject=f"Re: [{case.file_number}]", body="Nachtrag"))
    quarantined = deliver(mails.raw([("Subject", "Ohne Absender")], b"Text")).receipt
    record_bounce(case.organisation, "weg@example.org", permanent=True, status="5.1.1")
    box = Mailbox.objects.create(
        organisation=case.organisation,
        name="Bürgerservice",
        address="postfach@musterstadt.example",
        host="imap.musterstadt.example",
        username="postfach",
        secret=secrets.encrypt("x"),
    )
    MailboxState.objects.create(
        mailbox=box, last_error="Anmeldung abgelehnt", last_error_at=timezone.now()
    )
    login_as("admin")

    page.goto("/arbeitsplatz/eingang/")
    assert page.get_by_role("heading", level=1).inner_text() == "E-Mail-Eingang"
    assert page.get_by_role("link", name="E-Mail-Eingang").count() == 1
    assert_accessible(page)

    page.goto(f"/arbeitsplatz/eingang/postfaecher/{box.pk}/")
    assert_accessible(page)
    page.get_by_label("IMAP-Server").fill("")
    page.get_by_role("button", name="Speichern").click()
    assert page.locator(".kern-error").count() >= 1
    assert_accessible(page)

    page.goto("/arbeitsplatz/eingang/postfaecher/neu/")
    assert_accessible(page)

    page.goto("/arbeitsplatz/eingang/quarantaene/")
    assert "Ohne Absender" in page.content()
    assert_accessible(page)

    page.goto(f"/arbeitsplatz/eingang/nachrichten/{quarantined.pk}/")
    assert page.get_by_role("button", name="Erneut verarbeiten").count() == 1
    assert_accessible(page)
    page.get_by_role("button", name="Verwerfen").click()
    assert page.locator(".kern-error").count() == 1
    assert_accessible(page)

    page.goto("/arbeitsplatz/eingang/protokoll/")
    assert_accessible(page)

    page.goto("/arbeitsplatz/eingang/unzustellbar/")
    assert "weg@example.org" in page.content()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_case_page_with_mail_panel_is_accessible(page, login_as, deliver):
    case = deliver(mails.message(subject="Laterne")).case
    deliver(mails.message(subject=f"Re: [{case.file_number}]", body="Nachtrag"))
    login_as("m.yilmaz")
    page.goto(f"/arbeitsplatz/vorgaenge/{case.pk}/")
    assert page.get_by_role("heading", name="E-Mails zu diesem Vorgang").count() == 1
    assert_accessible(page)
