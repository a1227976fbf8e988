"""The process register: any valid BPMN 2.0 file as documentation, executability as a status."""

from __future__ import annotations

from pathlib import Path

import pytest

from buergerticket.processes.bpmn import xmlio
from buergerticket.processes.bpmn.xmlio import BpmnFileError
from buergerticket.processes.models import ProcessVersion
from buergerticket.processes.services import register
from tests.conftest import SHARED

pytestmark = pytest.mark.django_db

MIWG = SHARED / "bpmn-miwg"
MIWG_FILES = sorted(MIWG.glob("*.bpmn"))


def test_all_21_miwg_reference_models_are_there():
    assert len(MIWG_FILES) == 21


@pytest.mark.parametrize("path", MIWG_FILES, ids=lambda p: p.stem)
def test_miwg_model_imports_lists_lanes_tasks_and_blockers_and_round_trips(path, musterstadt):
    original = path.read_bytes()
    imported = register.import_version(musterstadt, original, file_name=path.name)
    version = imported.version
    # Stored as received: the original bytes, and the document as UTF-8 text.
    assert bytes(version.original) == original
    assert version.xml.startswith("<") and 'encoding="ISO-8859-1"' not in version.xml[:100]
    # Accepted as documentation; executable only without blocking findings.
    assert version.status in ("dokumentiert", "ausfuehrbar")
    assert (version.status == "ausfuehrbar") == (not version.blocking_findings)
    for finding in version.blocking_findings:
        assert finding["element_id"] or finding["element_type"] == "process"
        assert finding["element_type"] and finding["message"]
    analysis = version.analysis
    assert analysis["has_diagram"] is True
    assert analysis["processes"]
    declared = [t for t in analysis["user_tasks"]]
    root = xmlio.decode(original).root
    bpmn = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    expected_tasks = {
        e.get("id") for tag in ("userTask", "manualTask", "task") for e in root.iter(bpmn + tag)
    }
    assert {t["id"] for t in declared} == expected_tasks
    expected_lanes = {e.get("id") for e in root.iter(bpmn + "lane")}
    assert {lane["id"] for lane in analysis["lanes"]} == expected_lanes
    # Export (UTF-8) loses no element, attribute, text or comment.
    exported = version.xml.encode("utf-8")
    assert xmlio.canonical(exported) == xmlio.canonical(original)


def test_iso_8859_1_models_are_decoded_by_their_declaration(musterstadt):
    path = MIWG / "A.1.0.bpmn"
    assert b'encoding="ISO-8859-1"' in path.read_bytes()[:100]
    version = register.import_version(musterstadt, path.read_bytes(), file_name=path.name).version
    assert version.original_encoding == "iso-8859-1"
    assert version.xml.startswith('<?xml version="1.0" encoding="UTF-8"')


def test_miwg_blockers_are_named_precisely(musterstadt):
    version = register.import_version(
        musterstadt, (MIWG / "C.1.0.bpmn").read_bytes(), file_name="C.1.0.bpmn"
    ).version
    by_id: dict[str, list[dict]] = {}
    for finding in version.blocking_findings:
        by_id.setdefault(finding["element_id"], []).append(finding)
    approve = " ".join(f["message"] for f in by_id["approveInvoice"])
    assert "Dynamische Zuweisung „${approver}“" in approve
    assert "„Approver“ gibt es hier nicht" in approve  # potentialOwner → resource name
    assert by_id["archiveInvoice"][0]["element_type"] == "serviceTask"
    assert "delegateExpression" in by_id["archiveInvoice"][0]["message"]
    lanes = {lane["name"] for lane in version.analysis["lanes"]}
    assert {"Approver", "Team Assistant", "Accountant"} <= lanes


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "leer"),
        (b"<definitions", "kein gültiges XML"),
        (b"<?xml version='1.0'?><html/>", "kein BPMN-2.0-Modell"),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
            b'<d xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&a;</d>',
            "DOCTYPE",
        ),
        (
            b'<?xml version="1.0" encoding="ISO-8859-1"?><x/>' + "ä".encode("utf-16"),
            "kein gültiges XML",
        ),
    ],
)
def test_invalid_files_are_refused_with_a_reason(musterstadt, content, message):
    with pytest.raises(BpmnFileError, match=message):
        register.import_version(musterstadt, content, file_name="kaputt.bpmn")
    assert not ProcessVersion.objects.exists()


