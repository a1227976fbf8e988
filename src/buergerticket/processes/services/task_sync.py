"""Keeping the HumanTask rows in step with the workflow's ready user tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from buergerticket.cases.models import Case
from buergerticket.org.models import Department, Role, Staff
from buergerticket.processes import assignment, engine
from buergerticket.processes.bpmn.spiff import HumanTaskInfo
from buergerticket.processes.directory import Directory
from buergerticket.processes.models import (
    HumanTask,
    ProcessInstance,
    TaskKind,
    TaskState,
)

SIGN_OFF_KIND = {
    "draft": TaskKind.DRAFT,
    "co_signature": TaskKind.CO_SIGNATURE,
    "final_signature": TaskKind.FINAL_SIGNATURE,
}


def deadline_due(case: Case) -> dt.datetime:
    """Tasks without a timer are due at the end of the case's deadline day."""
    return timezone.make_aware(dt.datetime.combine(case.deadline, dt.time(23, 59)))


def load_case(case_id: int) -> Case:
    return Case.objects.select_related(
        "organisation", "service", "department", "owner", "regular_owner"
    ).get(pk=case_id)


def _target(info: HumanTaskInfo, case: Case) -> tuple[str, Department, Staff | None]:
    """(role, department, fixed person) the model asks for, mapped to this organisation."""
    directory = Directory(case.organisation)
    role, department_code, fixed = "", "", None
    for group in info.assignment.groups:
        target = directory.map_group(group)
        if target is None:
            continue
        role = role or target.role
        department_code = department_code or target.department
    for user in info.assignment.users:
        fixed = (
            Staff.objects.select_related("user", "department")
            .filter(organisation=case.organisation, user__username=user, active=True)
            .first()
        )
        if fixed is not None:
            break
    department = case.department
    if department_code and department_code != case.department.code:
        department = (
            Department.objects.filter(organisation=case.organisation, code=department_code).first()
            or case.department
        )
    if info.sign_off == "final_signature" and not role:
        role = Role.SIGNER
    return role, department, fixed


def excluded_for(kind: str, case: Case, instance: ProcessInstance) -> set[int]:
    """People who may not take a sign-off task: the author of the decision to sign."""
    if kind not in (TaskKind.CO_SIGNATURE, TaskKind.FINAL_SIGNATURE):
        return set()
    from buergerticket.processes.services.signoff import current_decision, four_eyes_required

    decision = current_decision(case)
    if decision is None:
        return set()
    if kind == TaskKind.CO_SIGNATURE or four_eyes_required(case, instance):
        return {decision.author_id}
    return set()


def create_task(instance: ProcessInstance, case: Case, task: Any, now: dt.datetime) -> HumanTask:
    info: HumanTaskInfo | None = task.task_spec.extensions.get("human")
    if info is None:  # a task type without our parser (cannot happen for checked models)
        info = HumanTaskInfo(
            assignment=_empty_assignment(),
            form=(),
            sign_off="",
            template="",
            lane=None,
            documentation="",
        )
    kind = SIGN_OFF_KIND.get(info.sign_off, TaskKind.TASK)
    role, department, fixed = _target(info, case)
    exclude = excluded_for(kind, case, instance)
    chosen = assignment.resolve(
        case,
        role=role,
        department=department,
        fixed_user=fixed,
        exclude=exclude,
        day=timezone.localdate(now),
    )
    due = engine.boundary_due(task)
    return HumanTask.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        instance=instance,
        spiff_id=str(task.id),
        element_id=task.task_spec.bpmn_id or task.task_spec.name,
        name=(task.task_spec.bpmn_name or task.task_spec.bpmn_id or "Aufgabe")[:300],
        kind=kind,
        role=role,
        department=department,
        fixed_user=fixed.user.username if fixed else "",
        follows_owner=fixed is None
        and role in ("", Role.CLERK)
        and department.pk == case.department_id,
        assignee=chosen.staff,
        regular_assignee=chosen.standing_in_for,
        assignment_rule=chosen.rule,
        assignment_note=chosen.note[:300],
        due=due or deadline_due(case),
        due_from_timer=due is not None,
        documentation=info.documentation,
        form=[f.as_dict() for f in info.form],
        created_at=now,
    )


def _empty_assignment() -> Any:
    from buergerticket.processes.bpmn.extensions import Assignment

    return Assignment()


def sync_tasks(
    instance: ProcessInstance,
    workflow: Any,
    now: dt.datetime,
    *,
    case: Case | None = None,
    fresh: bool = False,
) -> list[HumanTask]:
    """Open a row for every newly ready user task, drop rows whose task went away.

    ``case``: the case as it is now, if the caller has it (saves a query);
    ``fresh``: the instance was just created and has no rows yet.
    """
    ready = {str(t.id): t for t in engine.ready_human_tasks(workflow)}
    open_rows = (
        {} if fresh else {t.spiff_id: t for t in instance.tasks.filter(state=TaskState.OPEN)}
    )
    for spiff_id, row in open_rows.items():
        if spiff_id not in ready:
            # Interrupted by a timer, or the process was rewound past it.
            row.state = TaskState.CANCELLED
            row.completed_at = now
            row.save(update_fields=["state", "completed_at"])
    new = [t for sid, t in ready.items() if sid not in open_rows]
    if not new:
        return []
    case = case or load_case(instance.case_id)
    return [create_task(instance, case, task, now) for task in new]
