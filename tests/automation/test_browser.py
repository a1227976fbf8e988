"""Every automation page in Chromium, checked with axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from buergerticket.org.models import Department, Staff, User
from tests.browser import assert_accessible


@pytest.mark.django_db(transaction=True)
def test_configuration_pages_are_accessible(page, login_as, musterstadt):
    from buergerticket.automation.models import ReplyTemplate
    from buergerticket.automation.rules.services import save_rule

    template = ReplyTemplate.objects.create(organisation=musterstadt, name="Danke", body="Danke!")
    rule = save_rule(
        musterstadt,
        staff=None,
        data={
            "name": "Eilig",
            "conditions": [{"field": "subject", "op": "contains", "value": "dringend"}],
            "actions": [{"type": "set_priority", "value": "4"}],
        },
    )
    login_as("admin")
    page.goto("/arbeitsplatz/automatisierung/")
    assert page.get_by_role("heading", level=1).inner_text() == "Automatisierung"
    assert_accessible(page)

    page.goto(f"/arbeitsplatz/automatisierung/regeln/{rule.pk}/")
    page.get_by_label("Betreff", exact=True).fill("Dringend: Ampel aus")
    page.get_by_role("button", name="Probelauf starten").click()
    expect(page.get_by_role("heading", name="Ergebnis des Probelaufs")).to_be_visible()
    assert_accessible(page)

    page.goto("/arbeitsplatz/automatisierung/regeln/neu/")
    page.get_by_role("button", name="Regel speichern").click()  # empty: errors shown
    expect(page.get_by_text("Dieses Feld ist zwingend erforderlich.").first).to_be_visible()
    assert_accessible(page)

    page.goto(f"/arbeitsplatz/automatisierung/vorlagen/{template.pk}/")
    assert_accessible(page)

    page.goto("/arbeitsplatz/automatisierung/probelauf/")
    page.get_by_label("Betreff").fill("Laterne kaputt")
    page.get_by_role("button", name="Probelauf starten").click()
    expect(page.get_by_role("heading", name="Ergebnis des Probelaufs")).to_be_visible()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_contract_pages_and_case_panel_are_accessible(page, login_as, stadtwerke, submit_mail):
    from buergerticket.automation.contracts.importing import import_contract_file
    from tests.automation.conftest import CONTRACTS_CSV

    import_contract_file(stadtwerke, CONTRACTS_CSV)
    User.objects.create_user("erika", email="erika@example.org", password="x")
    result = submit_mail(
        "stadtwerke",
        "Fremd <fremd@example.org>",
        "Abschlag",
        "Bitte senken Sie den Abschlag für Vertrag 40002382 auf 55 Euro.",
    )
    login_as("b.wolf")
    page.goto(f"/arbeitsplatz/vorgaenge/{result.case.pk}/")
    panel = page.get_by_role("region", name="Automatisierung")
    assert "Automatik gestoppt" in panel.inner_text()
    assert_accessible(page)

    page.goto("/arbeitsplatz/automatisierung/vertraege/?q=4000238")
    assert_accessible(page)
    page.get_by_role("link", name="40002382").click()
    page.get_by_label("Kundenkonto (Benutzername oder E-Mail-Adresse)").fill("erika")
    page.get_by_role("button", name="Konto verknüpfen").click()
    assert "erika" in page.get_by_role("region", name="Verknüpfte Kundenkonten").inner_text()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_overview_for_the_utility_lists_the_abschlag_switch(page, login_as, stadtwerke):
    user = User.objects.create_user("sw.admin", password="x")
    Staff.objects.create(
        user=user,
        organisation=stadtwerke,
        department=Department.objects.get(organisation=stadtwerke, code="KUN"),
        name="SW Admin",
        roles=["administration"],
    )
    login_as("sw.admin")
    page.goto("/arbeitsplatz/automatisierung/")
    row = page.get_by_role("row", name="Abschlag ändern")
    row.get_by_role("button", name="ausschalten").click()
    assert "ausgeschaltet" in page.get_by_role("row", name="Abschlag ändern").inner_text()
    assert_accessible(page)
