"""Open311 GeoReport v2 endpoints. ``jurisdiction_id`` is the organisation's slug."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from buergerticket.api.models import Open311Request
from buergerticket.api.open311 import attributes, formats, records
from buergerticket.api.open311.submit import Open311Error, authenticate, parameters, submit
from buergerticket.org.models import Organisation

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-01T00:00:00Z"
View = Callable[..., HttpResponse]


def open311_view(view: View) -> View:
    """Every failure becomes the spec's error list in the requested format."""

    @wraps(view)
    def wrapper(request: HttpRequest, fmt: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, fmt, *args, **kwargs)
        except Open311Error as exc:
            return formats.error(fmt, exc.status, exc.description)

    return wrapper


def _jurisdiction(request: HttpRequest, params: dict[str, list[str]] | None = None) -> Organisation:
    values = (params or {}).get("jurisdiction_id") or request.GET.getlist("jurisdiction_id")
    slug = values[-1].strip() if values else ""
    if slug:
        organisation = Organisation.objects.filter(slug=slug[:60]).first()
        if organisation is None:
            raise Open311Error(404, f"jurisdiction_id „{slug[:60]}“ ist unbekannt.")
        return organisation
    candidates = list(
        Organisation.objects.filter(services__open311=True, services__active=True).distinct()[:2]
    )
    if len(candidates) == 1:
        return candidates[0]
    raise Open311Error(400, "jurisdiction_id fehlt: dieser Server bedient mehrere Organisationen.")


@csrf_exempt
@require_http_methods(["GET"])
@open311_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri("/open311/v2")
    contact = ", ".join(
        o.mailbox for o in Organisation.objects.exclude(mailbox="").order_by("slug")[:5]
    )
    data = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": _(
            "API-Schlüssel vergibt die Fachadministration der jeweiligen Organisation."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production" if not settings.DEVELOPMENT else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return formats.respond(
        fmt,
        data,
        root="discovery",
        item=None,
        item_names={"endpoints": "endpoint", "formats": "format"},
    )


@csrf_exempt
@require_http_methods(["GET"])
@open311_view
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    organisation = _jurisdiction(request)
    data = [
        {
            "service_code": s.code,
            "service_name": s.name,
            "description": s.description,
            "metadata": attributes.has_metadata(s),
            "type": "realtime",
            "keywords": s.keywords,
            "group": s.department.name,
        }
        for s in records.open311_services(organisation)
    ]
    return formats.respond(fmt, data, root="services", item="service")


@csrf_exempt
@require_http_methods(["GET"])
@open311_view
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    organisation = _jurisdiction(request)
    service = records.open311_services(organisation).filter(code=service_code).first()
    if service is None:
        raise Open311Error(404, f"Die Leistung „{service_code[:60]}“ gibt es hier nicht.")
    return formats.respond(
        fmt,
        attributes.definition(service),
        root="service_definition",
        item=None,
        item_names={"attributes": "attribute", "values": "value"},
    )


def _datetime(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise Open311Error(
            400, f"{name} ist kein Zeitpunkt im W3C-Format (z. B. 2026-01-01T00:00:00Z)."
        ) from None
    if value.tzinfo is None:
        value = timezone.make_aware(value)
    return value


def _list(request: HttpRequest, name: str) -> list[str]:
    return [v.strip() for raw in request.GET.getlist(name) for v in raw.split(",") if v.strip()]


def _requests_get(request: HttpRequest, fmt: str) -> HttpResponse:
    organisation = _jurisdiction(request)
    ids = _list(request, "service_request_id")
    if ids:
        if not all(i.isdigit() and len(i) < 19 for i in ids):
            raise Open311Error(400, "service_request_id muss aus Nummern bestehen.")
        cases = records.by_ids(organisation, [int(i) for i in ids])
    else:
        statuses = _list(request, "status")
        if set(statuses) - {"open", "closed"}:
            raise Open311Error(400, "status kennt nur open und closed.")
        start, end = _datetime(request, "start_date"), _datetime(request, "end_date")
        if start and end:
            if end < start:
                raise Open311Error(400, "end_date liegt vor start_date.")
            if end - start > records.DEFAULT_WINDOW:
                raise Open311Error(400, "Der Zeitraum darf höchstens 90 Tage umfassen.")
        cases = records.search(
            organisation,
            service_codes=_list(request, "service_code"),
            start=start,
            end=end,
            statuses=statuses,
        )
    return formats.respond(fmt, records.records(cases), root="service_requests", item="request")


def _requests_post(request: HttpRequest, fmt: str) -> HttpResponse:
    params = parameters(request)
    client = authenticate(params)
    organisation = _jurisdiction(request, params) if params.get("jurisdiction_id") else None
    if organisation is not None and organisation.pk != client.organisation_id:
        raise Open311Error(403, "Dieser api_key gehört zu einer anderen jurisdiction_id.")
    record = submit(client.organisation, client, params)
    return formats.respond(fmt, [record], root="service_requests", item="request", status=201)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@open311_view
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _requests_post(request, fmt)
    return _requests_get(request, fmt)


@csrf_exempt
@require_http_methods(["GET"])
@open311_view
def service_request(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    organisation = _jurisdiction(request)
    valid = request_id.isdigit() and len(request_id) < 19
    cases = records.by_ids(organisation, [int(request_id)]) if valid else []
    if not cases:
        raise Open311Error(404, f"Die Meldung {request_id[:40]} gibt es hier nicht.")
    # An array of one: what the spec shows and what client libraries index with [0].
    return formats.respond(fmt, records.records(cases), root="service_requests", item="request")


@csrf_exempt
@require_http_methods(["GET"])
@open311_view
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    organisation = _jurisdiction(request)
    found = (
        Open311Request.objects.filter(token=token[:40], case__organisation=organisation)
        .values_list("case_id", "token")
        .first()
    )
    if found is None:
        raise Open311Error(404, "Dieses Token ist unbekannt.")
    data = [{"service_request_id": str(found[0]), "token": found[1]}]
    return formats.respond(fmt, data, root="service_requests", item="request")
