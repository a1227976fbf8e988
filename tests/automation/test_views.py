"""The automation pages with the Django test client: access, rules, dry run, contracts."""

from __future__ import annotations

import pytest
from django.test import Client

from buergerticket.automation.models import AutomationChange, ContractAccount, Rule
from buergerticket.org.models import Department, Staff, User


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def sw_admin(stadtwerke):
    user = User.objects.create_user("sw.admin", password="x")
    Staff.objects.create(
        user=user,
        organisation=stadtwerke,
        department=Department.objects.get(organisation=stadtwerke, code="KUN"),
        name="SW Admin",
        roles=["administration"],
    )
    return client_for("sw.admin")


RULE_POST = {
    "name": "Eilig",
    "match": "all",
    "active": "on",
    "c-TOTAL_FORMS": "2",
    "c-INITIAL_FORMS": "0",
    "c-0-field": "subject",
    "c-0-op": "contains",
    "c-0-value": "dringend, eilig",
    "c-1-field": "",
    "a-TOTAL_FORMS": "1",
    "a-INITIAL_FORMS": "0",
    "a-0-type": "set_priority",
    "a-0-value": "4",
    "probe-channel": "email",
    "probe-subject": "Dringend: Wasser im Keller",
    "probe-text": "Bitte schnell",
}


@pytest.mark.django_db
def test_only_administrators_reach_the_configuration(musterstadt):
    assert client_for("admin").get("/arbeitsplatz/automatisierung/").status_code == 200
    assert client_for("s.wagner").get("/arbeitsplatz/automatisierung/").status_code == 403
    assert Client().get("/arbeitsplatz/automatisierung/").status_code == 302


@pytest.mark.django_db
def test_administrator_creates_a_rule_after_a_dry_run(musterstadt):
    client = client_for("admin")
    response = client.post(
        "/arbeitsplatz/automatisierung/regeln/neu/", {**RULE_POST, "dry_run": "1"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ergebnis des Probelaufs" in page and "greift" in page
    assert "Priorität setzen: dringend" in page
    assert not Rule.objects.exists()  # a dry run saves nothing

    response = client.post(
        "/arbeitsplatz/automatisierung/regeln/neu/", {**RULE_POST, "add_condition": "1"}
    )
    assert response.content.decode().count("Bedingung 3") == 1

    response = client.post("/arbeitsplatz/automatisierung/regeln/neu/", {**RULE_POST, "save": "1"})
    assert response.status_code == 302
    rule = Rule.objects.get()
    assert rule.conditions == [{"field": "subject", "op": "contains", "value": "dringend, eilig"}]
    assert AutomationChange.objects.filter(kind="rule_created").exists()
    overview = client.get("/arbeitsplatz/automatisierung/").content.decode()
    assert "Betreff enthält eines von „dringend, eilig“" in overview


@pytest.mark.django_db
def test_a_broken_rule_is_shown_again_with_the_reason(musterstadt):
    client = client_for("admin")
    post = {**RULE_POST, "c-0-op": "between", "save": "1"}
    response = client.post("/arbeitsplatz/automatisierung/regeln/neu/", post)
    assert response.status_code == 400
    assert "passt nicht zum Feld" in response.content.decode()
    assert "dringend, eilig" in response.content.decode()  # input kept


@pytest.mark.django_db
def test_dry_run_page_shows_the_abschlag_checks_without_changing_anything(contracts, sw_admin):
    from buergerticket.automation.models import Contract
    from buergerticket.cases.models import Case

    response = sw_admin.post(
        "/arbeitsplatz/automatisierung/probelauf/",
        {
            "channel": "email",
            "sender": "felix.schulz69@example.org",
            "subject": "Abschlag 40002382",
            "text": "Bitte senken Sie meinen Abschlag auf 55 Euro.",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "würde automatisch erledigt" in page and "Abschlag ändern" in page
    assert str(Contract.objects.get(number="40002382").installment) == "61.90"
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_switching_automation_off_for_a_service(musterstadt):
    from buergerticket.catalog.models import Service

    service = Service.objects.get(code="maengel-strasse")
    response = client_for("admin").post(
        f"/arbeitsplatz/automatisierung/leistungen/{service.pk}/schalten/"
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.automation_enabled is False


@pytest.mark.django_db
def test_clerk_links_a_citizen_account_to_a_contract(contracts):
    citizen = User.objects.create_user("erika", email="erika@example.org", password="x")
    client = client_for("c.lange")
    response = client.get("/arbeitsplatz/automatisierung/vertraege/?q=40002382")
    assert "40002382" in response.content.decode()
    response = client.post(
        "/arbeitsplatz/automatisierung/vertraege/40002382/", {"account": "erika@example.org"}
    )
    assert response.status_code == 302
    assert ContractAccount.objects.filter(user=citizen, contract__number="40002382").exists()
    # Staff accounts cannot be linked; other organisations' staff see no contracts.
    response = client.post(
        "/arbeitsplatz/automatisierung/vertraege/40002382/", {"account": "b.wolf"}
    )
    assert response.status_code == 400 and "Mitarbeiterkonten" in response.content.decode()
    assert (
        client_for("s.wagner").get("/arbeitsplatz/automatisierung/vertraege/40002382/").status_code
        == 404
    )


@pytest.mark.django_db
def test_pages_and_history_lines_are_available_in_english(musterstadt):
    from django.utils import translation

    from buergerticket.automation.timeline import _check

    page = client_for("admin").get("/arbeitsplatz/automatisierung/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Rules (checked in this order)" in page.content.decode()
    with translation.override("en"):
        assert _check({"check": "arrears", "ok": False}) == "Check “no arrears”: not met"


@pytest.mark.django_db
def test_clerk_changes_the_installment_from_a_stopped_case(contracts, submit_mail, writeback_dir):
    from buergerticket.automation.models import Contract, ContractChange

    result = submit_mail(
        "stadtwerke",
        "Felix Schulz <felix.schulz69@example.org>",
        "Abschlag",
        "Bitte den Abschlag (Vertrag 40002382) auf ungefähr 50 bis 55 Euro senken.",
    )
    assert not result.automated
    client = client_for("b.wolf")
    page = client.get(f"/arbeitsplatz/vorgaenge/{result.case.pk}/").content.decode()
    assert "Abschlag von Hand ändern" in page and 'value="40002382"' in page
    url = f"/arbeitsplatz/automatisierung/vorgaenge/{result.case.pk}/abschlag/"
    response = client.post(
        url, {"contract": "40002382", "amount": "52,50", "effective_from": "2026-12-01"}
    )
    assert response.status_code == 302
    assert str(Contract.objects.get(number="40002382").installment) == "52.50"
    change = ContractChange.objects.get()
    assert change.actor_label == "Bernd Wolf" and change.case == result.case
    event = result.case.events.get(type="contract_changed")
    assert event.actor.username == "b.wolf" and event.details["new"] == "52.50"
    # Someone outside the case's department cannot.
    assert (
        client_for("o.krause").post(url, {"contract": "40002382", "amount": "1"}).status_code == 404
    )
