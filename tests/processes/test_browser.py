"""The register pages, the task list, a task page and the case panel in Chromium, with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible
from tests.conftest import SHARED

MIWG = SHARED / "bpmn-miwg"


@pytest.fixture
def hund(db, open_case, catalog):
    from buergerticket.processes.services.register import install_bundled_models

    install_bundled_models()
    return open_case("steuer-hund", subject="Hund anmelden")


@pytest.mark.django_db(transaction=True)
def test_register_pages_and_diagram(page, login_as, hund):
    from buergerticket.org.models import Organisation
    from buergerticket.processes.models import ProcessModel
    from buergerticket.processes.services import library

    org = Organisation.objects.get(slug="musterstadt")
    library.import_file(org, (MIWG / "C.1.0.bpmn").read_bytes(), file_name="C.1.0.bpmn")
    login_as("admin")
    page.goto("/arbeitsplatz/prozesse/register/")
    assert page.get_by_role("heading", level=1).inner_text() == "Prozessregister"
    expect(page.get_by_role("link", name="Hundesteuer an- oder abmelden")).to_be_visible()
    assert_accessible(page)

    model = ProcessModel.objects.get(organisation=org, key="steuer-hund")
    page.goto(f"/arbeitsplatz/prozesse/register/{model.pk}/")
    assert_accessible(page)

    page.goto(f"/arbeitsplatz/prozesse/register/{model.pk}/v1/")
    page.wait_for_selector("#bt-diagram[data-state='ready']")
    # bpmn-js drew the model; its watermark (licence) is visible.
    assert page.locator("#bt-diagram .djs-element[data-element-id='final']").count() == 1
    expect(page.locator("#bt-diagram .bjs-powered-by")).to_be_visible()
    assert_accessible(page, exclude=["#bt-diagram"])  # the drawing has a text alternative

    miwg = ProcessModel.objects.get(organisation=org, versions__file_name="C.1.0.bpmn")
    page.goto(f"/arbeitsplatz/prozesse/register/{miwg.pk}/v1/")
    page.wait_for_selector("#bt-diagram[data-state='ready']")
    text = page.locator("main").inner_text()
    assert "Was die Ausführung verhindert" in text
    assert "approveInvoice" in text and "Team Assistant" in text
    assert_accessible(page, exclude=["#bt-diagram"])


@pytest.mark.django_db(transaction=True)
def test_import_page_shows_the_report(page, login_as, catalog, tmp_path):
    login_as("admin")
    page.goto("/arbeitsplatz/prozesse/register/")
    page.set_input_files("input[type=file]", str(MIWG / "C.9.2.bpmn"))
    page.get_by_role("button", name="Importieren").click()
    page.wait_for_url("**/register/import/")
    assert page.get_by_role("heading", level=1).inner_text() == "Importbericht"
    assert "CallActivity_RequestDocument" in page.locator("main").inner_text()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_task_list_task_page_and_case_panel(page, login_as, hund):
    login_as("r.schulz")
    page.goto("/arbeitsplatz/prozesse/aufgaben/")
    assert page.get_by_role("heading", level=1).inner_text() == "Meine Aufgaben"
    assert page.get_by_role("link", name="Meine Aufgaben").get_attribute("aria-current") == "page"
    assert_accessible(page)
    page.get_by_role("link", name="Bescheid entwerfen").click()
    assert_accessible(page)
    page.get_by_label("Entscheidung (Tenor)").fill("Hundesteuer 96,00 € jährlich ab 1. Januar.")
    page.get_by_role("button", name="Bescheid erstellen und weitergeben").click()
    page.wait_for_url(f"**/vorgaenge/{hund.pk}/")
    panel = page.locator("#process").locator("xpath=..")
    assert "Mitzeichnung" in panel.inner_text()
    assert "Fassung 1 (PDF)" in panel.inner_text()
    assert_accessible(page)
    # The co-signer sees the task and signs.
    login_as("e.koch")
    page.goto("/arbeitsplatz/prozesse/aufgaben/")
    page.get_by_role("link", name="Mitzeichnung").click()
    page.get_by_label("Ja, ich zeichne").check()
    assert_accessible(page)
    page.get_by_role("button", name="Mitzeichnung abgeben").click()
    page.wait_for_url(f"**/vorgaenge/{hund.pk}/")
    assert "Schlusszeichnung" in page.locator("#process").locator("xpath=..").inner_text()


@pytest.mark.django_db(transaction=True)
def test_refused_signature_shows_the_reason_next_to_the_form(page, login_as, hund):
    from buergerticket.org.models import Staff
    from buergerticket.processes.models import HumanTask
    from buergerticket.processes.services.tasks import complete_task

    draft = HumanTask.objects.get(case=hund)
    complete_task(
        draft.pk,
        staff=Staff.objects.get(user__username="r.schulz"),
        data={f"t{draft.pk}-tenor": "Steuer 96 €"},
    )
    co = HumanTask.objects.get(case=hund, state="open")
    login_as("r.schulz")  # the author: may see it, may not sign it
    page.goto(f"/arbeitsplatz/prozesse/aufgaben/{co.pk}/")
    assert "selbst verfasst" in page.locator("main").inner_text()
    page.get_by_label("Ja, ich zeichne").check()
    page.get_by_role("button", name="Mitzeichnung abgeben").click()
    assert "selbst verfasst" in page.get_by_role("alert").first.inner_text()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_every_miwg_reference_model_shows_its_diagram(page, login_as, catalog):
    from buergerticket.org.models import Organisation
    from buergerticket.processes.services import library

    org = Organisation.objects.get(slug="musterstadt")
    versions = []
    for path in sorted(MIWG.glob("*.bpmn")):
        report = library.import_file(org, path.read_bytes(), file_name=path.name)
        [item] = report.imported
        versions.append((path.stem, item["key"], item["version"]))
    assert len(versions) == 21
    from buergerticket.processes.models import ProcessModel

    login_as("admin")
    for stem, key, number in versions:
        model = ProcessModel.objects.get(organisation=org, key=key)
        page.goto(f"/arbeitsplatz/prozesse/register/{model.pk}/v{number}/")
        page.wait_for_selector("#bt-diagram[data-state]")
        assert page.get_attribute("#bt-diagram", "data-state") == "ready", stem
        assert page.locator("#bt-diagram .djs-element").count() > 3, stem
