"""Service tasks call registered handlers; failures stay visible on the case; scripts never run."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from buergerticket.cases.models import Case
from buergerticket.processes import handlers
from buergerticket.processes.models import ProcessInstance
from buergerticket.processes.services import register

pytestmark = pytest.mark.django_db

CONNECTOR_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:bt="urn:buergerticket:bpmn:1.0"
  id="d" targetNamespace="x">
  <process id="p" name="Mit Schnittstelle" isExecutable="true">
    <startEvent id="s"/>
    <userTask id="u" name="Prüfen" camunda:candidateGroups="sachbearbeitung"/>
    <serviceTask id="sap" name="Vertrag im SAP ändern" camunda:type="external"
      camunda:topic="test.sap">
      <extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="vertrag">4000{nr}</camunda:inputParameter>
      </camunda:inputOutput></extensionElements>
    </serviceTask>
    <serviceTask id="close" name="Abschließen" bt:handler="case.close"/>
    <endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="u"/>
    <sequenceFlow id="f2" sourceRef="u" targetRef="sap"/>
    <sequenceFlow id="f3" sourceRef="sap" targetRef="close"/>
    <sequenceFlow id="f4" sourceRef="close" targetRef="e"/>
  </process>
</definitions>"""


@pytest.fixture
def sap():
    """A registered connector handler that fails until told otherwise."""
    calls = []
    state = {"fail": True}

    @handlers.register("test.sap", label="Test-Connector SAP", params=("vertrag",))
    def connector(ctx):
        calls.append(ctx.params["vertrag"])
        if state["fail"]:
            raise ConnectionRefusedError("SAP-Gateway sap.example:443 verweigert die Verbindung")
        return {"sap_beleg": "4711"}

    yield state, calls
    handlers._registry.pop("test.sap", None)


@pytest.fixture
def connector_case(sap, musterstadt, open_case, staff):
    service = musterstadt.services.get(code="abfall-abholung")
    version = register.import_version(
        musterstadt, CONNECTOR_MODEL.encode(), file_name="c.bpmn", service=service
    ).version
    assert version.status == "ausfuehrbar", version.findings
    register.publish(version, actor=staff("admin"))
    return open_case("abfall-abholung")


