"""Changing a decision after it was (partly) signed: signatures void, signing starts over."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from buergerticket.cases import services as case_services
from buergerticket.cases.services import lock_case
from buergerticket.org.models import Staff
from buergerticket.processes import engine
from buergerticket.processes.models import Decision, InstanceStatus
from buergerticket.processes.services import runtime, signoff
from buergerticket.processes.services.lifecycle import active_instance

SIGN_OFF = ("co_signature", "final_signature")


def _sign_off_kind(task: Any) -> str:
    info = getattr(task.task_spec, "extensions", {}).get("human")
    return info.sign_off if info is not None else ""


def rewind_target(workflow: Any) -> Any | None:
    """The first sign-off step completed since the last draft, if the process is past it."""
    completed = [
        t for t in workflow.get_tasks(state=engine.TaskState.COMPLETED) if _sign_off_kind(t)
    ]
    if any(_sign_off_kind(t) == "draft" for t in engine.ready_human_tasks(workflow)):
        return None  # drafting is open anyway: signing will follow
    drafts = [t.last_state_change for t in completed if _sign_off_kind(t) == "draft"]
    since = max(drafts) if drafts else 0.0
    signed = [
        t for t in completed if _sign_off_kind(t) in SIGN_OFF and t.last_state_change >= since
    ]
    return min(signed, key=lambda t: t.last_state_change) if signed else None


def change_decision(case_id: int, *, staff: Staff, tenor: str, reasoning: str) -> Decision:
    """A new Fassung; if that voided signatures, the process goes back to signing."""
    with transaction.atomic():
        lock_case(case_id)
        instance = active_instance(case_id)
        with runtime.driving(case_id):
            decision, voided = signoff.draft_decision(
                case_id, staff=staff, tenor=tenor, reasoning=reasoning, instance=instance
            )
            if not voided or instance is None or instance.status != InstanceStatus.RUNNING:
                return decision
            instance = runtime.lock_instance(instance.pk)
            try:
                workflow, _built = engine.load(instance)
            except engine.ProcessStateError as exc:
                raise case_services.CaseError(str(exc)) from exc
            target = rewind_target(workflow)
            if target is None:
                return decision
            workflow.reset_from_task_id(target.id)
            case_services.record_event(
                case_id,
                actor=runtime.process_actor(instance),
                type="process_rewound",
                details={
                    "element": target.task_spec.bpmn_id,
                    "name": target.task_spec.bpmn_name or target.task_spec.bpmn_id,
                },
                reason="Bescheid geändert – die Zeichnung ist erneut erforderlich.",
            )
            runtime.drive(instance, workflow)
            runtime.save(instance, workflow)
    return decision
