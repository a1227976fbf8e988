"""The dashboard page and its exports, as leads and administrators use them."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Status

pytestmark = pytest.mark.django_db

URL = "/arbeitsplatz/steuerung/"


def login(staff, username: str) -> Client:
    client = Client()
    client.force_login(staff(username).user)
    return client


@pytest.fixture
def some_cases(open_case, staff):
    a = open_case(channel="email")
    open_case("maengel-muell", channel="open311")
    open_case("melde-bescheinigung", channel="phone")
    services.set_status(a.pk, actor=Actor.for_staff(staff("s.wagner")), status=Status.CLOSED)


def test_administrator_sees_the_whole_organisation(staff, some_cases):
    page = login(staff, "admin").get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    for department in (
        "TBA – Tiefbauamt",
        "UMW – Umwelt und Abfallwirtschaft",
        "BUE – Bürgerservice",
    ):
        assert department in html
    assert 'id="dashboard-data"' in html
    assert "Straßenschaden melden" in html


def test_lead_sees_their_department_only(staff, some_cases):
    page = login(staff, "t.nguyen").get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "TBA – Tiefbauamt" in html
    assert "UMW – Umwelt" not in html
    # The department filter is for administrators; a lead cannot widen the view.
    other = login(staff, "t.nguyen").get(URL, {"fachbereich": "UMW"})
    assert "UMW – Umwelt" not in other.content.decode()


def test_clerks_and_other_roles_are_refused(staff):
    assert login(staff, "s.wagner").get(URL).status_code == 403
    assert Client().get(URL).status_code == 302


def test_bad_period_is_explained_and_defaults_are_kept(staff, some_cases):
    page = login(staff, "admin").get(URL, {"von": "2026-12-01", "bis": "2026-01-01"})
    assert page.status_code == 200
    assert "Ende des Zeitraums" in page.content.decode()
    garbage = login(staff, "admin").get(URL, {"von": "gestern", "fachbereich": "XYZ"})
    assert garbage.status_code == 200


def test_csv_export_matches_the_table(staff, some_cases):
    response = login(staff, "admin").get(URL + "export/fachbereiche.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Kürzel", "Fachbereich", "offen", "überfällig", "bald fällig"]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["UMW"][2] == "1" and by_code["BUE"][2] == "1" and by_code["TBA"][2] == "0"
    assert login(staff, "admin").get(URL + "export/unbekannt.csv").status_code == 404


def test_xlsx_export_has_one_sheet_per_table(staff, some_cases):
    response = login(staff, "admin").get(URL + "export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Fachbereiche",
        "Eingang je Woche",
        "Erledigungsdauer",
        "Vorgänge je Person",
    ]
    service_rows = list(book["Erledigungsdauer"].iter_rows(values_only=True))
    assert service_rows[1][0] == "Straßenschaden melden"
    assert service_rows[1][1] == 1
    intake = list(book["Eingang je Woche"].iter_rows(values_only=True))
    assert intake[0][-1] == "gesamt"
    assert sum(r[-1] for r in intake[1:]) == 3
