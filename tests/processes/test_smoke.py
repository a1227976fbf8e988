import datetime as dt

import pytest
import time_machine
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_case_gets_default_process(open_case, tasks_of):
    case = open_case("maengel-strasse")
    tasks = tasks_of(case)
    assert [t.name for t in tasks] == ["Bearbeiten"]
    assert tasks[0].assignee.username == "s.wagner"


def test_strasse(library, open_case, tasks_of, complete):
    from buergerticket.processes.services.lifecycle import wake_due
    from buergerticket.cases.models import Case
    start = timezone.now()
    case = open_case("maengel-strasse")
    [task] = tasks_of(case)
    assert task.name == "Prüfung vor Ort"
    complete(task, "s.wagner", schaden_bestaetigt=True, befund="Loch 30 cm")
    [task] = tasks_of(case)
    assert task.name == "Reparaturauftrag erteilen"
    complete(task, "s.wagner", auftragnehmer="Bauhof")
    assert tasks_of(case) == []
    case.refresh_from_db()
    print(case.follow_up, [e.type for e in case.events.all()])
    with time_machine.travel(start + dt.timedelta(days=15)):
        assert wake_due() == 1
    [task] = tasks_of(case)
    assert task.name == "Nachkontrolle"
    complete(task, "s.wagner", behoben=True)
    case = Case.objects.get(pk=case.pk)
    print(case.status, [(e.type, e.actor_label, e.details) for e in case.events.all()])
    assert case.status == "abgeschlossen"


def test_hund(library, open_case, tasks_of, complete):
    from buergerticket.cases.models import Case
    case = open_case("steuer-hund", subject="Hund anmelden")
    [task] = tasks_of(case)
    assert task.kind == "draft" and task.assignee.username == "r.schulz"
    complete(task, "r.schulz", tenor="Für den Hund Bello wird ab 1.1. eine Steuer von 96 € jährlich festgesetzt.", begruendung="Halterin lt. Antrag.")
    [task] = tasks_of(case)
    assert task.kind == "co_signature", task.kind
    assert task.assignee.username == "e.koch"
    complete(task, "e.koch", approved=True)
    [task] = tasks_of(case)
    assert task.kind == "final_signature"
    complete(task, "e.koch", approved=True)
    case = Case.objects.get(pk=case.pk)
    print(case.status, [(e.type, e.actor_label) for e in case.events.all()])
    assert case.status == "abgeschlossen"
