"""Administrators edit organisation, departments, staff, services and file plan in the UI."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from buergerticket.catalog.models import Service
from buergerticket.org.models import ConfigChange, Department, Organisation, Staff, User


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.django_db
def test_only_administrators_reach_the_configuration(catalog):
    assert login("admin").get(reverse("workspace:config")).status_code == 200
    assert login("t.nguyen").get(reverse("workspace:config")).status_code == 403
    assert (
        login("b.wolf").get(reverse("workspace:config_section", args=["leistungen"])).status_code
        == 403
    )


@pytest.mark.django_db
def test_admin_edits_a_service_and_the_change_is_logged(catalog):
    service = Service.objects.get(code="ordnung-laerm")
    url = reverse("workspace:config_edit", args=["leistungen", service.pk])
    client = login("admin")
    page = client.get(url).content.decode()
    assert "Lärmbelästigung" in page
    data = {
        "code": "ordnung-laerm",
        "name": "Lärm melden",
        "description": "Lärm in der Nachbarschaft",
        "requirements": "",
        "department": service.department_id,
        "owner": service.owner_id,
        "file_plan": service.file_plan_id,
        "deadline_days": 8,
        "deadline_unit": "working",
        "fee_eur": "",
        "public": "on",
        "location": "optional",
        "closed_reply": "reopen",
        "automation": "",
        "keywords": "laut, Lärm",
        "active": "on",
        "form_definition": "- {name: uhrzeit, label: Uhrzeit, type: text}",
    }
    assert client.post(url, data).status_code == 302
    service.refresh_from_db()
    assert (service.name, service.deadline_days, service.location) == ("Lärm melden", 8, "optional")
    assert service.form == [{"name": "uhrzeit", "label": "Uhrzeit", "type": "text"}]
    change = ConfigChange.objects.get(entity="service")
    assert change.actor.user.username == "admin"
    assert change.changes["name"] == ["Lärmbelästigung", "Lärm melden"]


@pytest.mark.django_db
def test_invalid_input_keeps_what_was_typed(catalog):
    service = Service.objects.get(code="ordnung-laerm")
    client = login("admin")
    response = client.post(
        reverse("workspace:config_edit", args=["leistungen", service.pk]),
        {
            "code": "ordnung-laerm",
            "name": "Neuer Name",
            "department": service.department_id,
            "owner": Staff.objects.get(user__username="s.wagner").pk,
            "file_plan": service.file_plan_id,
            "deadline_days": 8,
            "deadline_unit": "working",
            "location": "none",
            "closed_reply": "reopen",
            "form_definition": "- {name: Feld, label: X, type: zauber}",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Neuer Name" in html
    assert "gehört nicht zum Fachbereich" in html and "unbekannter Feldtyp" in html
    assert Service.objects.get(pk=service.pk).name == "Lärmbelästigung"


@pytest.mark.django_db
def test_admin_creates_staff_with_roles_and_deputy(catalog):
    tba = Department.objects.get(organisation__slug="musterstadt", code="TBA")
    response = login("admin").post(
        reverse("workspace:config_create", args=["mitarbeitende"]),
        {
            "username": "n.neu",
            "name": "Nora Neu",
            "email": "n.neu@musterstadt.example",
            "department": tba.pk,
            "roles": ["sachbearbeitung"],
            "deputy": Staff.objects.get(user__username="t.nguyen").pk,
            "active": "on",
            "password": "ein-sehr-langes-Passwort-2026",
        },
    )
    assert response.status_code == 302
    nora = Staff.objects.get(user__username="n.neu")
    assert nora.organisation.slug == "musterstadt" and nora.roles == ["sachbearbeitung"]
    assert nora.user.check_password("ein-sehr-langes-Passwort-2026")
    assert ConfigChange.objects.get(entity="staff").changes.get("password") == ["***", "***"]


@pytest.mark.django_db
def test_choices_never_offer_another_organisations_data(catalog):
    html = login("admin").get(reverse("workspace:config_create", args=["leistungen"])).content
    assert b"Bernd Wolf" not in html and b"Abrechnung" not in html
    wolf = Staff.objects.get(user__username="b.wolf")
    response = login("admin").post(
        reverse("workspace:config_create", args=["fachbereiche"]),
        {"code": "NEU", "name": "Neues Amt", "lead": wolf.pk},
    )
    assert response.status_code == 400
    assert not Department.objects.filter(code="NEU").exists()
    other = Service.objects.get(code="sw-rechnung")
    assert (
        login("admin")
        .get(reverse("workspace:config_edit", args=["leistungen", other.pk]))
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_organisation_settings_validate_the_file_number_pattern(catalog):
    client = login("admin")
    org = Organisation.objects.get(slug="musterstadt")
    response = client.post(
        reverse("workspace:config_organisation"),
        {"name": org.name, "mailbox": org.mailbox, "file_number_pattern": "{seq}", "state": "NW"},
    )
    assert response.status_code == 400 and "{year}" in response.content.decode()
    response = client.post(
        reverse("workspace:config_organisation"),
        {
            "name": org.name,
            "mailbox": org.mailbox,
            "file_number_pattern": org.file_number_pattern,
            "state": "BY",
            "imprint": "Stadt Musterstadt, Rathausplatz 1",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.state == "BY" and org.imprint.startswith("Stadt Musterstadt")
