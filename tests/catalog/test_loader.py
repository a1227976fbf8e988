"""load-catalog: the Musterstadt format loads, reloads idempotently, and rejects bad files whole."""

from __future__ import annotations

import pytest

from buergerticket.catalog.loader import CatalogError, load_catalog_file, load_catalog_text
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Organisation, Staff
from tests.conftest import MUSTERSTADT

MINIMAL = """
organisations:
  - slug: testamt
    name: Testamt
    file_number_pattern: "T-{year}-{seq:04d}"
    state: BY
    departments:
      - {code: A, name: Abteilung A}
    staff:
      - {username: t.lead, name: Tina Lead, department: A, roles: [sachbearbeitung, leitung]}
      - {username: t.clerk, name: Tom Clerk, department: A, roles: [sachbearbeitung],
         deputy: t.lead}
    services:
      - {code: anfrage, name: Anfrage, department: A, owner: t.clerk, file_plan: "1.0",
         deadline_days: 5, fallback: true}
"""


@pytest.mark.django_db
def test_musterstadt_catalog_loads_both_organisations():
    report = load_catalog_file(MUSTERSTADT / "katalog.yaml")
    assert report.created["organisation"] == 2
    assert set(Organisation.objects.values_list("slug", flat=True)) == {"musterstadt", "stadtwerke"}
    assert Department.objects.filter(organisation__slug="musterstadt").count() == 8
    assert Staff.objects.count() == 17
    hund = Service.objects.get(code="steuer-hund")
    assert hund.legal_act and hund.owner.user.username == "r.schulz"
    assert hund.file_plan.code == "22.30.01" and hund.deadline_days == 14
    assert Service.objects.get(code="melde-bescheinigung").fee_eur == 10
    assert Service.objects.get(code="it-stoerung").internal
    wagner = Staff.objects.get(user__username="s.wagner")
    assert wagner.deputy.user.username == "t.nguyen"
    assert (
        Department.objects.get(organisation__slug="musterstadt", code="TBA").lead == wagner.deputy
    )


@pytest.mark.django_db
def test_second_run_changes_nothing_and_changed_entries_are_updated():
    load_catalog_file(MUSTERSTADT / "katalog.yaml")
    again = load_catalog_file(MUSTERSTADT / "katalog.yaml")
    assert not again.changed

    changed = (
        (MUSTERSTADT / "katalog.yaml")
        .read_text()
        .replace('name: "Lärmbelästigung"', 'name: "Lärmbelästigung melden"')
        .replace("deadline_days: 7}", "deadline_days: 9}")
    )
    report = load_catalog_text(changed)
    assert report.updated["service"] == 1
    laerm = Service.objects.get(code="ordnung-laerm")
    assert (laerm.name, laerm.deadline_days) == ("Lärmbelästigung melden", 9)


@pytest.mark.django_db
def test_all_errors_are_listed_with_line_and_nothing_is_loaded():
    broken = (
        MINIMAL.replace("deadline_days: 5", "deadline_days: fünf")
        .replace("deputy: t.lead", "deputy: niemand")
        .replace("roles: [sachbearbeitung],\n", "roles: [chef],\n")
    )
    text = MUSTERSTADT.joinpath("katalog.yaml").read_text() + broken.split("organisations:")[1]
    with pytest.raises(CatalogError) as error:
        load_catalog_text(text, "neu.yaml")
    problems = error.value.problems
    assert len(problems) == 3
    assert any("deadline_days" in p and "ganze Zahl" in p for p in problems)
    assert any("unbekannte Vertretung „niemand“" in p for p in problems)
    assert any("unbekannte Rolle „chef“" in p for p in problems)
    assert all(p.startswith("neu.yaml:") and p.split(":")[1].isdigit() for p in problems)
    # The valid Musterstadt part was not loaded either: all or nothing.
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_invalid_yaml_and_references_are_reported():
    with pytest.raises(CatalogError, match="kein gültiges YAML"):
        load_catalog_text("organisations: [unclosed", "x.yaml")
    bad = MINIMAL.replace("owner: t.clerk", "owner: t.nobody").replace(
        'file_number_pattern: "T-{year}-{seq:04d}"', 'file_number_pattern: "T-{seq}"'
    )
    with pytest.raises(CatalogError) as error:
        load_catalog_text(bad)
    text = "\n".join(error.value.problems)
    assert "unbekannte Person „t.nobody“" in text
    assert "{year}" in text


@pytest.mark.django_db
def test_department_without_lead_is_rejected():
    bad = MINIMAL.replace("roles: [sachbearbeitung, leitung]", "roles: [sachbearbeitung]")
    with pytest.raises(CatalogError, match="keine Leitung"):
        load_catalog_text(bad)


@pytest.mark.django_db
def test_username_taken_by_another_organisation_is_rejected():
    load_catalog_text(MINIMAL)
    other = MINIMAL.replace("slug: testamt", "slug: nachbaramt")
    with pytest.raises(CatalogError, match="schon vergeben"):
        load_catalog_text(other)


@pytest.mark.django_db
def test_extended_fields_are_loaded():
    extended = MINIMAL.replace(
        "deadline_days: 5, fallback: true}",
        "deadline_days: 30, deadline_unit: calendar, fallback: true, sensitive: true, "
        'location: optional, description: "Fragen aller Art"}',
    ).replace(
        "    departments:",
        "    file_plan:\n      - {code: '1.0', title: Allgemeines, "
        "retention_years: 6, disposal: archive}\n    departments:",
    )
    load_catalog_text(extended)
    service = Service.objects.get(code="anfrage")
    assert (service.deadline_unit, service.sensitive, service.location) == (
        "calendar",
        True,
        "optional",
    )
    assert (service.file_plan.retention_years, service.file_plan.disposal) == (6, "archive")
    assert Organisation.objects.get(slug="testamt").state == "BY"


@pytest.mark.django_db
def test_reload_keeps_settings_the_file_does_not_mention():
    load_catalog_file(MUSTERSTADT / "katalog.yaml")
    # An administrator switched automation off in the UI; the file has no such key.
    Service.objects.filter(code="sw-abschlag").update(automation_enabled=False)
    report = load_catalog_file(MUSTERSTADT / "katalog.yaml")
    assert not report.changed
    assert not Service.objects.get(code="sw-abschlag").automation_enabled
