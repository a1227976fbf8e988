import pytest

from tests.browser import assert_accessible


@pytest.mark.django_db(transaction=True)
def test_case_page_is_accessible(page, login_as, open_case):
    case = open_case()
    login_as("s.wagner")
    page.goto(f"/arbeitsplatz/vorgaenge/{case.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == case.subject
    assert_accessible(page)