UNSUPPORTED = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <process id="p" isExecutable="true">
    <startEvent id="s"/>
    <scriptTask id="script" name="Rechnen" scriptFormat="python">
      <script>import os</script>
    </scriptTask>
    <userTask id="u" name="Prüfen" camunda:candidateGroups="gibtsnicht">
      <extensionElements>
        <camunda:taskListener event="create">
          <camunda:script scriptFormat="js">x</camunda:script>
        </camunda:taskListener>
      </extensionElements>
    </userTask>
    <serviceTask id="svc" name="Mailen" camunda:type="external" camunda:topic="mail.unbekannt"/>
    <exclusiveGateway id="g"/>
    <endEvent id="e"/>
    <endEvent id="e2"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="script"/>
    <sequenceFlow id="f2" sourceRef="script" targetRef="u"/>
    <sequenceFlow id="f3" sourceRef="u" targetRef="svc"/>
    <sequenceFlow id="f4" sourceRef="svc" targetRef="g"/>
    <sequenceFlow id="f5" sourceRef="g" targetRef="e">
      <conditionExpression>__import__('os').system('id')</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="f6" sourceRef="g" targetRef="e2">
      <conditionExpression>${execution.getVariable("x")}</conditionExpression>
    </sequenceFlow>
  </process>
</definitions>"""


def test_unsupported_elements_are_listed_by_id_and_type(musterstadt):
    version = register.import_version(musterstadt, UNSUPPORTED.encode(), file_name="x.bpmn").version
    assert version.status == "dokumentiert"
    found = {(f["element_id"], f["element_type"]) for f in version.blocking_findings}
    assert ("script", "scriptTask") in found
    assert ("u", "userTask") in found  # unknown group and a script listener
    assert ("svc", "serviceTask") in found  # handler not registered
    assert ("f5", "sequenceFlow") in found  # not in the expression whitelist
    assert ("f6", "sequenceFlow") in found  # JUEL method call
    messages = " ".join(f["message"] for f in version.blocking_findings)
    assert "nie ausgeführt" in messages and "gibtsnicht" in messages
    assert "mail.unbekannt" in messages
    with pytest.raises(register.RegisterError, match="nicht ausführbar"):
        register.publish(version, actor=None)


def test_status_executable_after_roles_and_handlers_check(musterstadt, staff):
    xml = (Path(register.LIBRARY) / "maengel-strasse.bpmn").read_text()
    version = register.import_version(
        musterstadt, xml.encode(), file_name="m.bpmn", key="eigenes"
    ).version
    assert version.status == "ausfuehrbar", version.findings
    # Publishing needs a service.
    with pytest.raises(register.RegisterError, match="keiner Leistung"):
        register.publish(version, actor=staff("admin"))


def test_model_with_unknown_department_becomes_executable_once_it_exists(musterstadt):
    from buergerticket.org.models import Department

    xml = (Path(register.LIBRARY) / "sw-umzug.bpmn").read_text()  # names sachbearbeitung@ABR
    version = register.import_version(musterstadt, xml.encode(), file_name="u.bpmn").version
    assert version.status == "dokumentiert"
    assert any("ABR" in f["message"] for f in version.blocking_findings)
    Department.objects.create(organisation=musterstadt, code="ABR", name="Abrechnung")
    register.recheck(version)
    assert version.status == "ausfuehrbar"


def test_reimporting_the_same_file_adds_no_version(musterstadt):
    data = (MIWG / "A.1.0.bpmn").read_bytes()
    first = register.import_version(musterstadt, data, file_name="A.1.0.bpmn")
    again = register.import_version(musterstadt, data, file_name="A.1.0.bpmn")
    assert again.unchanged and again.version == first.version


def test_layout_is_generated_for_models_without_diagram(musterstadt):
    from lxml import etree

    from buergerticket.processes.bpmn import layout

    xml = (Path(register.LIBRARY) / "steuer-hund.bpmn").read_text()
    root = xmlio.decode(xml.encode()).root
    for diagram in root.findall("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNDiagram"):
        root.remove(diagram)
    bare = etree.tostring(root, encoding="unicode")
    version = register.import_version(musterstadt, bare.encode(), file_name="bare.bpmn").version
    assert version.analysis["has_diagram"] is False
    drawn = xmlio.parse(layout.with_diagram(version.xml))
    shapes = drawn.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")
    elements = {s.get("bpmnElement") for s in shapes}
    assert {"draft", "co", "final", "send", "Participant_steuer-hund"} <= elements
    assert version.xml == bare  # the stored model itself is untouched
