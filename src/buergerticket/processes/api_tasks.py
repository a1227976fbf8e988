"""Human tasks of running processes as a source for the API's task list (``/api/v1/tasks``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from buergerticket.cases.models import Case
from buergerticket.processes.models import HumanTask, TaskState


def process_tasks(cases: QuerySet[Case], filters: object) -> list:  # list[api.tasks.Task]
    from buergerticket.api.tasks import Task

    rows = HumanTask.objects.filter(state=TaskState.OPEN, case__in=cases)
    assignee = getattr(filters, "assignee", None)
    due_before = getattr(filters, "due_before", None)
    case_id = getattr(filters, "case_id", None)
    limit = getattr(filters, "limit", 200)
    if assignee is not None:
        rows = rows.filter(assignee=assignee)
    if case_id is not None:
        rows = rows.filter(case_id=case_id)
    if due_before is not None:
        # Due dates are points in time; the filter means "due on or before that day here".
        rows = rows.filter(due__date__lte=due_before)
    rows = rows.select_related("case", "assignee", "assignee__user").order_by("due", "pk")
    return [
        Task(
            id=f"process:{task.pk}",
            kind="process",
            title=task.name,
            case=task.case,
            assignee=task.assignee,
            due=timezone.localdate(task.due) if task.due else None,
            created_at=task.created_at,
        )
        for task in rows[:limit]
    ]
