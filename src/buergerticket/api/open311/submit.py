"""``POST requests``: a defect report becomes a case through the common intake (channel open311)."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import HttpRequest
from django.utils import formats as django_formats
from django.utils import timezone
from django.utils.translation import gettext as _

from buergerticket.api import selectors
from buergerticket.api.clients import client_for_token
from buergerticket.api.intake import PendingIntake, intake_by
from buergerticket.api.models import ApiClient, Scope
from buergerticket.api.open311 import attributes
from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.catalog.models import Location, Service
from buergerticket.intake import pipeline
from buergerticket.org.models import Organisation

MAX_DESCRIPTION = 4000
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]{1,60})\](\[\])?$")


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def parameters(request: HttpRequest) -> dict[str, list[str]]:
    """Form fields (the spec), a JSON object (some apps), and the query string (api_key)."""
    params: dict[str, list[str]] = {k: request.GET.getlist(k) for k in request.GET}
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise Open311Error(400, "Der Inhalt ist kein gültiges JSON.") from None
        if not isinstance(body, dict):
            raise Open311Error(400, "Erwartet wird ein JSON-Objekt.")
        for key, value in body.items():
            if isinstance(value, dict) and key == "attributes":
                for code, inner in value.items():
                    items = inner if isinstance(inner, list) else [inner]
                    params[f"attribute[{code}]"] = [str(i) for i in items]
            elif isinstance(value, list):
                params[str(key)] = [str(i) for i in value]
            elif value is not None:
                params[str(key)] = [str(value)]
    else:
        for key in request.POST:
            params[key] = request.POST.getlist(key)
    return params


def _one(params: dict[str, list[str]], name: str, limit: int = 300) -> str:
    values = params.get(name) or [""]
    value = values[-1].strip()
    if len(value) > limit:
        raise Open311Error(400, f"{name} ist zu lang (höchstens {limit} Zeichen).")
    return value


def authenticate(params: dict[str, list[str]]) -> ApiClient:
    key = _one(params, "api_key", 200)
    if not key:
        raise Open311Error(
            400, "api_key fehlt: Meldungen brauchen den Schlüssel eines API-Clients."
        )
    client = client_for_token(key)
    if client is None:
        raise Open311Error(403, "api_key ist ungültig oder gesperrt.")
    if not client.has_scope(Scope.OPEN311):
        raise Open311Error(403, "Dieser api_key darf keine Open311-Meldungen einreichen.")
    return client


def _coordinate(params: dict[str, list[str]], name: str, bound: int) -> Decimal | None:
    raw = _one(params, name, 40)
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Open311Error(400, f"{name} ist keine Zahl.") from None
    if not value.is_finite() or not -bound <= value <= bound:
        raise Open311Error(400, f"{name} liegt außerhalb von ±{bound}.")
    return value.quantize(Decimal("0.000001"))


def _service(client: ApiClient, code: str) -> Service:
    if not code:
        raise Open311Error(400, "service_code fehlt.")
    service = (
        Service.objects.select_related("organisation", "owner", "department", "file_plan")
        .filter(organisation_id=client.organisation_id, code=code, open311=True, active=True)
        .exclude(internal=True)
        .first()
    )
    if service is None:
        raise Open311Error(404, f"Die Leistung „{code[:60]}“ gibt es hier nicht.")
    if not selectors.may_use_department(client, service.department_id):
        raise Open311Error(403, "Dieser api_key ist für diese Leistung nicht freigegeben.")
    return service


def _attributes(params: dict[str, list[str]]) -> dict[str, list[str]]:
    submitted: dict[str, list[str]] = {}
    for key, values in params.items():
        match = _ATTRIBUTE.match(key)
        if match:
            submitted.setdefault(match.group(1), []).extend(values)
    return submitted


def submit(
    organisation: Organisation, client: ApiClient, params: dict[str, list[str]]
) -> dict[str, Any]:
    """Open the case; returns the spec's POST response record."""
    service = _service(client, _one(params, "service_code", 60))
    lat = _coordinate(params, "lat", 90)
    lon = _coordinate(params, "long", 180)
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat und long gehören zusammen.")
    address = _one(params, "address_string", 300)
    address_id = _one(params, "address_id", 100)
    if service.location == Location.REQUIRED and lat is None and not address and not address_id:
        raise Open311Error(400, "Ort fehlt: lat und long oder address_string angeben.")
    description = _one(params, "description", MAX_DESCRIPTION)
    email = _one(params, "email", 254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, "email ist keine gültige E-Mail-Adresse.") from None
    media_url = _one(params, "media_url", 2000)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, "media_url ist keine gültige http(s)-Adresse.") from None
    try:
        form_data = attributes.parse(service, _attributes(params))
    except attributes.AttributeProblem as exc:
        raise Open311Error(400, str(exc)) from None
    if media_url:
        form_data["media_url"] = media_url
    if address_id:
        form_data["address_id"] = address_id
    name = " ".join(
        p for p in (_one(params, "first_name", 100), _one(params, "last_name", 100)) if p
    )
    draft = pipeline.Draft(
        organisation=organisation,
        channel="open311",
        subject=f"{service.name}: {address}" if address else service.name,
        text=description,
        service=service,
        requester=services.Requester(name=name, email=email, phone=_one(params, "phone", 60)),
        location=services.Location(address=address, latitude=lat, longitude=lon),
        form_data=form_data,
        meta={"api_client": client.pk},
    )
    pending = PendingIntake(
        client=client,
        open311={
            "account_id": _one(params, "account_id", 200),
            "device_id": _one(params, "device_id", 200),
        },
    )
    try:
        with intake_by(pending):
            result = pipeline.submit(draft, actor=Actor.system(client.label))
    except services.CaseError as exc:
        raise Open311Error(400, str(exc)) from None
    case = result.case
    deadline = django_formats.date_format(case.deadline, "d.m.Y")
    return {
        "service_request_id": str(case.pk),
        "token": pending.token,
        "service_notice": _(
            "Ihre Meldung ist unter dem Aktenzeichen %(file_number)s eingegangen "
            "(%(received)s); wir bearbeiten sie bis zum %(deadline)s."
        )
        % {
            "file_number": case.file_number,
            "received": f"{timezone.localtime(case.created_at):%d.%m.%Y %H:%M}",
            "deadline": deadline,
        },
        "account_id": pending.open311.get("account_id") or None if pending.open311 else None,
    }