def test_a_failing_handler_shows_its_real_error_on_the_case(
    connector_case, sap, tasks_of, complete, staff
):
    state, calls = sap
    [task] = tasks_of(connector_case)
    complete(task, "j.schmidt")
    instance = ProcessInstance.objects.get(case=connector_case)
    assert instance.status == "error"
    assert instance.error_element == "sap"
    assert "ConnectionRefusedError: SAP-Gateway sap.example:443 verweigert" in instance.error
    assert "name 'script' is not defined" not in instance.error
    event = connector_case.events.get(type="process_error")
    assert "verweigert die Verbindung" in event.reason
    assert Case.objects.get(pk=connector_case.pk).status != "abgeschlossen"
    client = Client()
    client.force_login(staff("j.schmidt").user)
    page = client.get(f"/arbeitsplatz/vorgaenge/{connector_case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Fehler im Prozess" in html and "verweigert die Verbindung" in html
    # The cause is fixed; someone retries the step.
    state["fail"] = False
    response = client.post(f"/arbeitsplatz/prozesse/instanzen/{instance.pk}/wiederholen/")
    assert response.status_code == 302
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert calls == ["4000{nr}", "4000{nr}"]  # unknown placeholders stay as written
    case = Case.objects.get(pk=connector_case.pk)
    assert case.status == "abgeschlossen"
    types = [e.type for e in case.events.order_by("seq")]
    assert types[-3:] == ["process_retried", "process_step", "status_changed"]


def test_handler_writes_are_rolled_back_when_it_fails(
    musterstadt, open_case, staff, tasks_of, complete
):
    from buergerticket.cases import services as case_services

    @handlers.register("test.half", label="Halb")
    def half(ctx):
        case_services.add_note(ctx.case_id, actor=ctx.actor, text="soll verschwinden")
        raise handlers.HandlerError("Abbruch nach dem Vermerk")

    try:
        model = CONNECTOR_MODEL.replace(
            'camunda:type="external"\n      camunda:topic="test.sap"', 'bt:handler="test.half"'
        )
        service = musterstadt.services.get(code="abfall-abholung")
        version = register.import_version(
            musterstadt, model.encode(), file_name="h.bpmn", service=service
        ).version
        register.publish(version, actor=staff("admin"))
        case = open_case("abfall-abholung")
        [task] = tasks_of(case)
        complete(task, "j.schmidt")
        assert not case.messages.filter(kind="note").exists()
        instance = ProcessInstance.objects.get(case=case)
        assert instance.error == "Abbruch nach dem Vermerk"
    finally:
        handlers._registry.pop("test.half", None)


SCRIPT_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <process id="p" isExecutable="true">
    <startEvent id="s"/>
    <scriptTask id="evil" scriptFormat="python">
      <script>open({path!r}, "w").write("gelaufen")</script>
    </scriptTask>
    <endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="evil"/>
    <sequenceFlow id="f2" sourceRef="evil" targetRef="e"/>
  </process>
</definitions>"""


def test_scripts_from_models_never_run(tmp_path, musterstadt):
    from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

    from buergerticket.processes import engine
    from buergerticket.processes.bpmn import spiff, xmlio

    marker = Path(tmp_path) / "marker"
    xml = SCRIPT_MODEL.replace("{path!r}", repr(str(marker)))
    version = register.import_version(musterstadt, xml.encode(), file_name="s.bpmn").version
    assert version.status == "dokumentiert"
    assert any(f["element_type"] == "scriptTask" for f in version.blocking_findings)
    # Even if someone bypassed the register and ran the spec, the task refuses.
    built = spiff.build(xmlio.decode(xml.encode()).root, "p")
    workflow = engine.new_workflow(built)
    with pytest.raises(WorkflowTaskException, match="nicht ausgeführt"):
        workflow.do_engine_steps()
    assert not marker.exists()
    with pytest.raises(WorkflowTaskException, match="nicht ausgeführt"):
        spiff.SCRIPT_ENGINE.execute(workflow.task_tree, f"open({str(marker)!r}, 'w')")
    assert not marker.exists()


FIRST_STEP_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:bt="urn:buergerticket:bpmn:1.0"
  id="d" targetNamespace="x">
  <process id="p" isExecutable="true">
    <startEvent id="s"/>
    <serviceTask id="note" name="Eingang vermerken" bt:handler="case.note">
      <extensionElements><bt:param name="text" value="Eingang über {channel}"/></extensionElements>
    </serviceTask>
    <userTask id="u" name="Bearbeiten" camunda:candidateGroups="sachbearbeitung"/>
    <endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="note"/>
    <sequenceFlow id="f2" sourceRef="note" targetRef="u"/>
    <sequenceFlow id="f3" sourceRef="u" targetRef="e"/>
  </process>
</definitions>"""


def test_a_service_task_right_after_intake_runs_in_the_worker(
    musterstadt, open_case, staff, tasks_of
):
    """Inside the case's own write nothing may change the case; the engine's first steps
    (here a service task that writes a note) run right after commit, in the worker."""
    from buergerticket.processes.services.lifecycle import wake_due

    service = musterstadt.services.get(code="kultur-raum")
    version = register.import_version(
        musterstadt, FIRST_STEP_MODEL.encode(), file_name="f.bpmn", service=service
    ).version
    register.publish(version, actor=staff("admin"))
    from buergerticket.cases.history import Actor
    from buergerticket.intake import pipeline

    case = pipeline.submit(
        pipeline.Draft(organisation=musterstadt, channel="portal", subject="Raum", service=service),
        actor=Actor.requester(),
    ).case
    instance = ProcessInstance.objects.get(case=case)
    # Committed with the case, not yet started: the engine runs right after commit.
    assert instance.wake_at is not None and instance.state == ""
    assert not case.messages.filter(kind="note").exists()
    assert wake_due() == 1
    note = case.messages.get(kind="note")
    assert note.body == "Eingang über portal"
    assert note.author_label.startswith("Prozess „")
    assert [t.name for t in tasks_of(case)] == ["Bearbeiten"]
    assert wake_due() == 0
