"""The e-mail administration in the workspace: only administrators, only their organisation."""

from __future__ import annotations

import pytest
from django.test import Client

from buergerticket.intake.mail import secrets
from buergerticket.intake.models import Mailbox, MailReceipt
from buergerticket.notify.bounces import is_blocked, record_bounce
from buergerticket.org.models import Department, Staff, User
from tests.intake import mails

pytestmark = pytest.mark.django_db
KEY = secrets.generate_key()


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def admin(catalog, settings) -> Client:
    settings.SECRETS_KEYS = [KEY]
    return _client("admin")


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Bürgerservice",
        "address": "postfach@musterstadt.example",
        "enabled": "on",
        "host": "imap.musterstadt.example",
        "port": "993",
        "security": "tls",
        "username": "postfach",
        "auth": "password",
        "secret_mode": "encrypt",
        "password": "S3hr-geheim",
        "secret_env": "",
        "folder": "INBOX",
        "done_action": "move",
        "done_folder": "Bürgerticket/Erledigt",
        "quarantine_folder": "Bürgerticket/Quarantäne",
        "import_existing": "on",
        "mode": "idle",
        "poll_seconds": "60",
        "max_megabytes": "25",
    }
    data.update(overrides)
    return data


def test_only_administrators_reach_the_mail_area(catalog):
    assert _client("s.wagner").get("/arbeitsplatz/eingang/").status_code == 403
    page = _client("admin").get("/arbeitsplatz/eingang/")
    assert page.status_code == 200
    assert b'href="/arbeitsplatz/eingang/"' in page.content  # navigation entry
    clerk_page = _client("s.wagner").get("/arbeitsplatz/vorgaenge/")
    assert b"/arbeitsplatz/eingang/" not in clerk_page.content


def test_password_is_stored_encrypted_and_never_shown(admin):
    response = admin.post("/arbeitsplatz/eingang/postfaecher/neu/", _form())
    assert response.status_code == 302
    box = Mailbox.objects.get()
    assert box.secret.startswith("fernet:") and "S3hr-geheim" not in box.secret
    assert secrets.reveal(box.secret) == "S3hr-geheim"
    page = admin.get(f"/arbeitsplatz/eingang/postfaecher/{box.pk}/")
    assert b"S3hr-geheim" not in page.content
    assert "verschlüsselt gespeichert" in page.content.decode()
    # Saving again without touching the secret keeps it.
    admin.post(
        f"/arbeitsplatz/eingang/postfaecher/{box.pk}/", _form(secret_mode="keep", password="")
    )
    box.refresh_from_db()
    assert secrets.reveal(box.secret) == "S3hr-geheim"


