"""Timers run in the worker with a controllable clock: never missed, never twice."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection

from buergerticket.core import jobs
from buergerticket.core.worker import Worker
from buergerticket.processes.bpmn.spiff import clear_cache
from buergerticket.processes.models import HumanTask, ProcessInstance
from buergerticket.processes.services.lifecycle import wake_due


@pytest.mark.django_db
def test_boundary_timer_escalates_the_task_to_the_lead(shipped, open_case, tasks_of, clock):
    case = open_case("maengel-strasse")
    [task] = tasks_of(case)
    assert task.assignee.username == "s.wagner"
    clock.advance(days=2, hours=23)
    assert wake_due() == 0
    clock.advance(hours=1, minutes=1)
    assert wake_due() == 1
    [task] = tasks_of(case)  # non-interrupting: the same task, now with the lead
    assert (task.name, task.assignee.username) == ("Prüfung vor Ort", "t.nguyen")
    assert task.escalated_at is not None
    event = case.events.get(type="task_escalated")
    assert event.details["to"] == "t.nguyen"
    assert case.events.filter(type="process_timer").count() == 1
    assert wake_due() == 0  # nothing due any more
    clock.advance(days=30)
    assert wake_due() == 0
    assert case.events.filter(type="process_timer").count() == 1


@pytest.mark.django_db(transaction=True)  # the real worker closes and reopens connections
def test_a_timer_due_while_the_worker_was_down_fires_once_after_restart(
    shipped, open_case, tasks_of, complete, clock
):
    case = open_case("maengel-strasse")
    [inspect] = tasks_of(case)
    complete(inspect, "s.wagner", schaden_bestaetigt=True, befund="Riss")
    [order] = tasks_of(case)
    complete(order, "s.wagner", auftragnehmer="Bauhof")
    instance = ProcessInstance.objects.get(case=case)
    assert instance.wake_at is not None
    # The worker is down for a month; its in-memory state and our caches are gone.
    clock.advance(days=31)
    clear_cache()
    worker = Worker()
    assert "processes.wake" in worker.run_due()
    [check] = tasks_of(case)
    assert check.name == "Nachkontrolle"
    assert case.events.filter(type="process_timer").count() == 1
    # A second worker start (or the next tick) does nothing more.
    Worker().run_due()
    jobs.get("processes.wake").func()
    assert case.events.filter(type="process_timer").count() == 1
    assert HumanTask.objects.filter(case=case, name="Nachkontrolle").count() == 1


@pytest.mark.django_db
def test_wake_at_is_indexed_and_only_due_rows_are_read(shipped, open_case, clock):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        open_case("maengel-strasse")
    with CaptureQueriesContext(conn) as queries:
        assert wake_due() == 0
    assert len(queries) == 1
    assert "wake_at" in queries[0]["sql"]
    index_names = {i.name for i in ProcessInstance._meta.indexes}
    assert "process_wake_at" in index_names


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("BT_TEST_POSTGRES_URL"),
    reason="two concurrent workers need PostgreSQL row locks",
)
def test_two_workers_racing_fire_each_timer_once(shipped, open_case, tasks_of, clock):
    cases = [open_case("maengel-strasse") for _ in range(4)]
    clock.advance(days=3, minutes=5)
    results = []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(wake_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 4
    for case in cases:
        assert case.events.filter(type="process_timer").count() == 1
        assert case.events.filter(type="task_escalated").count() == 1
