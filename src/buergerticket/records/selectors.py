"""Read queries of the records app."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from buergerticket.org.models import Organisation
from buergerticket.records.models import (
    DisposalRecord,
    DisposalRun,
    PrivacyRequest,
    ReadAccess,
)


def read_log(
    organisation: Organisation,
    *,
    file_number: str = "",
    reader: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[ReadAccess]:
    entries = ReadAccess.objects.filter(organisation=organisation)
    if file_number.strip():
        entries = entries.filter(file_number=file_number.strip())
    if reader.strip():
        entries = entries.filter(Q(reader__icontains=reader.strip()))
    if start:
        entries = entries.filter(at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time())))
    if end:
        entries = entries.filter(
            at__lt=timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
        )
    return entries.order_by("-at", "-pk")


def disposal_runs(organisation: Organisation) -> QuerySet[DisposalRun]:
    return DisposalRun.objects.filter(organisation=organisation).order_by("-created_at")


def disposal_records(organisation: Organisation) -> QuerySet[DisposalRecord]:
    return DisposalRecord.objects.filter(organisation=organisation).order_by("-seq")


def privacy_requests(organisation: Organisation) -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.filter(organisation=organisation).order_by("-at")
