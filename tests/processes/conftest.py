"""Fixtures for process tests: shipped models installed, a task driver, a clock."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def shipped(catalog):
    """Both Musterstadt organisations with their shipped models published."""
    from buergerticket.processes.services.register import install_bundled_models

    return install_bundled_models()


@pytest.fixture
def tasks_of():
    """``tasks_of(case)`` → the case's open tasks, oldest first."""
    from buergerticket.processes.models import HumanTask
    from buergerticket.processes.services.lifecycle import start_pending

    def get(case):
        start_pending(case)  # as the case page does before it lists tasks
        return list(
            HumanTask.objects.filter(case=case, state="open")
            .select_related("assignee", "assignee__user", "department")
            .order_by("created_at", "pk")
        )

    return get


@pytest.fixture
def complete():
    """``complete(task, username, **values)`` through the real service (JSON-style values)."""
    from buergerticket.org.models import Staff
    from buergerticket.processes.services.tasks import complete_task
    from buergerticket.processes.task_forms import post_data_from_json

    def run(task, username, **values):
        person = Staff.objects.select_related("user").get(user__username=username)
        return complete_task(task.pk, staff=person, data=post_data_from_json(task, values))

    return run


@pytest.fixture
def clock():
    """A controllable clock: ``clock.advance(days=15)`` moves time forward for everything
    (Django, SpiffWorkflow's timers), ``clock.now()`` reads it."""
    import time_machine
    from django.utils import timezone

    class Clock:
        def __init__(self):
            self.traveller = time_machine.travel(timezone.now(), tick=False)
            self.coordinates = self.traveller.start()

        def now(self):
            return timezone.now()

        def advance(self, **delta):
            self.coordinates.shift(dt.timedelta(**delta))
            return self.now()

    c = Clock()
    yield c
    c.traveller.stop()


def default_values(task):
    """Inputs that take a task down its "everything is fine" path."""
    values = {}
    if task.kind == "draft":
        values["tenor"] = (
            "Die Steuer wird auf 96,00 € jährlich festgesetzt, beginnend am 1. Januar."
        )
        values["begruendung"] = "Die Halterin hat den Hund angemeldet."
    if task.kind in ("co_signature", "final_signature"):
        values["approved"] = True
    for field in task.form:
        kind = field["type"]
        if kind == "boolean":
            values[field["id"]] = True
        elif kind == "enum":
            values[field["id"]] = field["options"][0][0]
        elif kind == "date":
            values[field["id"]] = dt.date.today().isoformat()
        elif kind == "long":
            values[field["id"]] = 1
        else:
            values[field["id"]] = f"Eingabe {field['id']}"
    return values


@pytest.fixture
def drive(tasks_of, complete, clock):
    """Complete every task (as its assignee) and let every timer pass until the process ends."""
    from buergerticket.processes.models import ProcessInstance
    from buergerticket.processes.services.lifecycle import wake_due

    def run(case, max_steps=40):
        done = []
        for _ in range(max_steps):
            tasks = tasks_of(case)
            if tasks:
                task = tasks[0]
                complete(task, task.assignee.username, **default_values(task))
                done.append(task.name)
                continue
            instance = ProcessInstance.objects.filter(case=case).order_by("-pk").first()
            if instance.status != "running":
                return done
            assert instance.wake_at is not None, "Prozess wartet auf nichts"
            clock.coordinates.move_to(instance.wake_at + dt.timedelta(minutes=1))
            assert wake_due() >= 1
            done.append("⏱")
        raise AssertionError(f"Prozess endet nicht: {done}")

    return run


@pytest.fixture
def open_case(open_case):
    """The root fixture, then what the worker does right after commit: the process's
    first steps (a case's process starts asynchronously, see lifecycle.start_pending)."""
    from buergerticket.processes.services.lifecycle import start_pending

    def make(*args, **kwargs):
        case = open_case(*args, **kwargs)
        start_pending(case)
        return case

    return make
