"""The register, task and decision pages: permissions, actions, downloads (Django client)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.test import Client

from buergerticket.processes.models import HumanTask, ProcessModel, ProcessVersion
from tests.conftest import SHARED

pytestmark = pytest.mark.django_db

MIWG = SHARED / "bpmn-miwg"


@pytest.fixture
def client_for(staff):
    def make(username: str) -> Client:
        client = Client()
        client.force_login(staff(username).user)
        return client

    return make


def test_register_is_for_administration_and_leads_only(shipped, client_for):
    assert client_for("admin").get("/arbeitsplatz/prozesse/register/").status_code == 200
    assert client_for("t.nguyen").get("/arbeitsplatz/prozesse/register/").status_code == 200
    assert client_for("s.wagner").get("/arbeitsplatz/prozesse/register/").status_code == 403
    # Leads read, but only administration changes the register.
    model = ProcessModel.objects.get(organisation__slug="musterstadt", key="allgemein")
    url = f"/arbeitsplatz/prozesse/register/{model.pk}/v1/pruefen/"
    assert client_for("t.nguyen").post(url).status_code == 403
    assert client_for("admin").post(url).status_code == 302


def test_other_organisations_models_are_invisible(shipped, client_for):
    model = ProcessModel.objects.get(organisation__slug="stadtwerke", key="sw-umzug")
    admin = client_for("admin")  # Musterstadt
    assert admin.get(f"/arbeitsplatz/prozesse/register/{model.pk}/").status_code == 404
    assert admin.get(f"/arbeitsplatz/prozesse/register/{model.pk}/v1/bpmn/").status_code == 404


def test_upload_check_publish_and_download_through_the_pages(musterstadt, client_for):
    admin = client_for("admin")
    with (MIWG / "A.1.0.bpmn").open("rb") as handle:
        response = admin.post(
            "/arbeitsplatz/prozesse/register/import/",
            {"file": handle, "kind": "ist", "service": ""},
        )
    assert response.status_code == 200
    assert "Importbericht" in response.content.decode()
    version = ProcessVersion.objects.get(file_name="A.1.0.bpmn")
    assert version.kind == "ist" and version.status == "dokumentiert"
    base = f"/arbeitsplatz/prozesse/register/{version.model_id}/v1/"
    page = admin.get(base).content.decode()
    assert "Was die Ausführung verhindert" in page and "isExecutable" in page
    original = admin.get(base + "bpmn/?als=original")
    assert original.content == (MIWG / "A.1.0.bpmn").read_bytes()
    utf8 = admin.get(base + "bpmn/?als=datei")
    assert utf8.content.startswith(b'<?xml version="1.0" encoding="UTF-8"')
    response = admin.post(base + "veroeffentlichen/", follow=True)
    assert "nicht ausführbar" in response.content.decode()
    # A new version of the model through the model page, then publishing it.
    shipped_xml = (
        Path(__file__).resolve().parents[2] / "src/buergerticket/processes/library/allgemein.bpmn"
    )
    service = musterstadt.services.get(code="allgemein")
    admin.post(
        f"/arbeitsplatz/prozesse/register/{version.model_id}/",
        {
            "name": "Allgemeine Anfrage (eigenes Modell)",
            "description": "",
            "service": service.pk,
            "owner": "",
            "attributes": "Rechtsgrundlage: keine\nLeiKa: 99000000000000",
        },
    )
    model = ProcessModel.objects.get(pk=version.model_id)
    assert model.attributes == {"Rechtsgrundlage": "keine", "LeiKa": "99000000000000"}
    with shipped_xml.open("rb") as handle:
        response = admin.post(
            f"/arbeitsplatz/prozesse/register/{model.pk}/version/",
            {"file": handle, "kind": "soll", "note": "eigene Fassung"},
        )
    assert response.status_code == 302
    v2 = ProcessVersion.objects.get(model=model, number=2)
    assert v2.status == "ausfuehrbar"
    admin.post(f"/arbeitsplatz/prozesse/register/{model.pk}/v2/veroeffentlichen/")
    v2.refresh_from_db()
    assert v2.status == "veroeffentlicht"


def test_bad_attribute_lines_are_shown_next_to_the_field(shipped, client_for):
    model = ProcessModel.objects.get(organisation__slug="musterstadt", key="allgemein")
    response = client_for("admin").post(
        f"/arbeitsplatz/prozesse/register/{model.pk}/",
        {
            "name": "X",
            "description": "",
            "service": "",
            "owner": "",
            "attributes": "ohne Doppelpunkt",
        },
    )
    assert response.status_code == 400
    assert "Merkmal: Wert" in response.content.decode()


def test_export_downloads_a_package(shipped, client_for):
    response = client_for("t.nguyen").get(
        "/arbeitsplatz/prozesse/register/export/?leistung=maengel-strasse"
    )
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = json.loads(archive.read("prozessbibliothek.json"))
    assert [m["key"] for m in manifest["models"]] == ["maengel-strasse"]


def test_task_page_is_scoped_and_decision_pdf_only_for_those_involved(
    shipped, open_case, client_for, tasks_of, complete
):
    case = open_case("steuer-hund")
    [draft] = tasks_of(case)
    complete(draft, "r.schulz", tenor="Steuer 96 €")
    [co] = tasks_of(case)
    assert client_for("e.koch").get(f"/arbeitsplatz/prozesse/aufgaben/{co.pk}/").status_code == 200
    assert (
        client_for("s.wagner").get(f"/arbeitsplatz/prozesse/aufgaben/{co.pk}/").status_code == 404
    )
    assert client_for("h.braun").get(f"/arbeitsplatz/prozesse/aufgaben/{co.pk}/").status_code == 404
    decision = case.decisions.get()
    pdf = client_for("e.koch").get(f"/arbeitsplatz/prozesse/bescheide/{decision.pk}/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert (
        client_for("s.wagner").get(f"/arbeitsplatz/prozesse/bescheide/{decision.pk}/").status_code
        == 404
    )


def test_task_form_errors_are_shown_and_nothing_changes(shipped, open_case, client_for, tasks_of):
    case = open_case("maengel-strasse")
    [task] = tasks_of(case)
    response = client_for("s.wagner").post(f"/arbeitsplatz/prozesse/aufgaben/{task.pk}/", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Schaden bestätigt?" in html and "kern-error" in html
    task.refresh_from_db()
    assert task.state == "open"


def test_change_decision_from_the_case_page(shipped, open_case, client_for, tasks_of, complete):
    case = open_case("steuer-hund")
    [draft] = tasks_of(case)
    complete(draft, "r.schulz", tenor="Steuer 96 €")
    response = client_for("r.schulz").post(
        f"/arbeitsplatz/prozesse/vorgaenge/{case.pk}/bescheid/",
        {"tenor": "Steuer 120 €", "begruendung": "Zweithund"},
        follow=True,
    )
    assert response.status_code == 200
    assert case.decisions.count() == 2
    assert "Fassung 2" in response.content.decode()


def test_pages_speak_english(shipped, open_case, client_for):
    open_case("maengel-strasse")
    client = client_for("s.wagner")
    client.cookies["django_language"] = "en"
    html = client.get(
        "/arbeitsplatz/prozesse/aufgaben/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "My tasks" in html


def test_nav_shows_my_tasks_to_all_staff_and_register_to_admins(shipped, client_for):
    html = client_for("s.wagner").get("/arbeitsplatz/prozesse/aufgaben/").content.decode()
    assert "Meine Aufgaben" in html and "Prozessregister" not in html
    html = client_for("admin").get("/arbeitsplatz/prozesse/aufgaben/").content.decode()
    assert "Prozessregister" in html
    assert HumanTask.objects.count() == 0
