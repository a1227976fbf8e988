"""Every model shipped for the Musterstadt services, end to end, on the real write path."""

from __future__ import annotations

from pathlib import Path

import pytest

from buergerticket.cases.models import Case
from buergerticket.processes.models import ProcessInstance, ProcessVersion

pytestmark = pytest.mark.django_db

LIBRARY = Path(__file__).resolve().parents[2] / "src/buergerticket/processes/library"
SERVICES = sorted(p.stem for p in LIBRARY.glob("*.bpmn") if not p.stem.startswith("standard"))


def test_every_musterstadt_service_has_a_shipped_executable_model(shipped):
    from buergerticket.catalog.models import Service

    codes = set(Service.objects.values_list("code", flat=True))
    assert codes == set(SERVICES)
    published = ProcessVersion.objects.filter(status="veroeffentlicht", model__builtin=False)
    assert {v.model.service.code for v in published} == codes
    assert all(not v.blocking_findings for v in published)


@pytest.mark.parametrize("code", SERVICES)
def test_shipped_model_runs_to_the_end(code, shipped, open_case, drive):
    case = open_case(code, subject=f"Anliegen zu {code}")
    instance = ProcessInstance.objects.get(case=case)
    assert instance.version.model.key == code
    steps = drive(case)
    assert steps, "no task was ever offered"
    case = Case.objects.get(pk=case.pk)
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert case.status == "abgeschlossen"
    types = [e.type for e in case.events.order_by("seq")]
    assert types[:2] == ["intake", "assigned"]
    assert "task_completed" in types or "final_signature" in types
    # Automation acts through the write path and says which process did it.
    closing = case.events.filter(type="status_changed").last()
    assert closing.actor_kind == "automation"
    assert closing.actor_label.startswith(f"Prozess „{instance.version.model.name}“ v")


def test_default_models_for_services_without_one(open_case, drive):
    """Without the library every service uses the built-in flows (legal acts: with sign-off)."""
    case = open_case("maengel-muell")
    instance = ProcessInstance.objects.get(case=case)
    assert (instance.version.model.key, instance.version.model.builtin) == ("standard", True)
    assert drive(case) == ["Bearbeiten"]
    assert Case.objects.get(pk=case.pk).status == "abgeschlossen"

    legal = open_case("steuer-hund")
    instance = ProcessInstance.objects.get(case=legal)
    assert instance.version.model.key == "standard-verwaltungsakt"
    assert drive(legal) == ["Bescheid entwerfen", "Schlusszeichnung"]
    legal = Case.objects.get(pk=legal.pk)
    assert legal.status == "abgeschlossen"
    assert legal.decided_at is not None


def test_maengel_strasse_inspection_repair_follow_up_close(
    shipped, open_case, tasks_of, complete, clock
):
    from buergerticket.processes.services.lifecycle import wake_due

    case = open_case("maengel-strasse")
    [inspect] = tasks_of(case)
    assert (inspect.name, inspect.assignee.username) == ("Prüfung vor Ort", "s.wagner")
    # Due when its boundary timer (3 days) would escalate it.
    assert inspect.due_from_timer
    assert abs((inspect.due - clock.now()).total_seconds() - 3 * 86400) < 60
    complete(inspect, "s.wagner", schaden_bestaetigt=True, befund="Schlagloch 30 cm")
    [order] = tasks_of(case)
    assert order.name == "Reparaturauftrag erteilen"
    complete(order, "s.wagner", auftragnehmer="Bauhof")
    case.refresh_from_db()
    assert case.status == "in_bearbeitung"
    assert case.follow_up == clock.now().date() + __import__("datetime").timedelta(days=14)
    assert tasks_of(case) == []  # waiting for the follow-up timer
    clock.advance(days=13)
    assert wake_due() == 0
    assert tasks_of(case) == []
    clock.advance(days=1, minutes=5)
    assert wake_due() == 1
    [check] = tasks_of(case)
    assert check.name == "Nachkontrolle"
    complete(check, "s.wagner", behoben=True)
    case = Case.objects.get(pk=case.pk)
    assert case.status == "abgeschlossen"
    reply = case.messages.get(kind="outgoing")
    assert "Schlagloch 30 cm" in reply.body
    assert [e.type for e in case.events.order_by("seq")] == [
        "intake",
        "assigned",
        "status_changed",
        "task_completed",
        "task_completed",
        "follow_up_set",
        "process_timer",
        "task_completed",
        "reply",
        "status_changed",
    ]


def test_maengel_strasse_without_damage_replies_and_closes(shipped, open_case, tasks_of, complete):
    case = open_case("maengel-strasse")
    [inspect] = tasks_of(case)
    complete(inspect, "s.wagner", schaden_bestaetigt=False, befund="nur Pfütze")
    case = Case.objects.get(pk=case.pk)
    assert case.status == "abgeschlossen"
    assert "keinen Handlungsbedarf" in case.messages.get(kind="outgoing").body


def test_running_case_keeps_its_version_new_cases_get_the_new_one(shipped, open_case, staff):
    from buergerticket.processes.services import register

    old_case = open_case("maengel-strasse")
    v1 = ProcessInstance.objects.get(case=old_case).version
    xml = v1.xml.replace("Prüfung vor Ort", "Ortstermin")
    v2 = register.import_version(
        v1.model.organisation,
        xml.encode(),
        file_name="maengel-strasse.bpmn",
        key="maengel-strasse",
        actor=staff("admin"),
    ).version
    assert v2.number == 2 and v2.status == "ausfuehrbar"
    register.publish(v2, actor=staff("admin"))
    v1.refresh_from_db()
    assert v1.status == "abgeloest"
    new_case = open_case("maengel-strasse")
    assert ProcessInstance.objects.get(case=new_case).version == v2
    assert ProcessInstance.objects.get(case=old_case).version == v1
    assert old_case.process_tasks.get().name == "Prüfung vor Ort"
    assert new_case.process_tasks.get().name == "Ortstermin"
