"""``/api/v1/cases`` writes: open, reply, note, status, assign — through the write path.

The operations register on the router of :mod:`buergerticket.api.rest.cases`.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from ninja.responses import Status

from buergerticket.api import selectors
from buergerticket.api.clients import department_ids
from buergerticket.api.intake import PendingIntake, intake_by
from buergerticket.api.models import ApiClient, IdempotencyKey, Scope
from buergerticket.api.rest import schemas
from buergerticket.api.rest.auth import client_of
from buergerticket.api.rest.cases import (
    WRITE_ERRORS,
    actor_for,
    case_response,
    case_url,
    load_visible_case,
    router,
)
from buergerticket.api.rest.errors import ApiError
from buergerticket.api.rest.etag import expected_version, set_etag
from buergerticket.cases import services
from buergerticket.cases.models import Case
from buergerticket.catalog.models import Service
from buergerticket.intake import pipeline


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
    return Status(status, case_response(request, response, case))


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
    case = load_visible_case(request, client, case_id)
    return case, expected_version(request, case, required=required)


def _after_change(
    request: HttpRequest, response: HttpResponse, client: ApiClient, case_id: schemas.CaseId
) -> dict[str, Any]:
    case = load_visible_case(request, client, case_id)
    return case_response(request, response, case)


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
    set_etag(response, load_visible_case(request, client, case_id))
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
    set_etag(response, load_visible_case(request, client, case_id))
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
