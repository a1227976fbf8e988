"""``/api/v1/services``, ``/api/v1/departments`` and ``/api/v1/tasks``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from buergerticket.api import selectors, tasks
from buergerticket.api.models import ApiClient, Scope
from buergerticket.api.rest import schemas
from buergerticket.api.rest.auth import client_of
from buergerticket.api.rest.errors import ErrorOut, not_found
from buergerticket.catalog.models import Service

router = Router()

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


def service_out(service: Service) -> dict[str, Any]:
    return {
        "code": service.code,
        "name": service.name,
        "description": service.description,
        "department": schemas.ref(service.department),
        "file_plan": service.file_plan.code,
        "deadline_days": service.deadline_days,
        "deadline_unit": service.deadline_unit,
        "legal_act": service.legal_act,
        "public": service.public,
        "internal": service.internal,
        "open311": service.open311,
        "location": service.location,
        "active": service.active,
    }


@router.get(
    "/services",
    response={200: list[schemas.ServiceOut], **ERRORS},
    tags=["Katalog"],
    summary="Leistungen der Organisation",
)
def list_services(request: HttpRequest, active: bool | None = None) -> Any:
    client = client_of(request, Scope.CATALOG_READ, ["active"])
    services = selectors.services_for_client(client)
    if active is not None:
        services = services.filter(active=active)
    return [service_out(s) for s in services]


@router.get(
    "/services/{code}",
    response={200: schemas.ServiceOut, **ERRORS},
    tags=["Katalog"],
    summary="Eine Leistung",
)
def get_service(request: HttpRequest, code: str) -> Any:
    client = client_of(request, Scope.CATALOG_READ)
    service = selectors.services_for_client(client).filter(code=code).first()
    if service is None:
        raise not_found("Leistung")
    return service_out(service)


@router.get(
    "/departments",
    response={200: list[schemas.DepartmentOut], **ERRORS},
    tags=["Katalog"],
    summary="Fachbereiche der Organisation",
)
def list_departments(request: HttpRequest) -> Any:
    client = client_of(request, Scope.CATALOG_READ)
    return [
        {
            "code": d.code,
            "name": d.name,
            "triage": d.triage,
            "internal": d.internal,
            "lead": schemas.person(d.lead),
        }
        for d in selectors.departments_for_client(client)
    ]


class TaskQuery(Schema):
    assignee: str | None = Field(None, max_length=150)
    due_before: schemas.IsoDate | None = None
    case_id: int | None = Field(None, ge=1, le=schemas.MAX_ID)
    limit: int = Field(100, ge=1, le=500)


def _task_filter(client: ApiClient, query: TaskQuery) -> tasks.TaskFilter:
    assignee = None
    if query.assignee:
        assignee = selectors.staff_by_username(client, query.assignee)
        if assignee is None:
            return tasks.TaskFilter(case_id=-1, limit=0)
    return tasks.TaskFilter(
        assignee=assignee, due_before=query.due_before, case_id=query.case_id, limit=query.limit
    )


@router.get(
    "/tasks",
    response={200: schemas.TaskPage, **ERRORS},
    tags=["Aufgaben"],
    summary="Offene Aufgaben",
    description=(
        "Wiedervorlagen und Aufgaben aus Prozessen auf Vorgängen, die der Client sehen darf; "
        "früheste Fälligkeit zuerst."
    ),
)
def list_tasks(request: HttpRequest, query: Query[TaskQuery]) -> Any:
    client = client_of(request, Scope.TASKS_READ, TaskQuery.model_fields)
    found = tasks.open_tasks(selectors.visible_cases(client), _task_filter(client, query))
    return {
        "items": [
            {
                "id": t.id,
                "kind": t.kind,
                "title": t.title,
                "case_id": t.case.pk,
                "file_number": t.case.file_number,
                "assignee": schemas.person(t.assignee),
                "due": t.due,
                "created_at": t.created_at,
            }
            for t in found
        ]
    }