def test_environment_reference_and_missing_key(admin, settings):
    settings.SECRETS_KEYS = []
    response = admin.post("/arbeitsplatz/eingang/postfaecher/neu/", _form())
    assert response.status_code == 400
    assert "BUERGERTICKET_SECRETS_KEYS" in response.content.decode()
    response = admin.post(
        "/arbeitsplatz/eingang/postfaecher/neu/",
        _form(secret_mode="env", password="", secret_env="BT_MAIL_PW"),
    )
    assert response.status_code == 302
    assert Mailbox.objects.get().secret == "env:BT_MAIL_PW"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"security": "none"}, "nur für einen Server auf demselben Rechner"),
        ({"auth": "oauth2"}, "Client-ID"),
        ({"password": ""}, "Bitte das Passwort"),
        ({"poll_seconds": "1"}, "größer oder gleich 10"),
    ],
)
def test_invalid_mailbox_settings_are_explained(admin, overrides, message):
    response = admin.post("/arbeitsplatz/eingang/postfaecher/neu/", _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'value="imap.musterstadt.example"' in response.content.decode()  # input kept
    assert not Mailbox.objects.exists()


def test_other_organisations_mailboxes_and_mails_are_invisible(admin, stadtwerke, deliver):
    box = Mailbox.objects.create(
        organisation=stadtwerke,
        name="Kundenservice",
        address="kunden@stadtwerke-musterstadt.example",
        host="imap.example",
        username="k",
    )
    outcome = deliver(b"", org="stadtwerke")
    assert admin.get(f"/arbeitsplatz/eingang/postfaecher/{box.pk}/").status_code == 404
    assert admin.get(f"/arbeitsplatz/eingang/nachrichten/{outcome.receipt.pk}/").status_code == 404
    assert (
        admin.post(f"/arbeitsplatz/eingang/nachrichten/{outcome.receipt.pk}/erneut/").status_code
        == 404
    )
    assert b"kunden@stadtwerke" not in admin.get("/arbeitsplatz/eingang/").content


def test_quarantine_shows_reason_and_original_and_retries_after_a_fix(admin, deliver):
    from buergerticket.catalog.models import Service

    Service.objects.filter(code="allgemein").update(active=False)
    raw = mails.message(subject="Quarantänefall")
    outcome = deliver(raw)
    receipt = outcome.receipt
    listing = admin.get("/arbeitsplatz/eingang/quarantaene/").content.decode()
    assert "Quarantänefall" in listing and "keine Auffangleistung" in listing
    detail = admin.get(f"/arbeitsplatz/eingang/nachrichten/{receipt.pk}/").content.decode()
    assert "Die Laterne vor Hausnummer 5" in detail  # the readable text, escaped
    download = admin.get(f"/arbeitsplatz/eingang/nachrichten/{receipt.pk}/original/")
    assert b"".join(download.streaming_content) == raw
    Service.objects.filter(code="allgemein").update(active=True)
    response = admin.post(f"/arbeitsplatz/eingang/nachrichten/{receipt.pk}/erneut/", follow=True)
    assert "Übernommen: neuer Vorgang" in response.content.decode()
    receipt.refresh_from_db()
    assert receipt.result == "created" and receipt.resolution == "retried"
    assert receipt.resolved_by.user.username == "admin"
    assert "Quarantänefall" not in admin.get("/arbeitsplatz/eingang/quarantaene/").content.decode()


def test_discarding_needs_a_reason(admin, deliver):
    receipt = deliver(mails.raw([("Subject", "Spam")], b"x")).receipt
    url = f"/arbeitsplatz/eingang/nachrichten/{receipt.pk}/verwerfen/"
    assert admin.post(url, {"note": ""}).status_code == 400
    assert admin.post(url, {"note": "Werbung"}).status_code == 302
    receipt = MailReceipt.objects.get(pk=receipt.pk)
    assert receipt.resolution == "discarded" and "Werbung" in receipt.detail
    assert admin.post(f"/arbeitsplatz/eingang/nachrichten/{receipt.pk}/erneut/").status_code == 302
    assert MailReceipt.objects.get(pk=receipt.pk).result == "quarantined"  # stays discarded


def test_log_filters_by_result(admin, deliver):
    deliver(mails.message(subject="Normale Anfrage"))
    deliver(mails.message(subject="Abwesend", headers={"Auto-Submitted": "auto-replied"}))
    page = admin.get("/arbeitsplatz/eingang/protokoll/?result=ignored").content.decode()
    assert "Abwesend" in page and "Normale Anfrage" not in page
    assert admin.get("/arbeitsplatz/eingang/protokoll/?result=quatsch").status_code == 200


def test_blocked_addresses_can_be_released(admin, musterstadt):
    record_bounce(
        musterstadt, "weg@example.org", permanent=True, status="5.1.1", diagnostic="unknown"
    )
    page = admin.get("/arbeitsplatz/eingang/unzustellbar/").content.decode()
    assert "weg@example.org" in page and "5.1.1" in page
    admin.post("/arbeitsplatz/eingang/unzustellbar/freigeben/", {"address": "weg@example.org"})
    assert not is_blocked(musterstadt, "weg@example.org")


def test_case_page_lists_the_mails_of_the_case(catalog, deliver):
    case = deliver(mails.message(subject="Laterne")).case
    deliver(mails.message(subject=f"Re: [{case.file_number}]", body="Nachtrag"))
    page = _client("m.yilmaz").get(f"/arbeitsplatz/vorgaenge/{case.pk}/").content.decode()
    assert "E-Mails zu diesem Vorgang" in page
    assert page.count("juergen@example.org") >= 2


def test_a_staff_member_without_admin_role_in_another_department_is_refused(catalog):
    dept = Department.objects.get(code="ORD", organisation__slug="musterstadt")
    user = User.objects.create(username="x.lead")
    Staff.objects.create(
        user=user, organisation=dept.organisation, department=dept, name="X", roles=["leitung"]
    )
    assert _client("x.lead").get("/arbeitsplatz/eingang/quarantaene/").status_code == 403


def test_pages_speak_english_on_request(admin, settings):
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = admin.get("/arbeitsplatz/eingang/quarantaene/").content.decode()
    assert "The quarantine is empty." in page and "Received" in page
    assert "E-mail intake" in page  # the navigation entry


def test_both_linked_cases_point_to_each_other(catalog, deliver, staff):
    """Core fix: the case a link points to showed a link to itself."""
    from buergerticket.cases import services
    from buergerticket.cases.history import Actor
    from buergerticket.catalog.models import Service

    Service.objects.filter(code="allgemein").update(closed_reply="follow_up")
    old = deliver(mails.message(subject="Laterne")).case
    services.set_status(old, actor=Actor.for_staff(staff("m.yilmaz")), status="abgeschlossen")
    new = deliver(mails.message(subject=f"Re: [{old.file_number}]", body="Wieder")).case
    client = _client("m.yilmaz")
    on_new = client.get(f"/arbeitsplatz/vorgaenge/{new.pk}/").content.decode()
    assert f'href="/arbeitsplatz/vorgaenge/{old.pk}/">{old.file_number}</a>' in on_new
    on_old = client.get(f"/arbeitsplatz/vorgaenge/{old.pk}/").content.decode()
    assert f'href="/arbeitsplatz/vorgaenge/{new.pk}/">{new.file_number}</a>' in on_old
