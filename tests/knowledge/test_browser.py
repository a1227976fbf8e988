"""Knowledge pages in a real browser: template insertion, axe checks, public FAQ."""

from __future__ import annotations

import pytest

from buergerticket.catalog.models import Service
from buergerticket.knowledge import services
from buergerticket.knowledge.services import Content
from tests.browser import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def template(musterstadt, staff):
    return services.create_article(
        musterstadt,
        staff=staff("s.wagner"),
        content=Content(
            title="Schlagloch: Eingangsbestätigung",
            body="Guten Tag {Name}, Ihre Meldung {Aktenzeichen} ist bei uns.",
            kind="vorlage",
            services=(Service.objects.get(organisation=musterstadt, code="maengel-strasse"),),
        ),
    )


def test_clerk_inserts_a_template_into_the_reply(page, login_as, open_case, template):
    case = open_case()
    login_as("s.wagner")
    page.goto(f"/arbeitsplatz/vorgaenge/{case.pk}/")
    reply = page.locator("#id_body")
    reply.fill("Vorab: ")
    page.get_by_role("button", name="In Antwort einfügen").click()
    value = reply.input_value()
    assert value.startswith("Vorab: ")
    assert f"Guten Tag Erika Mustermann, Ihre Meldung {case.file_number} ist bei uns." in value
    assert_accessible(page)
    # Still works after an htmx action re-rendered the case area.
    page.get_by_label("Interner Vermerk").fill("Bauhof informiert")
    page.get_by_role("button", name="Vermerk speichern").click()
    page.get_by_text("Vermerk gespeichert.").wait_for()
    page.locator("#id_body").fill("")
    page.get_by_role("button", name="In Antwort einfügen").click()
    assert case.file_number in page.locator("#id_body").input_value()


def test_knowledge_pages_are_accessible(page, login_as, template):
    login_as("s.wagner")
    page.goto("/arbeitsplatz/wissen/")
    assert_accessible(page)
    page.goto(f"/arbeitsplatz/wissen/{template.slug}/")
    assert_accessible(page)
    page.goto(f"/arbeitsplatz/wissen/{template.slug}/bearbeiten/")
    page.get_by_label("Text").fill("Neuer Text der Vorlage")
    page.get_by_label("Änderungsnotiz").fill("gekürzt")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Artikel gespeichert.").wait_for()
    page.get_by_role("link", name="Version 2").click()
    assert page.locator("ins").first.inner_text() == "Neuer Text der Vorlage"
    assert_accessible(page)
    page.goto("/arbeitsplatz/wissen/neu/")
    assert_accessible(page)


def test_public_faq_is_accessible(page, musterstadt, staff):
    faq = services.create_article(
        musterstadt,
        staff=staff("s.wagner"),
        content=Content(
            title="Wann wird der Sperrmüll abgeholt?",
            body="Melden Sie Sperrmüll online an.\n\nDie Abholung erfolgt binnen 14 Tagen.",
            kind="faq",
            public=True,
        ),
    )
    page.goto("/musterstadt/hilfe/")
    assert_accessible(page)
    page.get_by_label("Suchbegriffe").fill("Müll")
    page.get_by_role("button", name="Suchen").click()
    page.get_by_role("link", name=faq.title).click()
    page.get_by_role("heading", level=1, name=faq.title).wait_for()
    assert_accessible(page)
