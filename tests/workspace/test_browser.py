"""The workspace in a real browser: every page passes axe (WCAG 2.1 AA), keyboard and htmx work."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_and_login_with_keyboard(page, catalog):
    from buergerticket.org.models import User

    user = User.objects.get(username="s.wagner")
    user.set_password("sicheres-passwort-2026")
    user.save()
    page.goto("/arbeitsplatz/anmelden/")
    assert_accessible(page)
    # The username field has focus, so keyboard users can type at once.
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type("s.wagner")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_label("Passwort").press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)  # the error state too
    page.get_by_label("Passwort").fill("sicheres-passwort-2026")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/arbeitsplatz/vorgaenge/")
    assert page.get_by_role("heading", level=1).inner_text() == "Meine Vorgänge"


def test_every_staff_page_is_accessible(page, login_as, open_case):
    case = open_case()
    open_case(subject="Zweites Schlagloch", priority=4)
    login_as("t.nguyen")  # lead of TBA: sees the escalation page too
    page.goto("/arbeitsplatz/vorgaenge/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for path in [
        "/arbeitsplatz/vorgaenge/",
        "/arbeitsplatz/fachbereich/",
        "/arbeitsplatz/eskalationen/",
        f"/arbeitsplatz/vorgaenge/{case.pk}/",
        "/arbeitsplatz/telefonnotiz/",
        "/arbeitsplatz/abwesenheiten/",
    ]:
        page.goto(path)
        assert_accessible(page)
    page.goto("/arbeitsplatz/telefonnotiz/")
    page.get_by_role("button", name="Vorgang anlegen").click()
    assert page.locator(".kern-form-input--error").count() >= 2
    assert_accessible(page)


def test_configuration_pages_are_accessible(page, login_as, catalog):
    from buergerticket.catalog.models import Service

    login_as("admin")
    service = Service.objects.get(code="maengel-strasse")
    for path in [
        "/arbeitsplatz/verwaltung/",
        "/arbeitsplatz/verwaltung/organisation/",
        "/arbeitsplatz/verwaltung/leistungen/",
        f"/arbeitsplatz/verwaltung/leistungen/{service.pk}/",
        "/arbeitsplatz/verwaltung/mitarbeitende/neu/",
        "/arbeitsplatz/verwaltung/fachbereiche/",
        "/arbeitsplatz/verwaltung/aktenplan/",
    ]:
        page.goto(path)
        assert_accessible(page)


def test_reply_is_added_without_reloading_the_page(page, login_as, open_case):
    case = open_case()
    login_as("s.wagner")
    page.goto(f"/arbeitsplatz/vorgaenge/{case.pk}/")
    page.evaluate("window.marker = 'same page'")
    page.get_by_label("Antwort an die antragstellende Person").fill("Wir reparieren es morgen.")
    page.get_by_role("button", name="Antwort senden").click()
    page.get_by_role("status").filter(has_text="Antwort gespeichert.").wait_for()
    assert page.evaluate("window.marker") == "same page"  # htmx swapped only the case area
    expect(page.get_by_text("Wir reparieren es morgen.")).to_be_visible()
    assert_accessible(page)


def test_workspace_is_usable_at_320_pixels(page, login_as, open_case):
    case = open_case()
    login_as("s.wagner")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"/arbeitsplatz/vorgaenge/{case.pk}/")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320
    assert_accessible(page)
