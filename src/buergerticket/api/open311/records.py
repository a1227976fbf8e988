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


# The columns a record needs. Lists of up to 1,000 requests are read as plain rows:
# building three model instances per case would cost more than the query.
FIELDS = (
    "pk",
    "status",
    "channel",
    "text",
    "created_at",
    "updated_at",
    "deadline",
    "location_address",
    "latitude",
    "longitude",
    "form_data",
    "service__name",
    "service__code",
    "department__name",
)
Row = dict[str, Any]
_STATUS_LABELS = dict(Status.choices)


def expected(row: Row) -> str:
    """The end of the deadline day, while the case runs."""
    if row["status"] in (Status.DECIDED, Status.CLOSED, Status.WAITING):
        return ""
    end = dt.datetime.combine(row["deadline"], dt.time(23, 59, 59))
    return timezone.make_aware(end).isoformat(timespec="seconds")


def last_replies(rows: Sequence[Row]) -> dict[int, str]:
    """The newest reply to the requester per Open311 request, in one query."""
    ids = [r["pk"] for r in rows if r["channel"] == Channel.OPEN311]
    if not ids:
        return {}
    latest: dict[int, str] = {}
    replies = (
        Message.objects.filter(case_id__in=ids, kind=MessageKind.OUTGOING)
        .order_by("case_id", "-created_at", "-pk")
        .values_list("case_id", "body")
    )
    for case_id, body in replies:
        latest.setdefault(case_id, body[:2000])
    return latest


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


def record(row: Row, replies: dict[int, str]) -> dict[str, Any]:
    public_text = row["channel"] == Channel.OPEN311
    form = row["form_data"] if public_text and isinstance(row["form_data"], dict) else {}
    return {
        "service_request_id": str(row["pk"]),
        "status": "closed" if row["status"] == Status.CLOSED else "open",
        "status_notes": replies.get(row["pk"]) or str(_STATUS_LABELS.get(row["status"], "")),
        "service_name": row["service__name"],
        "service_code": row["service__code"],
        "description": row["text"][:4000] if public_text else "",
        "agency_responsible": row["department__name"],
        "service_notice": "",
        "requested_datetime": w3c(row["created_at"]),
        "updated_datetime": w3c(row["updated_at"]),
        "expected_datetime": expected(row),
        "address": row["location_address"],
        "address_id": str(form.get("address_id", "")),
        "zipcode": "",
        "lat": _number(row["latitude"]),
        "long": _number(row["longitude"]),
        "media_url": str(form.get("media_url", "")),
    }


def records(rows: Iterable[Row]) -> list[dict[str, Any]]:
    rows = list(rows)
    replies = last_replies(rows)
    return [record(r, replies) for r in rows]


def base(organisation: Organisation) -> QuerySet[Case]:
    return Case.objects.filter(
        organisation=organisation,
        service__open311=True,
        service__internal=False,
    )


def by_ids(organisation: Organisation, ids: Sequence[int]) -> list[Row]:
    return list(
        base(organisation)
        .filter(pk__in=ids[:MAX_RESULTS])
        .order_by("-created_at", "-pk")
        .values(*FIELDS)
    )


def search(
    organisation: Organisation,
    *,
    service_codes: Sequence[str],
    start: dt.datetime | None,
    end: dt.datetime | None,
    statuses: Sequence[str],
) -> list[Row]:
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
    )
    if statuses and set(statuses) != {"open", "closed"}:
        cases = cases.filter(is_open="open" in statuses)
    return list(cases.order_by("-created_at", "-pk").values(*FIELDS)[:MAX_RESULTS])
