"""Read queries of the processes app, scoped to the organisation and the person."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from buergerticket.cases.models import Case
from buergerticket.cases.permissions import can_view
from buergerticket.org.models import Organisation, Role, Staff
from buergerticket.processes.models import (
    Decision,
    HumanTask,
    ProcessInstance,
    ProcessModel,
    ProcessVersion,
    TaskState,
)

TASK_RELATED = (
    "case",
    "case__service",
    "case__department",
    "department",
    "assignee",
    "assignee__user",
    "regular_assignee",
)


def open_tasks(organisation: Organisation | int) -> QuerySet[HumanTask]:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return HumanTask.objects.filter(organisation_id=org_id, state=TaskState.OPEN).select_related(
        *TASK_RELATED
    )


def my_tasks(staff: Staff) -> list[HumanTask]:
    """Open tasks assigned to ``staff``, most urgent first."""
    return list(open_tasks(staff.organisation_id).filter(assignee=staff).order_by("due", "pk"))


def tasks_for_my_roles(staff: Staff) -> list[HumanTask]:
    """Open tasks others hold that ``staff`` could also do by role (a team's pool)."""
    special = [r for r in staff.roles if r not in (Role.CLERK, Role.ADMIN)]
    condition = Q(role__in=special, department=staff.department_id) | Q(
        role=Role.SIGNER if Role.SIGNER in staff.roles else "-"
    )
    if staff.is_lead:
        condition |= Q(department=staff.department_id)
    return list(
        open_tasks(staff.organisation_id)
        .filter(condition)
        .exclude(assignee=staff)
        .order_by("due", "pk")[:100]
    )


def case_tasks(case: Case) -> list[HumanTask]:
    return list(
        HumanTask.objects.filter(case=case)
        .select_related("assignee", "regular_assignee", "completed_by", "department")
        .order_by("-state", "created_at", "pk")
    )


def may_view_task(staff: Staff, task: HumanTask) -> bool:
    """The assignee, everyone who may see the case, and role holders who could do it."""
    if staff.organisation_id != task.organisation_id or not staff.active:
        return False
    if staff.pk in (task.assignee_id, task.regular_assignee_id):
        return True
    if can_view(staff, task.case):
        return True
    return (
        bool(task.role)
        and staff.has_role(task.role)
        and (task.role == Role.SIGNER or staff.department_id == task.department_id)
    )


def instances(case: Case) -> list[ProcessInstance]:
    return list(
        ProcessInstance.objects.filter(case=case)
        .select_related("version", "version__model")
        .order_by("-started_at")
    )


def decisions(case: Case) -> list[Decision]:
    return list(
        Decision.objects.filter(case=case)
        .select_related("author")
        .prefetch_related("signatures", "signatures__signer")
        .order_by("-number")
    )


def task_as_dict(task: HumanTask) -> dict[str, Any]:
    """A task as JSON for the CLI (names are a stable contract)."""
    return {
        "id": task.pk,
        "case": task.case.file_number,
        "name": task.name,
        "assignee": task.assignee.username,
        "due": timezone.localtime(task.due).isoformat() if task.due else None,
        "kind": task.kind,
        "role": task.role or None,
        "department": task.department.code,
        "state": task.state,
        "standing_in_for": task.regular_assignee.username if task.regular_assignee else None,
    }


def register_models(organisation: Organisation) -> list[ProcessModel]:
    return list(
        ProcessModel.objects.filter(organisation=organisation)
        .select_related("service", "owner")
        .annotate(version_count=Count("versions"))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ProcessVersion.objects.defer("xml", "original").order_by("-number"),
            )
        )
        .order_by("builtin", "service__name", "name")
    )


def model_for(organisation: Organisation, pk: int) -> ProcessModel:
    return ProcessModel.objects.select_related("service", "owner").get(
        organisation=organisation, pk=pk
    )


def version_for(organisation: Organisation, model_pk: int, number: int) -> ProcessVersion:
    return ProcessVersion.objects.select_related("model", "model__service", "created_by").get(
        model__organisation=organisation, model_id=model_pk, number=number
    )


def running_count(version: ProcessVersion) -> int:
    return version.instances.filter(status__in=("running", "error")).count()
