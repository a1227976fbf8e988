"""Completing human tasks, and who may do so."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from buergerticket.cases import services as case_services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Status
from buergerticket.cases.permissions import can_work
from buergerticket.cases.services import lock_case
from buergerticket.org.models import Role, Staff
from buergerticket.processes import engine
from buergerticket.processes.models import HumanTask, InstanceStatus, TaskKind, TaskState
from buergerticket.processes.services import runtime, signoff
from buergerticket.processes.task_forms import TaskForm, cleaned_for_process, task_form


class TaskDenied(case_services.CasePermissionDenied):
    """This person may not complete this task; German, user-facing."""


class TaskDataInvalid(case_services.CaseError):
    """The task's form did not validate; ``form`` carries the field errors."""

    def __init__(self, form: TaskForm):
        self.form = form
        problems = []
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            text = " ".join(str(e) for e in errors)
            problems.append(f"{label}: {text}" if label else text)
        super().__init__("Die Eingaben sind unvollständig: " + "; ".join(problems))


def required_role(task: HumanTask) -> str:
    if task.role:
        return task.role
    return Role.SIGNER if task.kind == TaskKind.FINAL_SIGNATURE else ""


def check_can_complete(task: HumanTask, staff: Staff) -> None:
    """Raise unless ``staff`` may complete ``task`` now (German messages)."""
    if task.state != TaskState.OPEN:
        raise case_services.CaseError(
            f"Die Aufgabe „{task.name}“ ist bereits {task.get_state_display()}."
        )
    if not staff.active or staff.organisation_id != task.organisation_id:
        raise TaskDenied("Diese Aufgabe gehört nicht zu Ihrer Organisation.")
    if task.is_sign_off:
        signoff.check_can_sign(task, staff, signoff.current_decision(task.case))
    role = required_role(task)
    if role and not staff.has_role(role):
        raise TaskDenied(
            f"Für die Aufgabe „{task.name}“ fehlt Ihnen die Rolle „{signoff.role_label(role)}“."
        )
    if staff.pk == task.assignee_id:
        return
    if task.fixed_user and staff.username != task.fixed_user:
        raise TaskDenied(f"Die Aufgabe „{task.name}“ ist {task.assignee.name} zugewiesen.")
    if task.kind == TaskKind.DRAFT or role in ("", Role.CLERK):
        if not (can_work(staff, task.case) or staff.department_id == task.department_id):
            raise TaskDenied("Sie dürfen diesen Vorgang nicht bearbeiten.")
    elif role == Role.LEAD and staff.department_id != task.department_id:
        raise TaskDenied(
            f"Die Aufgabe „{task.name}“ ist der Leitung von {task.department.name} vorbehalten."
        )


def may_complete(task: HumanTask, staff: Staff) -> str:
    """'' when ``staff`` may complete ``task``, else the reason."""
    try:
        check_can_complete(task, staff)
    except (case_services.CaseError, case_services.CasePermissionDenied) as exc:
        return str(exc)
    return ""


def load_task(task_id: int, organisation_id: int) -> HumanTask:
    task = (
        HumanTask.objects.select_related(
            "case",
            "case__organisation",
            "case__service",
            "case__department",
            "case__owner",
            "instance",
            "instance__version",
            "instance__version__model",
            "department",
            "assignee",
            "assignee__user",
        )
        .filter(pk=task_id, organisation_id=organisation_id)
        .first()
    )
    if task is None:
        raise case_services.CaseError(f"Die Aufgabe {task_id} gibt es nicht.")
    return task


def complete_task(task_id: int, *, staff: Staff, data: Any = None) -> HumanTask:
    """Complete the task with the form ``data`` (POST-like); the process moves on.

    Everything — signatures, the task, the new process state, what the next
    steps do to the case — commits in one transaction under the case lock.
    """
    case_id = (
        HumanTask.objects.filter(pk=task_id, organisation_id=staff.organisation_id)
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise case_services.CaseError(f"Die Aufgabe {task_id} gibt es nicht.")
    with transaction.atomic():
        case = lock_case(case_id)
        task = (
            HumanTask.objects.select_for_update(of=("self", "instance"))
            .select_related(
                "instance",
                "instance__version",
                "instance__version__model",
                "department",
                "assignee",
                "assignee__user",
            )
            .get(pk=task_id)
        )
        task.case = case
        instance = task.instance
        check_can_complete(task, staff)
        if instance.status == InstanceStatus.ERROR:
            raise case_services.CaseError(
                "Der Prozess dieses Vorgangs steht wegen eines Fehlers "
                f"({instance.error[:200]}). Bitte beheben Sie ihn zuerst."
            )
        if instance.status != InstanceStatus.RUNNING:
            raise case_services.CaseError("Der Prozess dieses Vorgangs ist beendet.")
        decision = signoff.current_decision(task.case) if task.kind != TaskKind.TASK else None
        form = task_form(task, data, decision=decision)
        if not form.is_valid():
            raise TaskDataInvalid(form)
        try:
            workflow, _built = engine.load(instance)
        except engine.ProcessStateError as exc:
            raise case_services.CaseError(str(exc)) from exc
        spiff_task = engine.find_task(workflow, task.spiff_id)
        if spiff_task is None or spiff_task not in engine.ready_human_tasks(workflow):
            raise case_services.CaseError(
                f"Die Aufgabe „{task.name}“ ist im Prozess nicht mehr offen."
            )
        values = cleaned_for_process(form)
        with runtime.driving(task.case_id):
            if task.kind == TaskKind.DRAFT:
                info = spiff_task.task_spec.extensions.get("human")
                signoff.draft_decision(
                    task.case_id,
                    staff=staff,
                    tenor=values.get("tenor", ""),
                    reasoning=values.get("begruendung", ""),
                    template=info.template if info else "",
                    instance=instance,
                )
            elif task.is_sign_off:
                signoff.sign(
                    task,
                    staff=staff,
                    approved=bool(values.get("approved")),
                    comment=values.get("anmerkung", ""),
                )
            spiff_task.data.update(values)
            spiff_task.run()
            now = timezone.now()
            task.state = TaskState.COMPLETED
            task.completed_at = now
            task.completed_by = staff
            task.data = values
            task.save(update_fields=["state", "completed_at", "completed_by", "data"])
            if task.case.status == Status.NEW:
                # Whoever completes the first task has evidently started work.
                case_services.set_status(
                    task.case_id,
                    actor=Actor.for_staff(staff),
                    status=Status.IN_PROGRESS,
                    reason=f"Aufgabe „{task.name}“",
                )
            if not task.is_sign_off:  # a signature is its own event
                case_services.record_event(
                    task.case_id,
                    actor=Actor.for_staff(staff),
                    type="task_completed",
                    details={"task": task.pk, "element": task.element_id, "name": task.name},
                )
            runtime.drive(instance, workflow, case=case)
            runtime.save(instance, workflow)
    return task
