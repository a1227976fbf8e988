"""The citizen's story in a real browser (Debian's Chromium), with axe-core on every page.

Submit a defect report with location and photo, see the receipt, a clerk replies in
the workspace, the citizen reads the reply through the private link and answers;
wrong links fail; errors keep the input; keyboard only; 320 px; English.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from buergerticket.cases.models import Case, MessageKind
from tests.browser import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def photo(tmp_path, png_bytes):
    path = tmp_path / "schlagloch.jpg"
    path.write_bytes(png_bytes)
    return path


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_defect_report_story(page, login_as, portal_catalog, photo, live_server):
    # Catalog
    page.goto("/musterstadt/")
    assert page.get_by_role("heading", level=1).inner_text() == "Was können wir für Sie tun?"
    assert_accessible(page)
    page.get_by_role("link", name="Straßenschaden melden").click()
    assert_accessible(page)

    # First attempt with errors: nothing typed is lost.
    page.get_by_label("Art des Schadens").select_option("sonstiges")
    page.get_by_label("Weitere Hinweise").fill("Tiefes Loch, Radfahrer stürzen fast.")
    page.get_by_label("Ihr Name").fill("Erika Mustermann")
    page.get_by_label("E-Mail-Adresse").fill("erika@example.org")
    page.get_by_label("Fotos oder Dokumente").set_input_files(str(photo))
    page.get_by_role("button", name="Anliegen absenden").click()
    expect(page.get_by_text("Bitte prüfen Sie Ihre Angaben")).to_be_visible()
    assert page.title().startswith("Fehler:")
    assert page.get_by_label("Weitere Hinweise").input_value().startswith("Tiefes Loch")
    assert page.get_by_label("E-Mail-Adresse").input_value() == "erika@example.org"
    expect(page.get_by_text("„schlagloch.png“ entfernen")).to_be_visible()
    # The conditional field is shown because "Sonstiges" is chosen.
    expect(page.get_by_label("Welcher Schaden?")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Welcher Schaden?").fill("Abgesackter Bordstein")
    page.get_by_label("Ort (Straße und Hausnummer oder eine Beschreibung)").fill("Hauptstraße 12")
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen").check()
    page.get_by_role("button", name="Anliegen absenden").click()

    # Receipt
    assert page.get_by_role("heading", level=1).inner_text() == "Eingangsbestätigung"
    case = Case.objects.get()
    assert page.locator("#file-number").inner_text() == case.file_number
    assert [d.name for d in case.documents.all()] == ["schlagloch.png"]
    tracking_url = page.get_by_label("Link zu Ihrem Anliegen").input_value()
    assert "/musterstadt/verfolgen/" in tracking_url
    assert_accessible(page)

    # A clerk replies in the workspace.
    clerk = page.context.browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="de-DE"
    )
    clerk_page = clerk.new_page()
    _login(clerk_page, live_server, "s.wagner")
    clerk_page.goto(f"/arbeitsplatz/vorgaenge/{case.pk}/")
    expect(clerk_page.get_by_role("heading", name="Bürgerpostfach")).to_be_visible()
    clerk_page.get_by_label("Antwort an die antragstellende Person").fill(
        "Danke! Können Sie sagen, wie tief das Loch ist?"
    )
    clerk_page.get_by_role("button", name="Antwort senden", exact=True).click()
    clerk_page.wait_for_selector("text=Antwort gespeichert.")
    assert_accessible(clerk_page)

    # The citizen opens the private link, sees the reply and answers.
    citizen = page.context.browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="de-DE"
    )
    citizen_page = citizen.new_page()
    citizen_page.goto(tracking_url.replace("http://127.0.0.1:8000", live_server.url))
    expect(
        citizen_page.get_by_text("Danke! Können Sie sagen, wie tief das Loch ist?")
    ).to_be_visible()
    assert_accessible(citizen_page)
    citizen_page.get_by_label("Ihre Nachricht").fill("Etwa zehn Zentimeter.")
    citizen_page.get_by_role("button", name="Nachricht senden").click()
    expect(citizen_page.get_by_text("Ihre Nachricht ist eingegangen.")).to_be_visible()
    expect(citizen_page.get_by_text("Etwa zehn Zentimeter.")).to_be_visible()
    assert_accessible(citizen_page)
    assert case.messages.filter(kind=MessageKind.INCOMING, body="Etwa zehn Zentimeter.").exists()

    # The clerk sees the answer.
    clerk_page.goto(f"/arbeitsplatz/vorgaenge/{case.pk}/")
    expect(clerk_page.get_by_text("Etwa zehn Zentimeter.")).to_be_visible()
    # A wrong token does not open anything.
    stranger = page.context.browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="de-DE"
    )
    stranger_page = stranger.new_page()
    wrong = re.sub(r"/verfolgen/[^/]+/", "/verfolgen/falschertoken123/", tracking_url)
    response = stranger_page.goto(wrong.replace("http://127.0.0.1:8000", live_server.url))
    assert response.status == 404
    assert stranger_page.get_by_role("heading", level=1).inner_text() == "Dieser Link ist ungültig"
    assert_accessible(stranger_page)
    response = stranger_page.goto(f"/musterstadt/anliegen/{case.pk}/")
    assert "Dieses Anliegen ist abgeschlossen" not in stranger_page.content()
    assert "Etwa zehn Zentimeter" not in stranger_page.content()
    for context in (clerk, citizen, stranger):
        context.close()


def _login(page, live_server, username):
    from django.conf import settings
    from django.test import Client

    from buergerticket.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_account_pages_are_accessible(page, portal_catalog):
    for path, heading in [
        ("/musterstadt/konto/anmelden/", "Anmelden"),
        ("/musterstadt/konto/registrieren/", "Konto anlegen"),
        ("/musterstadt/konto/passwort/", "Passwort vergessen"),
        ("/musterstadt/link-anfordern/", "Neuen Link anfordern"),
        ("/musterstadt/impressum/", "Impressum"),
        ("/musterstadt/datenschutz/", "Datenschutz"),
        ("/musterstadt/barrierefreiheit/", "Erklärung zur Barrierefreiheit"),
        ("/musterstadt/?q=laterne", "Was können wir für Sie tun?"),
    ]:
        page.goto(path)
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert_accessible(page)
    # Registration with errors, and login with errors.
    page.goto("/musterstadt/konto/registrieren/")
    page.get_by_label("E-Mail-Adresse").fill("kein-at-zeichen")
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.get_by_text("Bitte prüfen Sie Ihre Angaben")).to_be_visible()
    assert page.get_by_label("E-Mail-Adresse").input_value() == "kein-at-zeichen"
    assert_accessible(page)
    page.goto("/musterstadt/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("jemand@example.org")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_text("Bitte prüfen Sie Ihre Angaben")).to_be_visible()
    assert_accessible(page)


def test_account_holder_sees_their_cases(page, portal_catalog, live_server):
    from buergerticket.org.models import User

    User.objects.create_user(
        "jan@example.org", "jan@example.org", "Lindenbaum-2026!", first_name="Jan"
    )
    page.goto("/musterstadt/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("jan@example.org")
    page.get_by_label("Passwort").fill("Lindenbaum-2026!")
    page.get_by_role("button", name="Anmelden").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Meine Anliegen"
    assert_accessible(page)
    page.goto("/musterstadt/leistungen/kultur-raum/")
    page.get_by_label("Raum").select_option("saal")
    page.get_by_label("Wunschtermin").fill("2026-12-12")
    page.get_by_label("Anzahl Personen").fill("80")
    page.get_by_label("Regelmäßige Nutzung").check()
    page.get_by_label("Wie oft?").fill("jeden zweiten Samstag")
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen").check()
    page.get_by_role("button", name="Anliegen absenden").click()
    case = Case.objects.get()
    page.get_by_role("link", name="Zum Anliegen in „Meine Anliegen“").click()
    expect(page.get_by_text(case.file_number).first).to_be_visible()
    expect(page.get_by_text("jeden zweiten Samstag")).to_be_visible()
    assert_accessible(page)
    page.goto("/musterstadt/anliegen/")
    expect(page.get_by_role("link", name=case.file_number)).to_be_visible()


def test_keyboard_only_submission_with_visible_focus(page, portal_catalog):
    page.goto("/musterstadt/leistungen/maengel-beleuchtung/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Zum Inhalt springen"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    # Walk to the first radio button with the keyboard and operate the whole form.
    page.get_by_label("Laterne ist dunkel").focus()
    page.keyboard.press("Space")
    assert page.get_by_label("Laterne ist dunkel").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "mastnummer"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type("L 4711")
    page.get_by_label("Ort (Straße und Hausnummer oder eine Beschreibung)").focus()
    page.keyboard.type("Lindenallee 5")
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Anliegen absenden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Eingangsbestätigung"
    assert Case.objects.get().form_data["mastnummer"] == "L 4711"


def test_usable_at_320_pixels(page, portal_catalog, png_bytes):
    page.set_viewport_size({"width": 320, "height": 720})
    for path in (
        "/musterstadt/",
        "/musterstadt/leistungen/maengel-strasse/",
        "/musterstadt/konto/registrieren/",
    ):
        page.goto(path)
        assert no_horizontal_scroll(page), path
    page.goto("/musterstadt/leistungen/abfall-abholung/")
    page.get_by_role("button", name="Anliegen absenden").click()
    assert no_horizontal_scroll(page)
    assert_accessible(page)
    page.get_by_label("Tonne wurde nicht geleert").check()
    expect(page.get_by_label("Welche Tonne?")).to_be_visible()
    expect(page.get_by_label("Welche Gegenstände?")).not_to_be_visible()
    page.get_by_label("Welche Tonne?").select_option("bio")
    page.get_by_label("Abfuhrtag").fill("2026-11-20")
    page.get_by_label("Abholadresse").fill("Rosenweg 3")
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen").check()
    page.get_by_role("button", name="Anliegen absenden").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Eingangsbestätigung"
    assert no_horizontal_scroll(page)
    assert_accessible(page)


def test_english(page, portal_catalog):
    page.goto("/musterstadt/")
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Wechseln").click()
    assert page.get_by_role("heading", level=1).inner_text() == "What can we do for you?"
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Straßenschaden melden").click()
    expect(page.get_by_label("Kind of damage")).to_be_visible()
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_text("Please check your entries")).to_be_visible()
    assert_accessible(page)


def test_map_picks_a_point_when_tiles_are_configured(page, portal_catalog, settings, live_server):
    # Tiles from our own (test) server: they 404, the map still works.
    settings.MAP_TILES = live_server.url + "/static/no-tiles/{z}/{x}/{y}.png"
    page.goto("/musterstadt/leistungen/maengel-muell/")
    page.wait_for_function(
        "typeof L !== 'undefined' && document.querySelector('.leaflet-container')"
    )
    page.get_by_role("button", name="Kartenmitte als Ort übernehmen").click()
    assert page.locator("input[name=latitude]").input_value() != ""
    assert_accessible(page, exclude=[".leaflet-control-attribution"])
    page.get_by_label("Was liegt dort?").select_option("reifen")
    page.get_by_label("passt in einen Kofferraum").check()
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen").check()
    page.get_by_role("button", name="Anliegen absenden").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Eingangsbestätigung"
    case = Case.objects.get()
    assert case.latitude is not None and case.location_address == ""


def test_remaining_pages_are_accessible(page, login_as, portal_catalog, live_server):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from buergerticket.org.models import User

    # Password reset: request → "check your mail"; the mailed link → new password form.
    user = User.objects.create_user("jan@example.org", "jan@example.org", "Lindenbaum-2026!")
    page.goto("/musterstadt/konto/passwort/")
    page.get_by_label("E-Mail-Adresse").fill("jan@example.org")
    page.get_by_role("button", name="Link anfordern").click()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Bitte prüfen Sie Ihr E-Mail-Postfach"
    )
    assert_accessible(page)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    page.goto(f"/musterstadt/konto/passwort/{uid}/{default_token_generator.make_token(user)}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Neues Passwort festlegen"
    assert_accessible(page)
    page.goto(f"/musterstadt/konto/bestaetigen/{uid}/falsch/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Der Link ist abgelaufen")
    assert_accessible(page)

    # Revoking the private link.
    page.goto("/musterstadt/leistungen/allgemein/")
    page.get_by_label("Beschreibung Ihres Anliegens").fill("Wann ist der Wertstoffhof geöffnet?")
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen").check()
    page.get_by_role("button", name="Anliegen absenden").click()
    page.get_by_role("link", name="Zum Anliegen", exact=True).click()
    page.get_by_role("button", name="Alle Links zu diesem Anliegen sperren").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Alle Links sind gesperrt"
    assert_accessible(page)

    # Internal portal for staff; a staff member of another organisation gets "not found".
    login_as("a.becker")
    page.goto("/musterstadt/intern/")
    assert page.get_by_role("heading", level=1).inner_text() == "Interne Anliegen"
    assert_accessible(page)
    page.get_by_role("link", name="IT-Störung melden (intern)").click()
    assert_accessible(page)
    login_as("h.braun")
    response = page.goto("/musterstadt/intern/")
    assert response.status == 404
    assert_accessible(page)
