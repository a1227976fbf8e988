"""The catalog's form format: checked on load, rendered with labels for people."""

from __future__ import annotations

import pytest

from buergerticket.catalog.loader import CatalogError, load_catalog_text
from buergerticket.portal import formspec

CATALOG = """
organisations:
  - slug: testdorf
    name: Testdorf
    departments: [{code: BUE, name: Bürgerbüro}]
    staff: [{username: t.lead, name: Lea Lead, department: BUE, roles: [sachbearbeitung, leitung]}]
    services:
      - code: x
        name: X
        department: BUE
        owner: t.lead
        file_plan: "1"
        deadline_days: 5
        form:
{fields}
"""


def load(fields: str) -> None:
    load_catalog_text(CATALOG.replace("{fields}", fields), "test.yaml")


@pytest.mark.django_db
def test_valid_form_loads():
    load(
        "          - {name: art, label: Art, type: select,\n"
        "             choices: [a, {value: b, label: B, label_en: Bee}]}\n"
        "          - {name: mehr, label: Mehr, type: text, show_if: {field: art, equals: b}}\n"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        (
            "          - {name: art, label: Art, type: select, choices: [{value: b}]}\n",
            "choices[0]",
        ),
        (
            "          - {name: art, label: Art, type: text, choices: [a]}\n",
            "nur für die Feldtypen",
        ),
        (
            "          - {name: art, label: Art, type: text, show_if: {field: art, equals: x}}\n",
            "show_if.field",
        ),
        ("          - {name: website, label: Web, type: text}\n", "reserviert"),
        ("          - {name: art, label: Art, type: colour}\n", "unbekannter Feldtyp"),
    ],
)
def test_broken_forms_are_refused_with_their_line(fields, problem):
    with pytest.raises(CatalogError) as error:
        load(fields)
    assert problem in str(error.value)
    assert "test.yaml:" in str(error.value)


def test_conditions_follow_the_raw_submission():
    specs = formspec.specs(
        [
            {"name": "regelmaessig", "label": "R", "type": "checkbox"},
            {
                "name": "turnus",
                "label": "T",
                "type": "text",
                "show_if": {"field": "regelmaessig", "equals": True},
            },
            {
                "name": "detail",
                "label": "D",
                "type": "text",
                "show_if": {"field": "turnus", "equals": "x"},
            },
        ]
    )
    by_name = {s.name: s for s in specs}
    assert formspec.applies(by_name["turnus"], {"regelmaessig": "on"}, by_name)
    assert not formspec.applies(by_name["turnus"], {}, by_name)
    # A field depending on a field that does not apply does not apply either.
    assert not formspec.applies(by_name["detail"], {"turnus": "x"}, by_name)


def test_values_are_shown_with_labels():
    (spec,) = formspec.specs(
        [{"name": "a", "label": "A", "type": "radio", "choices": [{"value": "v", "label": "Vau"}]}]
    )
    assert formspec.display(spec, "v") == "Vau"
    (date,) = formspec.specs([{"name": "d", "label": "D", "type": "date"}])
    assert formspec.display(date, "2026-12-24") == "24.12.2026"


@pytest.mark.parametrize(
    "typed, value",
    [
        ("55,00", "55.00"),
        ("1.234,50", "1234.50"),
        ("55.5", "55.5"),
        ("70 €", "70"),
    ],
)
def test_number_fields_accept_german_decimal_commas(typed, value):
    from decimal import Decimal

    field = formspec.GermanDecimalField(max_digits=15, decimal_places=3)
    assert field.clean(typed) == Decimal(value)
