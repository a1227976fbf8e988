"""SpiffWorkflow glue: workflow state in and out of the database, engine steps.

The spec (the parsed model) is the same for every case of a model version, so
we keep it out of the stored state (≈ 60 % of Spiff's JSON) and rebuild it from
the version's XML through the spec cache. The stored state names the version's
checksum: a state can only ever be restored with the spec it was made with.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from buergerticket.processes.bpmn.spiff import SCRIPT_ENGINE, BuiltSpec, HandlerTask, cached_spec
from buergerticket.processes.models import ProcessInstance, ProcessVersion

# Safety net against models that loop without waiting for anyone.
MAX_STEPS = 200


class ProcessStateError(Exception):
    """A stored workflow state cannot be restored; the German message is shown on the case."""


def _registry() -> Any:
    registry = BpmnWorkflowSerializer.configure()
    # Task data may hold dates and amounts (forms, handler results).
    registry.register(
        dt.date, lambda v: {"value": v.isoformat()}, lambda v: dt.date.fromisoformat(v["value"])
    )
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return registry


SERIALIZER = BpmnWorkflowSerializer(registry=_registry())
# Spiff's own converter for workflows, held so we can (de)serialize without the spec.
# Registering it again replaces the identical default registration.
_WORKFLOW_CONVERTER = BpmnWorkflowConverter(BpmnWorkflow, SERIALIZER.registry)


def spec_for(version: ProcessVersion) -> BuiltSpec:
    # The XML (often tens of KB) is deferred when versions are listed; it is
    # fetched only when this process has not parsed the version yet.
    return cached_spec((version.pk, version.sha256), lambda: version.xml, version.process_id)


def new_workflow(built: BuiltSpec, data: dict[str, Any] | None = None) -> BpmnWorkflow:
    workflow = BpmnWorkflow(built.spec, built.subprocess_specs, script_engine=SCRIPT_ENGINE)
    if data:
        # The root task's data is inherited by every task that follows.
        workflow.task_tree.data.update(data)
    return workflow


def dump(workflow: BpmnWorkflow, version: ProcessVersion) -> str:
    """The workflow's state without its spec, as JSON."""
    registry = SERIALIZER.registry
    dct = WorkflowConverter.to_dict(_WORKFLOW_CONVERTER, workflow)
    dct["subprocesses"] = _WORKFLOW_CONVERTER.mapping_to_dict(workflow.subprocesses)
    dct["bpmn_events"] = registry.convert(workflow.bpmn_events)
    dct[SERIALIZER.VERSION_KEY] = VERSION
    dct["spec_sha256"] = version.sha256
    return json.dumps(dct, separators=(",", ":"), ensure_ascii=False)


def load(instance: ProcessInstance) -> tuple[BpmnWorkflow, BuiltSpec]:
    """Restore the instance's workflow; raises :class:`ProcessStateError`."""
    version = instance.version
    if version is None:
        raise ProcessStateError("Für diesen Vorgang ist kein Prozessmodell zugeordnet.")
    try:
        built = spec_for(version)
    except Exception as exc:
        raise ProcessStateError(
            f"Das Prozessmodell „{version}“ lässt sich nicht mehr laden: {exc}"
        ) from exc
    try:
        dct = json.loads(instance.state)
        if not isinstance(dct, dict):
            raise ValueError("kein JSON-Objekt")
        if dct.get("spec_sha256") != version.sha256:
            raise ValueError("der Zustand gehört zu einer anderen Modellversion")
        dct.pop("spec_sha256", None)
        serialized_version = dct.pop(SERIALIZER.VERSION_KEY, VERSION)
        if serialized_version in MIGRATIONS:
            MIGRATIONS[serialized_version](dct)
        workflow = BpmnWorkflow(
            built.spec, built.subprocess_specs, deserializing=True, script_engine=SCRIPT_ENGINE
        )
        converter = _WORKFLOW_CONVERTER
        workflow.tasks = converter.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        if workflow.task_tree is None:
            raise ValueError("die Wurzel des Aufgabenbaums fehlt")
        converter.set_default_attributes(workflow, dct)
        converter.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = SERIALIZER.registry.restore(dct.pop("bpmn_events", []))
        for task in workflow.tasks.values():
            if task.task_spec is None:
                raise ValueError("eine Aufgabe verweist auf einen unbekannten Modellschritt")
    except Exception as exc:
        raise ProcessStateError(
            f"Der gespeicherte Prozesszustand ist beschädigt ({type(exc).__name__}: {exc})."
        ) from exc
    return workflow, built


def step(workflow: BpmnWorkflow) -> None:
    """Run gateways and events until only people, handlers or timers are waited for."""
    workflow.do_engine_steps()


def fire_due_timers(workflow: BpmnWorkflow, now: dt.datetime) -> list[Task]:
    """Let due timers fire; returns the timer tasks that fired."""
    due = [t for t, at in waiting_timers(workflow) if at is not None and at <= now]
    workflow.refresh_timers()
    workflow.do_engine_steps()
    return due


def ready_human_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return [
        t
        for t in workflow.get_tasks(state=TaskState.READY, manual=True)
        if not isinstance(t.task_spec, HandlerTask)
    ]


def ready_service_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return workflow.get_tasks(state=TaskState.READY, spec_class=HandlerTask)


def _timer_time(task: Task) -> dt.datetime | None:
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):  # cycle timers keep {"next": …}
        value = value.get("next") if value.get("cycles") != 0 else None
    if not isinstance(value, str):
        return None
    try:
        return TimerEventDefinition.get_datetime(value)
    except ValueError:
        return None


def waiting_timers(workflow: BpmnWorkflow) -> list[tuple[Task, dt.datetime | None]]:
    result = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        spec = task.task_spec
        if isinstance(spec, CatchingEvent) and isinstance(
            getattr(spec, "event_definition", None), TimerEventDefinition
        ):
            result.append((task, _timer_time(task)))
    return result


def next_timer(workflow: BpmnWorkflow) -> dt.datetime | None:
    times = [at for _, at in waiting_timers(workflow) if at is not None]
    return min(times) if times else None


def boundary_due(task: Task) -> dt.datetime | None:
    """When the first timer attached to ``task`` fires (its due time), if any."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    times = [
        _timer_time(sibling)
        for sibling in parent.children
        if sibling is not task
        and isinstance(getattr(sibling.task_spec, "event_definition", None), TimerEventDefinition)
    ]
    known = [t for t in times if t is not None]
    return min(known) if known else None


def find_task(workflow: BpmnWorkflow, spiff_id: str) -> Task | None:
    try:
        return workflow.get_task_from_id(UUID(spiff_id))
    except Exception:  # malformed id or Spiff's TaskNotFoundException
        return None
