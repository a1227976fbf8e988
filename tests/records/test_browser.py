"""The records pages in a real browser: they work and pass axe (WCAG 2.1 AA)."""

from __future__ import annotations

import datetime as dt

import pytest

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from tests.browser import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_page_finds_and_highlights(page, login_as, open_case):
    case = open_case(subject="Umgestürzter Baum auf dem Radweg", text="Der Baum blockiert alles.")
    login_as("s.wagner")
    page.goto("/arbeitsplatz/archiv/")
    assert_accessible(page)
    page.get_by_label("Suchbegriffe").fill("Bäume")
    page.get_by_role("button", name="Suchen").click()
    hit = page.locator(".bt-hit").first
    hit.wait_for()
    assert case.file_number in hit.inner_text()
    assert hit.locator("mark").first.inner_text() in ("Baum", "Bäume")
    assert "Bäume" in page.url or "B%C3%A4ume" in page.url  # shareable address
    assert_accessible(page)
    hit.get_by_role("link", name=case.file_number).click()
    page.wait_for_url(f"**/vorgaenge/{case.pk}/")


def test_archive_find_and_reopen(page, login_as, open_case, staff):
    case = open_case(subject="Verstopfter Gully")
    services.set_status(case, actor=Actor.for_staff(staff("s.wagner")), status="abgeschlossen")
    login_as("s.wagner")
    page.goto("/arbeitsplatz/archiv/?q=Gully&status=closed")
    page.get_by_role("link", name=case.file_number).click()
    page.get_by_text("Der Vorgang ist abgeschlossen und schreibgeschützt.").wait_for()
    assert page.locator("#id_body").count() == 0  # no reply form on an archived case
    page.get_by_label("Grund der Wiederaufnahme").fill("Bürger meldet erneute Verstopfung")
    page.get_by_role("button", name="Wieder aufnehmen").click()
    page.get_by_text("Vorgang wieder aufgenommen.").wait_for()
    from buergerticket.cases.models import Case

    reopened = Case.objects.get(pk=case.pk)
    assert reopened.status == "in_bearbeitung"
    assert reopened.events.filter(type="reopened").count() == 1


def test_admin_and_privacy_pages_are_accessible(
    page, login_as, open_case, staff, make_staff, close_case
):
    case = open_case(subject="Altfall")
    close_case(case, dt.datetime(2012, 1, 5, tzinfo=dt.UTC))
    login_as("admin")
    page.goto("/arbeitsplatz/archiv/aussonderung/")
    assert_accessible(page)
    page.get_by_role("button", name="Fällige Vorgänge jetzt ermitteln").click()
    page.get_by_role("heading", name="Aussonderung Nr.").wait_for()
    assert case.file_number in page.content()
    assert_accessible(page)
    make_staff("d.schutz", ["datenschutz"])
    login_as("d.schutz")
    page.goto("/arbeitsplatz/archiv/datenschutz/?email=erika%40example.org&reference=DS-1")
    assert case.file_number in page.content()
    assert_accessible(page)
    page.goto("/arbeitsplatz/archiv/zugriffsprotokoll/")
    assert_accessible(page)
