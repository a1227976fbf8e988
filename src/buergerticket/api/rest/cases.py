"""``/api/v1/cases``: list, read, open, reply, note, status, assign — through the write path."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from buergerticket.api import selectors
from buergerticket.api.clients import department_ids
from buergerticket.api.intake import PendingIntake, intake_by
from buergerticket.api.models import ApiClient, IdempotencyKey, Scope
from buergerticket.api.rest import schemas
from buergerticket.api.rest.auth import client_of
from buergerticket.api.rest.errors import ApiError, ErrorOut, not_found
from buergerticket.api.rest.etag import expected_version, not_modified, set_etag
from buergerticket.api.rest.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    page_url,
    paginate_by,
    paginate_desc_id,
)
from buergerticket.cases import selectors as case_selectors
from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import DEADLINE_RUNNING, Case
from buergerticket.cases.models import Status as CaseStatus
from buergerticket.cases.signals import case_read
from buergerticket.catalog.models import Service
from buergerticket.intake import pipeline

router = Router(tags=["Vorgänge"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    429: ErrorOut,
}
LIST_ERRORS: dict[int, Any] = {**ERRORS, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}


class CaseFilter(Schema):
    status: list[schemas.StatusCode] | None = None
    open: bool | None = None
    service: str | None = None
    department: str | None = None
    owner: str | None = None
    channel: schemas.ChannelCode | None = None
    deadline_state: schemas.DeadlineState | None = None
    file_number: str | None = None
    created_from: schemas.IsoDate | None = None
    created_to: schemas.IsoDate | None = None
    updated_since: schemas.IsoDateTime | None = Field(
        None, description="Mit Zeitzone; liefert die seitdem geänderten Vorgänge, älteste zuerst."
    )
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def actor_for(client: ApiClient) -> Actor:
    """A client acting as a person acts with their rights; otherwise as the interface itself."""
    if client.staff is not None:
        return Actor.for_staff(client.staff)
    return Actor.system(client.label)


def case_url(request: HttpRequest, case: Case) -> str:
    return request.build_absolute_uri(reverse("api-v1:case_detail", kwargs={"case_id": case.pk}))


def _bounds(client: ApiClient) -> tuple[dt.date, dt.date]:
    return case_selectors.deadline_bounds(client.organisation)


def _state(case: Case, bounds: tuple[dt.date, dt.date]) -> str:
    return case_selectors.deadline_state(case, *bounds)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filtered(client: ApiClient, f: CaseFilter) -> Any:
    cases = selectors.visible_cases(client)
    if f.status:
        cases = cases.filter(status__in=f.status)
    if f.open is not None:
        cases = cases.filter(is_open=f.open)
    if f.service:
        cases = cases.filter(service__code=f.service)
    if f.department:
        cases = cases.filter(department__code=f.department)
    if f.owner:
        cases = cases.filter(owner__user__username=f.owner)
    if f.channel:
        cases = cases.filter(channel=f.channel)
    if f.file_number:
        cases = cases.filter(file_number=f.file_number)
    if f.created_from:
        cases = cases.filter(created_at__gte=_local_midnight(f.created_from))
    if f.created_to:
        cases = cases.filter(created_at__lt=_local_midnight(f.created_to + dt.timedelta(days=1)))
    if f.deadline_state:
        today, soon = _bounds(client)
        by_state = {
            "overdue": case_selectors.overdue_q(today),
            "due_soon": case_selectors.due_soon_q(today, soon),
            "suspended": Q(status=CaseStatus.WAITING),
            "met": Q(status__in=(CaseStatus.DECIDED, CaseStatus.CLOSED)),
            "running": Q(status__in=DEADLINE_RUNNING, deadline__gt=soon),
        }
        cases = cases.filter(by_state[f.deadline_state])
    if f.updated_since:
        cases = cases.filter(updated_at__gte=f.updated_since)
    return cases.select_related(*selectors.CASE_RELATED)


@router.get(
    "/cases",
    response={200: schemas.CasePage, **LIST_ERRORS},
    summary="Vorgänge auflisten",
    description=(
        "Neueste zuerst. Mit updated_since: älteste Änderung zuerst, als Änderungs-Feed zum "
        "Abholen aller seitdem geänderten Vorgänge. Weitere Seiten über next_cursor."
    ),
)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    client = client_of(request, Scope.CASES_READ, CaseFilter.model_fields)
    cases = _filtered(client, filters)
    if filters.updated_since:
        rows, cursor = paginate_by(
            cases,
            field="updated_at",
            cursor=filters.cursor,
            limit=filters.limit,
            key=lambda c: c.updated_at,
        )
    else:
        rows, cursor = paginate_desc_id(cases, cursor=filters.cursor, limit=filters.limit)
    bounds = _bounds(client)
    return {
        "items": [
            schemas.case_summary(c, state=_state(c, bounds), url=case_url(request, c)) for c in rows
        ],
        "next_cursor": cursor,
        "next": page_url(request, cursor) if cursor else None,
    }


def _load(request: HttpRequest, client: ApiClient, case_id: schemas.CaseId) -> Case:
    try:
        return selectors.case_for_client(client, case_id)
    except Case.DoesNotExist:
        raise not_found() from None


def _read(request: HttpRequest, client: ApiClient, case: Case) -> None:
    case_read.send(
        sender=list_cases,
        case=case,
        staff=client.staff,
        user=None,
        document=None,
        channel="api",
        api_client=client,
    )


def _case_response(request: HttpRequest, response: HttpResponse, case: Case) -> dict[str, Any]:
    client: ApiClient = request.auth  # type: ignore[attr-defined]  # set by TokenAuth
    set_etag(response, case)
    return schemas.case_out(case, state=_state(case, _bounds(client)), url=case_url(request, case))


@router.get(
    "/cases/{case_id}",
    response={200: schemas.CaseOut, 304: None, **ERRORS},
    url_name="case_detail",
    summary="Einen Vorgang lesen",
    description="Liefert das ETag des Vorgangs; mit If-None-Match antwortet der Server 304.",
)
def get_case(request: HttpRequest, response: HttpResponse, case_id: schemas.CaseId) -> Any:
    client = client_of(request, Scope.CASES_READ)
    case = _load(request, client, case_id)
    if not_modified(request, case):
        set_etag(response, case)
        return Status(304, None)
    _read(request, client, case)
    return _case_response(request, response, case)


@router.get(
    "/cases/{case_id}/messages",
    response={200: list[schemas.MessageOut], **ERRORS},
    summary="Nachrichten und Vermerke eines Vorgangs",
)
def case_messages(request: HttpRequest, response: HttpResponse, case_id: schemas.CaseId) -> Any:
    client = client_of(request, Scope.CASES_READ)
    case = _load(request, client, case_id)
    _read(request, client, case)
    set_etag(response, case)
    return [schemas.message_out(m) for m in case.messages.order_by("created_at", "pk")]


@router.get(
    "/cases/{case_id}/events",
    response={200: list[schemas.EventOut], **ERRORS},
    summary="Historie eines Vorgangs",
)
def case_events(request: HttpRequest, response: HttpResponse, case_id: schemas.CaseId) -> Any:
    client = client_of(request, Scope.CASES_READ)
    case = _load(request, client, case_id)
    _read(request, client, case)
    set_etag(response, case)
    return [
        {
            "seq": e.seq,
            "type": e.type,
            "actor": e.actor.user.username if e.actor else e.actor_label,
            "actor_kind": e.actor_kind,
            "on_behalf_of": e.on_behalf_of.user.username if e.on_behalf_of else None,
            "at": e.at,
            "details": e.details if isinstance(e.details, dict) else {},
            "reason": e.reason,
        }
        for e in case.events.select_related("actor__user", "on_behalf_of__user").order_by("seq")
    ]


def _service(client: ApiClient, code: str | None) -> Service | None:
    if code is None:
        return None
    service = (
        Service.objects.select_related("organisation", "owner", "department", "file_plan")
        .filter(organisation_id=client.organisation_id, code=code)
        .first()
    )
    if service is None or not service.active:
        raise ApiError(
            422,
            "unknown_service",
            f"Die Leistung „{code}“ gibt es nicht oder sie ist nicht aktiv.",
            errors=[{"field": "service", "message": "unbekannt"}],
        )
    if not selectors.may_use_department(client, service.department_id):
        raise ApiError(
            403,
            "forbidden",
            "Diese Leistung gehört zu einem Fachbereich, für den der API-Client "
            "nicht freigegeben ist.",
        )
    return service


def _coordinate(value: float | None) -> Decimal | None:
    # The model keeps six decimal places (about 0.1 m).
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def _request_hash(payload: schemas.CaseIn) -> str:
    raw = json.dumps(payload.model_dump(mode="json"), sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()


def _replay(
    request: HttpRequest, response: HttpResponse, client: ApiClient, key: str, digest: str
) -> Any:
    known = IdempotencyKey.objects.filter(client=client, key=key).first()
    if known is None:
        return None
    if known.request_hash != digest:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet.",
        )
    return _created(request, response, client, known.case_id, status=200)


def _created(
    request: HttpRequest,
    response: HttpResponse,
    client: ApiClient,
    case_id: schemas.CaseId,
    *,
    status: int,
) -> Any:
    case = Case.objects.select_related(*selectors.CASE_RELATED).get(pk=case_id)
    response["Location"] = case_url(request, case)
    if not selectors.may_see(client, case):
        # Routing put the case where this client may not look. The case exists and
        # the client must not retry, so it gets the acknowledgement without details.
        return Status(202, {"id": case.pk, "file_number": case.file_number})
    return Status(status, _case_response(request, response, case))


@router.post(
    "/cases",
    response={201: schemas.CaseOut, 200: schemas.CaseOut, 202: schemas.Accepted, **WRITE_ERRORS},
    summary="Vorgang anlegen",
    description=(
        "Legt über den gemeinsamen Eingangsweg (Kanal api) einen Vorgang an. Mit dem Kopf "
        "Idempotency-Key liefert eine Wiederholung denselben Vorgang (200) statt eines zweiten. "
        "202: angelegt, aber von der Eingangssteuerung einem Fachbereich außerhalb der "
        "Freigaben dieses Clients zugeordnet."
    ),
)
def open_case(request: HttpRequest, response: HttpResponse, payload: schemas.CaseIn) -> Any:
    client = client_of(request, Scope.CASES_WRITE)
    key = request.headers.get("Idempotency-Key", "").strip()[:200]
    digest = _request_hash(payload)
    if key and (replayed := _replay(request, response, client, key, digest)) is not None:
        return replayed
    service = _service(client, payload.service)
    if service is None and department_ids(client):
        raise ApiError(
            422,
            "service_required",
            "Dieser API-Client ist auf Fachbereiche beschränkt und muss die Leistung angeben.",
            errors=[{"field": "service", "message": "Pflichtangabe"}],
        )
    draft = pipeline.Draft(
        organisation=client.organisation,
        channel="api",
        subject=payload.subject,
        text=payload.text,
        service=service,
        requester=services.Requester(
            name=payload.requester.name,
            email=payload.requester.email,
            phone=payload.requester.phone,
            address=payload.requester.address,
        ),
        location=services.Location(
            address=payload.location.address,
            latitude=_coordinate(payload.location.latitude),
            longitude=_coordinate(payload.location.longitude),
        ),
        priority=payload.priority,
        form_data=payload.form_data,
        tags=[t[:60] for t in payload.tags],
        meta={"api_client": client.pk},
    )
    pending = PendingIntake(client=client, idempotency_key=key, request_hash=digest)
    try:
        with intake_by(pending):
            result = pipeline.submit(draft, actor=actor_for(client))
    except IntegrityError:
        # A concurrent retry with the same key committed first: answer with its case.
        if key and (replayed := _replay(request, response, client, key, digest)) is not None:
            return replayed
        raise
    return _created(request, response, client, result.case.pk, status=201)


def _locked_version(
    request: HttpRequest, client: ApiClient, case_id: schemas.CaseId, *, required: bool
) -> tuple[Case, int | None]:
    case = _load(request, client, case_id)
    return case, expected_version(request, case, required=required)


def _after_change(
    request: HttpRequest, response: HttpResponse, client: ApiClient, case_id: schemas.CaseId
) -> dict[str, Any]:
    case = _load(request, client, case_id)
    return _case_response(request, response, case)


@router.post(
    "/cases/{case_id}/replies",
    response={201: schemas.MessageOut, **WRITE_ERRORS},
    summary="Antwort an die antragstellende Person",
    description=(
        "If-Match ist freiwillig: eine Antwort überschreibt nichts, "
        "wird aber geprüft, wenn angegeben."
    ),
)
def add_reply(
    request: HttpRequest, response: HttpResponse, case_id: schemas.CaseId, payload: schemas.ReplyIn
) -> Any:
    client = client_of(request, Scope.CASES_WRITE)
    case, version = _locked_version(request, client, case_id, required=False)
    message = services.add_reply(
        case.pk,
        actor=actor_for(client),
        body=payload.body,
        subject=payload.subject,
        expected_version=version,
    )
    set_etag(response, _load(request, client, case_id))
    return Status(201, schemas.message_out(message))


@router.post(
    "/cases/{case_id}/notes",
    response={201: schemas.MessageOut, **WRITE_ERRORS},
    summary="Internen Vermerk anlegen",
)
def add_note(
    request: HttpRequest, response: HttpResponse, case_id: schemas.CaseId, payload: schemas.NoteIn
) -> Any:
    client = client_of(request, Scope.CASES_WRITE)
    case, version = _locked_version(request, client, case_id, required=False)
    message = services.add_note(
        case.pk, actor=actor_for(client), text=payload.text, expected_version=version
    )
    set_etag(response, _load(request, client, case_id))
    return Status(201, schemas.message_out(message))


@router.post(
    "/cases/{case_id}/status",
    response={200: schemas.CaseOut, **WRITE_ERRORS},
    summary="Status ändern",
    description="Verlangt If-Match mit dem ETag des Vorgangs (sonst 428, bei Abweichung 412).",
)
def set_status(
    request: HttpRequest, response: HttpResponse, case_id: schemas.CaseId, payload: schemas.StatusIn
) -> Any:
    client = client_of(request, Scope.CASES_WRITE)
    case, version = _locked_version(request, client, case_id, required=True)
    services.set_status(
        case.pk,
        actor=actor_for(client),
        status=payload.status,
        reason=payload.reason,
        expected_version=version,
    )
    return _after_change(request, response, client, case_id)


@router.post(
    "/cases/{case_id}/assignment",
    response={200: schemas.CaseOut, **WRITE_ERRORS},
    summary="Zuständigkeit ändern",
    description=(
        "Weist den Vorgang einer Person seines Fachbereichs zu (Abwesenheiten werden "
        "berücksichtigt). Verlangt If-Match."
    ),
)
def assign(
    request: HttpRequest, response: HttpResponse, case_id: schemas.CaseId, payload: schemas.AssignIn
) -> Any:
    client = client_of(request, Scope.CASES_WRITE)
    case, version = _locked_version(request, client, case_id, required=True)
    person = selectors.staff_by_username(client, payload.owner)
    if person is None:
        raise ApiError(
            422,
            "unknown_staff",
            f"Eine Person „{payload.owner}“ gibt es in dieser Organisation nicht.",
            errors=[{"field": "owner", "message": "unbekannt"}],
        )
    services.reassign(
        case.pk,
        actor=actor_for(client),
        to=person,
        reason=payload.reason,
        expected_version=version,
    )
    return _after_change(request, response, client, case_id)
