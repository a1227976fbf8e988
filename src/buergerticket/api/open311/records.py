"""Service requests as GeoReport v2 records, and the queries behind ``GET requests``.

Only cases of services marked ``open311`` are visible here, since GeoReport
lists are public. Personal data of requesters never appears. The request text and
the agency's replies are shown only for requests that came in through Open311
itself, whose clients publish them by convention; cases of the same services from
other channels show status, place and times only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from buergerticket.cases.models import Case, Channel, Message, MessageKind, Status
from buergerticket.catalog.models import Service
from buergerticket.org.models import Organisation

MAX_RESULTS = 1000
DEFAULT_WINDOW = dt.timedelta(days=90)


def open311_services(organisation: Organisation) -> QuerySet[Service]:
    return (
        Service.objects.filter(organisation=organisation, open311=True, active=True, internal=False)
        .select_related("department")
        .order_by("name")
    )


def w3c(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")


def expected(case: Case) -> str:
    """The end of the deadline day, while the case runs."""
    if case.status in (Status.DECIDED, Status.CLOSED) or case.status == Status.WAITING:
        return ""
    end = dt.datetime.combine(case.deadline, dt.time(23, 59, 59))
    return timezone.make_aware(end).isoformat(timespec="seconds")


def _status_notes(case: Case, replies: dict[int, str]) -> str:
    if case.channel == Channel.OPEN311 and case.pk in replies:
        return replies[case.pk]
    return str(Status(case.status).label)


def last_replies(cases: Sequence[Case]) -> dict[int, str]:
    """The newest reply to the requester per Open311 case, in one query."""
    ids = [c.pk for c in cases if c.channel == Channel.OPEN311]
    if not ids:
        return {}
    latest: dict[int, str] = {}
    rows = (
        Message.objects.filter(case_id__in=ids, kind=MessageKind.OUTGOING)
        .order_by("case_id", "-created_at", "-pk")
        .values_list("case_id", "body")
    )
    for case_id, body in rows:
        latest.setdefault(case_id, body[:2000])
    return latest


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


def record(case: Case, replies: dict[int, str]) -> dict[str, Any]:
    public_text = case.channel == Channel.OPEN311
    form = case.form_data if isinstance(case.form_data, dict) else {}
    return {
        "service_request_id": str(case.pk),
        "status": "closed" if case.status == Status.CLOSED else "open",
        "status_notes": _status_notes(case, replies),
        "service_name": case.service.name,
        "service_code": case.service.code,
        "description": case.text[:4000] if public_text else "",
        "agency_responsible": case.department.name,
        "service_notice": "",
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": expected(case),
        "address": case.location_address,
        "address_id": "",
        "zipcode": "",
        "lat": _number(case.latitude),
        "long": _number(case.longitude),
        "media_url": str(form.get("media_url", "")) if public_text else "",
    }


def records(cases: Iterable[Case]) -> list[dict[str, Any]]:
    rows = list(cases)
    replies = last_replies(rows)
    return [record(c, replies) for c in rows]


def base(organisation: Organisation) -> QuerySet[Case]:
    return Case.objects.filter(
        organisation=organisation,
        service__open311=True,
        service__internal=False,
    ).select_related("service", "department")


def by_ids(organisation: Organisation, ids: Sequence[int]) -> list[Case]:
    return list(base(organisation).filter(pk__in=ids[:MAX_RESULTS]).order_by("-created_at", "-pk"))


def search(
    organisation: Organisation,
    *,
    service_codes: Sequence[str],
    start: dt.datetime | None,
    end: dt.datetime | None,
    statuses: Sequence[str],
) -> list[Case]:
    """The spec's default: the most recent 90 days, newest first, at most 1000 requests."""
    now = timezone.now()
    if start is None and end is None:
        end = now
        start = now - DEFAULT_WINDOW
    elif start is None:
        assert end is not None
        start = end - DEFAULT_WINDOW
    elif end is None:
        end = start + DEFAULT_WINDOW
    # Requests of services switched off since stay visible with their history.
    services = Service.objects.filter(organisation=organisation, open311=True, internal=False)
    if service_codes:
        services = services.filter(code__in=service_codes)
    cases = Case.objects.filter(
        organisation=organisation,
        service_id__in=list(services.values_list("pk", flat=True)),
        created_at__gte=start,
        created_at__lte=end,
    ).select_related("service", "department")
    if statuses and set(statuses) != {"open", "closed"}:
        cases = cases.filter(is_open="open" in statuses)
    return list(cases.order_by("-created_at", "-pk")[:MAX_RESULTS])
