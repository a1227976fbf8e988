"""The dashboard in Chromium: charts drawn under the strict CSP, tables accessible (axe)."""

from __future__ import annotations

import pytest

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Status
from tests.browser import assert_accessible


@pytest.mark.django_db(transaction=True)
def test_dashboard_draws_charts_and_is_accessible(page, login_as, open_case, staff):
    case = open_case(channel="email")
    open_case("maengel-muell", channel="open311")
    services.set_status(case.pk, actor=Actor.for_staff(staff("s.wagner")), status=Status.CLOSED)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login_as("admin")
    page.goto("/arbeitsplatz/steuerung/")
    assert page.get_by_role("heading", level=1).inner_text() == "Verwaltungssteuerung"
    page.wait_for_function("window.Chart && Object.keys(Chart.instances).length >= 4")
    drawn = page.evaluate("Object.keys(Chart.instances).length")
    assert drawn == 5
    assert errors == []
    assert page.get_by_role("img", name="Diagramm:").count() == 5
    assert_accessible(page)
    # Keyboard: the filter form is reachable and submits.
    page.get_by_label("Fachbereich – optional").select_option("UMW")
    page.get_by_role("button", name="Anzeigen").press("Enter")
    page.wait_for_url("**fachbereich=UMW**")
    assert "UMW – Umwelt und Abfallwirtschaft" in page.content()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_dashboard_as_a_lead_in_english(page, live_server, login_as, open_case):
    open_case()
    login_as("t.nguyen")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto("/arbeitsplatz/steuerung/")
    assert page.get_by_role("heading", level=1).inner_text() == "Management dashboard"
    assert page.get_by_role("columnheader", name="due soon").count() == 1
    assert_accessible(page)
