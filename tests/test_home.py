"""The start page and error pages: plain, accessible, in the KERN look."""

import pytest

from tests.browser import assert_accessible


@pytest.mark.django_db
def test_start_page_lists_the_portals(client, catalog):
    page = client.get("/").content.decode()
    assert 'href="/musterstadt/"' in page and "Stadtwerke Musterstadt GmbH" in page
    assert 'href="/arbeitsplatz/anmelden/"' in page


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client, catalog):
    response = client.get("/arbeitsplatz/gibt-es-nicht/")
    assert response.status_code == 404 and "Seite nicht gefunden" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_start_and_error_pages_are_accessible(page, catalog):
    page.goto("/")
    assert_accessible(page)
    page.goto("/gibt-es-nicht/nirgends/")
    assert_accessible(page)
