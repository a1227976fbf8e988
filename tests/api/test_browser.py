"""API reference and the administrators' interface pages in Chromium, checked with axe."""

from __future__ import annotations

import pytest

from buergerticket.api.webhooks import registry
from tests.browser import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_reference_is_accessible_and_complete(page, live_server, catalog):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/api/v1/docs")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bürgerticket API")
    assert page.get_by_text("POST /api/v1/cases/{case_id}/status").count() == 1
    assert page.get_by_role("link", name="OpenAPI-3-Dokument (JSON)").count() == 1
    assert errors == []
    assert_accessible(page)


def test_client_pages_are_accessible(page, login_as, catalog):
    login_as("admin")
    page.goto("/arbeitsplatz/schnittstellen/clients/")
    assert_accessible(page)
    page.get_by_label("Name des Systems").fill("Fachverfahren")
    page.get_by_label("Vorgänge lesen").check()
    page.get_by_role("button", name="Anlegen und Token anzeigen").click()
    assert page.locator("#secret").inner_text().startswith("bt_")
    assert_accessible(page)
    page.goto("/arbeitsplatz/schnittstellen/clients/")
    page.get_by_role("button", name="Anlegen und Token anzeigen").click()  # empty form
    assert page.locator(".kern-error").count() >= 1
    assert_accessible(page)


def test_webhook_pages_are_accessible(page, login_as, musterstadt, open_case):
    hook = registry.create_webhook(
        organisation=musterstadt, url="http://127.0.0.1:9/hook", event_types=["intake"]
    )
    open_case()
    login_as("admin")
    page.goto("/arbeitsplatz/schnittstellen/webhooks/")
    assert_accessible(page)
    page.goto(f"/arbeitsplatz/schnittstellen/webhooks/{hook.pk}/")
    assert page.get_by_text("intake").count() >= 1
    assert_accessible(page)
