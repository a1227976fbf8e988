"""Read queries of the API, always scoped to the client's organisation, departments and person."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from buergerticket.api.clients import department_ids
from buergerticket.api.models import ApiClient
from buergerticket.cases.models import Case
from buergerticket.cases.permissions import visible_cases_q
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Staff

CASE_RELATED = ("organisation", "service", "department", "owner__user", "regular_owner__user")


def client_cases_q(client: ApiClient) -> Q:
    q = Q(organisation_id=client.organisation_id)
    departments = department_ids(client)
    if departments:
        q &= Q(department_id__in=departments)
    if client.staff is not None:
        q &= visible_cases_q(client.staff)
    return q


def visible_cases(client: ApiClient) -> QuerySet[Case]:
    return Case.objects.filter(client_cases_q(client))


def case_for_client(client: ApiClient, pk: int) -> Case:
    """Raises ``Case.DoesNotExist`` for cases outside the client's reach (never 403: no probing)."""
    return visible_cases(client).select_related(*CASE_RELATED).get(pk=pk)


def may_see(client: ApiClient, case: Case) -> bool:
    return visible_cases(client).filter(pk=case.pk).exists()


def services_for_client(client: ApiClient) -> QuerySet[Service]:
    services = Service.objects.filter(organisation_id=client.organisation_id).select_related(
        "department", "file_plan"
    )
    departments = department_ids(client)
    if departments:
        services = services.filter(department_id__in=departments)
    return services.order_by("code")


def departments_for_client(client: ApiClient) -> QuerySet[Department]:
    departments = Department.objects.filter(organisation_id=client.organisation_id)
    ids = department_ids(client)
    if ids:
        departments = departments.filter(pk__in=ids)
    return departments.select_related("lead__user").order_by("code")


def may_use_department(client: ApiClient, department_id: int) -> bool:
    ids = department_ids(client)
    return not ids or department_id in ids


def staff_by_username(client: ApiClient, username: str) -> Staff | None:
    return (
        Staff.objects.select_related("user", "department")
        .filter(organisation_id=client.organisation_id, user__username=username)
        .first()
    )
