"""Driving a process: engine steps, service-task handlers, saving its state.

Callers hold the case row lock (``cases.services._common.lock_case``) around
load → run → save, so two requests or workers never advance the same process
at once, and whatever a step does to the case commits with the new state.

While we drive a case, our own case-event subscriber must ignore the events
our handlers cause (a process closing its case is not someone closing the case
under the process): :func:`driving` marks the case for the duration.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from buergerticket.cases import services as case_services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case
from buergerticket.processes import engine, handlers
from buergerticket.processes.models import InstanceStatus, ProcessInstance
from buergerticket.processes.services.task_sync import sync_tasks

log = logging.getLogger("buergerticket.processes")

_driving: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "processes_driving", default=frozenset()
)


@contextmanager
def driving(case_id: int) -> Iterator[None]:
    token = _driving.set(_driving.get() | {case_id})
    try:
        yield
    finally:
        _driving.reset(token)


def is_driving(case_id: int) -> bool:
    return case_id in _driving.get()


def process_actor(instance: ProcessInstance, step: str = "") -> Actor:
    version = instance.version
    label = f"Prozess „{version.model.name}“ v{version.number}" if version else "Prozess"
    if step:
        label += f": {step}"
    return Actor.automation(label[:200])


def initial_data(case: Case) -> dict[str, Any]:
    """Facts a model's conditions may use from the start (a snapshot)."""
    return {"service": case.service.code, "channel": case.channel, "priority": case.priority}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str | dt.date):
        return value
    return str(value)


def set_error(instance: ProcessInstance, element: str, message: str, now: dt.datetime) -> None:
    instance.status = InstanceStatus.ERROR
    instance.error = message[:4000]
    instance.error_element = element[:255]
    instance.error_at = now
    instance.wake_at = None


def run_service_task(instance: ProcessInstance, workflow: Any, task: Any) -> bool:
    """Call the task's handler; True when it completed, False when it failed.

    The handler runs in a savepoint: if it raises, its writes are undone and
    the task stays ready, so retrying it is safe. The failure is recorded on
    the case with the handler's real message.
    """
    spec = task.task_spec
    info = spec.extensions.get("handler")
    name = spec.bpmn_name or spec.bpmn_id
    handler_name = info.name if info is not None else ""
    registered = handlers.get(handler_name)
    now = timezone.now()
    actor = process_actor(instance, name)
    case_id = instance.case_id
    seq_before = Case.objects.values_list("last_event_seq", flat=True).get(pk=case_id)
    try:
        if registered is None:
            raise handlers.HandlerError(f"Der Handler „{handler_name}“ ist nicht registriert.")
        params = {k: handlers.fill(v, task.data) for k, v in info.params.items()}
        context = handlers.ServiceContext(
            case_id=case_id,
            instance=instance,
            element_id=spec.bpmn_id,
            name=name,
            params=params,
            data=dict(task.data),
            actor=actor,
        )
        with transaction.atomic():
            result = registered.func(context)
    except Exception as exc:
        if isinstance(exc, handlers.HandlerError | case_services.CaseError):
            message = str(exc)
        else:
            log.exception("Serviceaufgabe %s (%s) fehlgeschlagen", spec.bpmn_id, handler_name)
            message = f"{type(exc).__name__}: {exc}"
        set_error(instance, spec.bpmn_id, message, now)
        case_services.record_event(
            case_id,
            actor=actor,
            type="process_error",
            details={"element": spec.bpmn_id, "name": name, "handler": handler_name},
            reason=message[:500],
        )
        return False
    if result:
        task.data.update(_jsonable(result))
    task.run()
    seq_after = Case.objects.values_list("last_event_seq", flat=True).get(pk=case_id)
    if seq_after == seq_before:
        # The handler left no trace of its own in the history; the step must.
        case_services.record_event(
            case_id,
            actor=actor,
            type="process_step",
            details={"element": spec.bpmn_id, "name": name, "handler": handler_name},
        )
    return True


def drive(
    instance: ProcessInstance,
    workflow: Any,
    *,
    allow_services: bool = True,
    case: Case | None = None,
    sync: bool = True,
) -> None:
    """Advance until the process waits for a person or a timer (or fails).

    ``allow_services=False`` inside another case write (our event subscriber):
    handlers and case events must not run there, so a ready service task is
    left for the worker (``wake_at`` = now). ``case``: the current case, if the
    caller has it; ``sync=False`` leaves updating the task rows to the caller.
    """
    now = timezone.now()
    deferred = False
    handled = False
    for _ in range(engine.MAX_STEPS):
        try:
            engine.step(workflow)
        except Exception as exc:  # a condition or timer value failing at run time
            element = getattr(getattr(exc, "task_spec", None), "bpmn_id", "") or ""
            set_error(instance, element, f"{type(exc).__name__}: {exc}", now)
            if allow_services:  # not inside someone else's case write
                case_services.record_event(
                    instance.case_id,
                    actor=process_actor(instance),
                    type="process_error",
                    details={"element": element},
                    reason=str(exc)[:500],
                )
            break
        ready = engine.ready_service_tasks(workflow)
        if not ready:
            break
        if not allow_services:
            deferred = True
            break
        handled = True
        if not run_service_task(instance, workflow, ready[0]):
            break
    else:
        set_error(
            instance, "", "Der Prozess läuft ohne Wartepunkt im Kreis (Schleife im Modell).", now
        )
    if sync:
        # Handlers may have changed owner or department: then read the case again.
        sync_tasks(instance, workflow, now, case=None if handled else case)
    if instance.status == InstanceStatus.ERROR:
        return
    if workflow.completed:
        instance.status = InstanceStatus.COMPLETED
        instance.finished_at = now
        instance.wake_at = None
    else:
        instance.wake_at = now if deferred else engine.next_timer(workflow)


def save(instance: ProcessInstance, workflow: Any) -> None:
    assert instance.version is not None
    instance.state = engine.dump(workflow, instance.version)
    instance.serializer_version = engine.VERSION
    instance.updated_at = timezone.now()
    if instance.pk is None:
        instance.save(force_insert=True)
    else:
        instance.save()


def lock_instance(pk: int) -> ProcessInstance:
    """Re-read the instance under lock (callers already hold the case lock)."""
    return (
        ProcessInstance.objects.select_for_update(of=("self",))
        .select_related("version", "version__model", "case")
        .get(pk=pk)
    )
