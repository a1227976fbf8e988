"""Tasks for the API: a small registry other apps feed.

A task is something a person has to do on a case by a date. The cases app
already knows one kind, the Wiedervorlage (``Case.follow_up``); the process
app registers its human tasks with :func:`register_source`, so the API lists
them without knowing the process tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from buergerticket.cases.models import Case
from buergerticket.org.models import Staff


@dataclass(frozen=True)
class TaskFilter:
    assignee: Staff | None = None
    due_before: dt.date | None = None
    case_id: int | None = None
    limit: int = 200


@dataclass(frozen=True)
class Task:
    id: str  # "<kind>:<id>", unique across sources
    kind: str
    title: str
    case: Case
    assignee: Staff | None
    due: dt.date | None
    created_at: dt.datetime | None


# A source gets the cases the caller may see and returns open tasks on them.
TaskSource = Callable[[QuerySet[Case], TaskFilter], list[Task]]
_sources: dict[str, TaskSource] = {}


def register_source(kind: str, source: TaskSource) -> None:
    _sources[kind] = source


def open_tasks(cases: QuerySet[Case], filters: TaskFilter) -> list[Task]:
    """Every source's open tasks on ``cases``, earliest due date first."""
    tasks: list[Task] = []
    for source in _sources.values():
        tasks.extend(source(cases, filters))
    far = dt.date.max
    tasks.sort(key=lambda t: (t.due or far, t.case.pk, t.id))
    return tasks[: filters.limit]


def follow_up_tasks(cases: QuerySet[Case], filters: TaskFilter) -> list[Task]:
    """Wiedervorlagen: an open case comes back to its owner on ``follow_up``."""
    rows = cases.filter(is_open=True, follow_up__isnull=False)
    if filters.assignee is not None:
        rows = rows.filter(owner=filters.assignee)
    if filters.due_before is not None:
        rows = rows.filter(follow_up__lte=filters.due_before)
    if filters.case_id is not None:
        rows = rows.filter(pk=filters.case_id)
    rows = rows.select_related("owner__user").order_by("follow_up", "pk")[: filters.limit]
    return [
        Task(
            id=f"follow_up:{case.pk}",
            kind="follow_up",
            title=f"Wiedervorlage {case.file_number}",
            case=case,
            assignee=case.owner,
            due=case.follow_up,
            created_at=None,
        )
        for case in rows
    ]


register_source("follow_up", follow_up_tasks)
