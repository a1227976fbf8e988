"""A case's workflow state lives with it in the database; corruption is an error on the case."""

from __future__ import annotations

import pytest
from django.test import Client

from buergerticket.cases import services as case_services
from buergerticket.processes.bpmn.spiff import clear_cache
from buergerticket.processes.models import ProcessInstance
from buergerticket.processes.services import lifecycle, recovery

pytestmark = pytest.mark.django_db


def test_state_survives_a_restart(shipped, open_case, tasks_of, complete):
    case = open_case("steuer-hund")
    [draft] = tasks_of(case)
    instance = ProcessInstance.objects.get(case=case)
    assert '"spec_sha256"' in instance.state and len(instance.state) < 20000
    clear_cache()  # a new process: nothing but the database
    complete(draft, "r.schulz", tenor="Steuer 96 €")
    [co] = tasks_of(case)
    assert co.kind == "co_signature"


@pytest.mark.parametrize(
    "corruption",
    ["{kaputt", "[]", '{"tasks": {}, "root": "x"}', ""],
)
def test_corrupt_state_is_an_error_on_the_case_not_a_server_error(
    shipped, open_case, tasks_of, complete, staff, corruption
):
    case = open_case("maengel-strasse")
    [task] = tasks_of(case)
    ProcessInstance.objects.filter(case=case).update(state=corruption)
    client = Client()
    client.force_login(staff("s.wagner").user)
    page = client.get(f"/arbeitsplatz/vorgaenge/{case.pk}/")
    assert page.status_code == 200
    assert "Prozesszustand beschädigt" in page.content.decode()
    task_page = client.post(
        f"/arbeitsplatz/prozesse/aufgaben/{task.pk}/",
        {f"t{task.pk}-schaden_bestaetigt": "ja", f"t{task.pk}-befund": "x"},
    )
    assert task_page.status_code == 409
    assert "beschädigt" in task_page.content.decode()
    with pytest.raises(case_services.CaseError, match="beschädigt"):
        complete(task, "s.wagner", schaden_bestaetigt=True, befund="x")


def test_corrupt_state_found_by_the_worker_is_recorded_once(shipped, open_case, clock):
    case = open_case("maengel-strasse")
    ProcessInstance.objects.filter(case=case).update(state="{kaputt")
    clock.advance(days=4)  # the escalation timer is due
    assert lifecycle.wake_due() == 1
    instance = ProcessInstance.objects.get(case=case)
    assert instance.status == "error" and "beschädigt" in instance.error
    assert lifecycle.wake_due() == 0
    assert case.events.filter(type="process_error").count() == 1


def test_lead_restarts_a_broken_process_with_the_same_version(shipped, open_case, tasks_of, staff):
    case = open_case("maengel-strasse")
    old = ProcessInstance.objects.get(case=case)
    ProcessInstance.objects.filter(pk=old.pk).update(state="{kaputt")
    with pytest.raises(case_services.CasePermissionDenied):
        recovery.restart(case.pk, staff=staff("s.wagner"), reason="kaputt")
    new = recovery.restart(case.pk, staff=staff("t.nguyen"), reason="Zustand beschädigt")
    assert new.version == old.version and new.status == "running"
    old.refresh_from_db()
    assert old.status == "cancelled"
    [task] = tasks_of(case)
    assert task.name == "Prüfung vor Ort"
    assert case.events.get(type="process_restarted").reason == "Zustand beschädigt"


def test_closing_a_case_by_hand_ends_its_process_and_reopening_starts_it_again(
    shipped, open_case, tasks_of, staff
):
    from buergerticket.cases.history import Actor

    case = open_case("maengel-strasse")
    clerk = Actor.for_staff(staff("s.wagner"))
    case_services.set_status(case.pk, actor=clerk, status="abgeschlossen", reason="Dublette")
    instance = ProcessInstance.objects.get(case=case)
    assert instance.status == "cancelled"
    assert tasks_of(case) == []
    case_services.reopen(case.pk, actor=clerk, reason="doch keine Dublette")
    runs = ProcessInstance.objects.filter(case=case).order_by("pk")
    assert [r.status for r in runs] == ["cancelled", "running"]
    assert runs[1].version == runs[0].version
    assert [t.name for t in tasks_of(case)] == ["Prüfung vor Ort"]


def test_a_broken_model_never_stops_a_case_from_opening(musterstadt, open_case, staff):
    from buergerticket.processes.models import ProcessVersion
    from buergerticket.processes.services import register

    register.install_bundled_models(musterstadt)
    ProcessVersion.objects.filter(model__key="allgemein").update(xml="<kaputt")
    clear_cache()
    case = open_case("allgemein")
    assert case.pk is not None
    instance = ProcessInstance.objects.get(case=case)
    assert instance.status == "error"
    assert "nicht gestartet" in instance.error
