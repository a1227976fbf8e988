"""Internal portal (staff only), legal pages, search."""

from __future__ import annotations

import pytest

from buergerticket.cases.models import Case
from buergerticket.org.models import Organisation
from buergerticket.portal import search


@pytest.mark.django_db
def test_internal_services_only_for_staff_of_that_organisation(client, portal_catalog, staff):
    assert client.get("/musterstadt/leistungen/it-stoerung/").status_code == 404
    assert client.get("/musterstadt/intern/").status_code == 302  # to the staff login
    client.force_login(staff("h.braun").user)  # Stadtwerke staff
    assert client.get("/musterstadt/intern/").status_code == 404
    assert client.get("/musterstadt/leistungen/it-stoerung/").status_code == 404
    client.force_login(staff("a.becker").user)
    assert "IT-Störung melden" in client.get("/musterstadt/intern/").content.decode()
    response = client.post(
        "/musterstadt/leistungen/it-stoerung/",
        {"bereich": "drucker", "text": "Drucker im 2. OG druckt nicht", "privacy": "on"},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.service.code == "it-stoerung"
    assert case.requester_account == staff("a.becker").user


@pytest.mark.django_db
def test_legal_pages_default_and_configured(client, portal_catalog):
    for path in ("impressum", "datenschutz", "barrierefreiheit"):
        response = client.get(f"/musterstadt/{path}/")
        assert response.status_code == 200
    assert "BITV 2.0" in client.get("/musterstadt/barrierefreiheit/").content.decode()
    Organisation.objects.filter(slug="musterstadt").update(
        imprint="Stadt Musterstadt\nMarktplatz 1\n<b>fett</b>"
    )
    html = client.get("/musterstadt/impressum/").content.decode()
    assert "Marktplatz 1" in html
    assert "&lt;b&gt;fett&lt;/b&gt;" in html


@pytest.mark.django_db
def test_search_finds_services_by_words_and_keywords(client, portal_catalog):
    musterstadt = Organisation.objects.get(slug="musterstadt")
    titles = [hit.title for hit in search.search(musterstadt, "laterne kaputt")]
    assert titles[0] == "Defekte Straßenbeleuchtung melden"
    assert "Straßenschaden melden" in [h.title for h in search.search(musterstadt, "strasse")]
    html = client.get("/musterstadt/?q=Sperrm%C3%BCll").content.decode()
    assert "Sperrmüll und verpasste Abfuhr" in html
    assert "Treffer für „Sperrmüll“" in html


@pytest.mark.django_db
def test_search_includes_registered_providers_and_survives_broken_ones(portal_catalog):
    musterstadt = Organisation.objects.get(slug="musterstadt")

    def faq(org, query, language):
        return [search.SearchHit("Wann kommt die Müllabfuhr?", f"/{org.slug}/hilfe/1/", "…", "faq")]

    def broken(org, query, language):
        raise RuntimeError("index down")

    search.register_provider(faq)
    search.register_provider(broken)
    try:
        kinds = {hit.kind for hit in search.search(musterstadt, "müll")}
    finally:
        search._providers.remove(faq)
        search._providers.remove(broken)
    assert kinds == {"service", "faq"}


@pytest.mark.django_db
def test_english_interface(client, portal_catalog):
    client.cookies["django_language"] = "en"
    html = client.get("/musterstadt/leistungen/maengel-strasse/").content.decode()
    assert "Kind of damage" in html
    assert "Submit request" in html
