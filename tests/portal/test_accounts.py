"""Citizen accounts: registration with confirmation, login, own cases only, password reset."""

from __future__ import annotations

import re

import pytest

from buergerticket.cases.models import Case
from buergerticket.org.models import User

PASSWORD = "Lindenbaum-2026!"


def register(client, email="jan@example.org"):
    return client.post(
        "/musterstadt/konto/registrieren/",
        {
            "first_name": "Jan",
            "last_name": "Nowak",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "privacy": "on",
        },
    )


def link_in(mail: dict) -> str:
    return re.search(r"http://[^/]+(/\S+)", mail["body"]).group(1)


@pytest.mark.django_db
def test_registration_needs_email_confirmation(client, portal_catalog, outbox_mails):
    response = register(client)
    assert "Bitte prüfen Sie Ihr E-Mail-Postfach" in response.content.decode()
    user = User.objects.get(username="jan@example.org")
    assert not user.is_active
    # Not confirmed: cannot log in yet.
    login = client.post(
        "/musterstadt/konto/anmelden/", {"username": "jan@example.org", "password": PASSWORD}
    )
    assert login.status_code == 400
    (mail,) = outbox_mails("jan@example.org")
    confirm = client.get(link_in(mail))
    assert confirm.status_code == 302
    user.refresh_from_db()
    assert user.is_active
    # A used confirmation link does not work twice.
    assert client.get(link_in(mail)).status_code == 400


@pytest.mark.django_db
def test_registering_a_taken_address_reveals_nothing(client, portal_catalog, outbox_mails):
    register(client)
    User.objects.filter(username="jan@example.org").update(is_active=True)
    response = register(client.__class__())
    assert "Bitte prüfen Sie Ihr E-Mail-Postfach" in response.content.decode()
    assert "bereits ein Konto" in outbox_mails("jan@example.org")[-1]["subject"]
    assert User.objects.filter(username="jan@example.org").count() == 1


@pytest.mark.django_db
def test_weak_password_is_refused_in_german(client, portal_catalog):
    response = client.post(
        "/musterstadt/konto/registrieren/",
        {
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.org",
            "password1": "12345678",
            "password2": "12345678",
            "privacy": "on",
        },
    )
    assert response.status_code == 400
    assert "Dieses Passwort ist zu kurz" in response.content.decode()


@pytest.mark.django_db
def test_account_lists_only_own_cases_and_hides_others(client, portal_catalog):
    jan = User.objects.create_user("jan@example.org", "jan@example.org", PASSWORD, first_name="Jan")
    eva = User.objects.create_user("eva@example.org", "eva@example.org", PASSWORD, first_name="Eva")
    client.force_login(jan)
    data = {"schadensart": "schlagloch", "location_address": "Am Markt 2", "privacy": "on"}
    response = client.post("/musterstadt/leistungen/maengel-strasse/", data)
    assert response.status_code == 302
    jans = Case.objects.get()
    assert jans.requester_account == jan
    assert jans.requester_email == "jan@example.org"
    # An account case gets no tracking link; the receipt points to "Meine Anliegen".
    receipt = client.get(response["Location"]).content.decode()
    assert "/verfolgen/" not in receipt
    assert jans.file_number in client.get("/musterstadt/anliegen/").content.decode()

    other = client.__class__()
    other.force_login(eva)
    assert jans.file_number not in other.get("/musterstadt/anliegen/").content.decode()
    assert other.get(f"/musterstadt/anliegen/{jans.pk}/").status_code == 404


@pytest.mark.django_db
def test_account_holder_can_use_services_that_need_an_account(client, portal_catalog):
    jan = User.objects.create_user("jan@example.org", "jan@example.org", PASSWORD)
    client.force_login(jan)
    response = client.post(
        "/musterstadt/leistungen/steuer-hund/",
        {
            "vorgang": "abmelden",
            "datum": "2026-10-01",
            "grund": "tod",
            "name": "Jan Nowak",
            "address": "Rosenweg 4, 12345 Musterstadt",
            "privacy": "on",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.form_data == {"vorgang": "abmelden", "datum": "2026-10-01", "grund": "tod"}
    assert case.requester_address == "Rosenweg 4, 12345 Musterstadt"


@pytest.mark.django_db
def test_password_reset(client, portal_catalog, outbox_mails):
    User.objects.create_user("jan@example.org", "jan@example.org", PASSWORD)
    client.post("/musterstadt/konto/passwort/", {"email": "nobody@example.org"})
    assert outbox_mails("nobody@example.org") == []
    client.post("/musterstadt/konto/passwort/", {"email": "jan@example.org"})
    link = link_in(outbox_mails("jan@example.org")[-1])
    form = client.get(link)
    assert form.status_code in (200, 302)
    target = form["Location"] if form.status_code == 302 else link
    done = client.post(
        target, {"new_password1": "Neues-Passwort-77", "new_password2": "Neues-Passwort-77"}
    )
    assert done.status_code == 302
    assert client.login(username="jan@example.org", password="Neues-Passwort-77")


@pytest.mark.django_db
def test_login_is_rate_limited(client, portal_catalog, settings):
    settings.LOGIN_RATE_LIMIT = 2
    for _ in range(2):
        client.post(
            "/musterstadt/konto/anmelden/", {"username": "x@example.org", "password": "falsch"}
        )
    response = client.post(
        "/musterstadt/konto/anmelden/", {"username": "x@example.org", "password": "falsch"}
    )
    assert response.status_code == 429
