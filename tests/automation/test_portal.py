"""The real citizen portal: an Abschlag form from the account linked to the contract."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from buergerticket.automation.contracts.importing import import_contract_file
from buergerticket.automation.contracts.services import link_account
from buergerticket.automation.models import Contract
from buergerticket.cases.models import Case
from buergerticket.org.models import Organisation, User

from .conftest import CONTRACTS_CSV

DEMO = Path(__file__).resolve().parents[2] / "src" / "buergerticket" / "demo" / "musterstadt.yaml"


@pytest.fixture
def portal_stadtwerke(db):
    from django.core.cache import cache

    from buergerticket.catalog.loader import load_catalog_file

    cache.clear()  # the portal's rate limits live in the cache
    load_catalog_file(DEMO)
    organisation = Organisation.objects.get(slug="stadtwerke")
    import_contract_file(organisation, CONTRACTS_CSV)
    return organisation


@pytest.mark.django_db
def test_portal_form_from_the_linked_account_changes_the_installment(
    portal_stadtwerke, writeback_dir
):
    felix = User.objects.create_user("felix@example.org", "felix@example.org", "x")
    link_account(Contract.objects.get(number="40002382"), felix, by="Test")
    client = Client()
    client.force_login(felix)
    response = client.post(
        "/stadtwerke/leistungen/sw-abschlag/",
        {"vertragsnummer": "40002382", "neuer_abschlag": "55", "privacy": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.closed_automatically and case.channel == "portal"
    assert str(Contract.objects.get(number="40002382").installment) == "55.00"
    # The confirmation is in the citizen's mailbox (Bürgerpostfach).
    assert "55,00 €" in case.messages.get(kind="outgoing").body


@pytest.mark.django_db
def test_portal_form_from_another_account_goes_to_a_clerk(portal_stadtwerke):
    other = User.objects.create_user("eva@example.org", "eva@example.org", "x")
    client = Client()
    client.force_login(other)
    response = client.post(
        "/stadtwerke/leistungen/sw-abschlag/",
        {"vertragsnummer": "40002382", "neuer_abschlag": "55", "privacy": "on"},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert not case.closed_automatically and case.department.code == "ABR"
    assert "Kundenkonto nicht mit dem Vertrag verknüpft" in case.attention
    assert str(Contract.objects.get(number="40002382").installment) == "61.90"
