"""The read-access log: who opened which case or document, and when.

Fed by ``cases.signals.case_read`` (every UI and the API send it), kept per
the organisation's own retention (``PrivacySettings``), independent of the
cases' retention: an entry outlives a disposed case until its own time is up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from buergerticket.cases.models import Case, Document
from buergerticket.org.models import Organisation, Staff, User
from buergerticket.records.models import PrivacySettings, ReadAccess

DEFAULT_RETENTION_DAYS = 365


def record_read(
    sender: Any = None,
    *,
    case: Case,
    staff: Staff | None = None,
    user: User | None = None,
    document: Document | None = None,
    channel: str = "",
    **kwargs: Any,
) -> ReadAccess:
    """Signal receiver for ``case_read``; also callable directly."""
    # Anonymous visitors (a portal tracking link) have no account row.
    user_obj = user if (user is not None and getattr(user, "pk", None)) else None
    if staff is not None:
        reader = f"{staff.username} – {staff.name}"
    elif user_obj is not None:
        reader = user_obj.get_username()
    else:
        reader = "anonym"
    return ReadAccess.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        file_number=case.file_number,
        document=document,
        document_name=document.name if document is not None else "",
        staff=staff,
        user=user_obj,
        reader=reader[:250],
        channel=(channel or "")[:20],
        at=timezone.now(),
    )


def retention_days(organisation: Organisation) -> int:
    settings = PrivacySettings.objects.filter(organisation=organisation).first()
    return settings.read_log_retention_days if settings else DEFAULT_RETENTION_DAYS


def set_retention(organisation: Organisation, days: int) -> PrivacySettings:
    if days < 1:
        raise ValueError("Die Aufbewahrung muss mindestens einen Tag betragen.")
    settings, _created = PrivacySettings.objects.update_or_create(
        organisation=organisation, defaults={"read_log_retention_days": days}
    )
    return settings


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete entries older than their organisation's retention; returns the count."""
    now = now or timezone.now()
    deleted = 0
    for organisation in Organisation.objects.all():
        cutoff = now - dt.timedelta(days=retention_days(organisation))
        count, _ = ReadAccess.objects.filter(organisation=organisation, at__lt=cutoff).delete()
        deleted += count
    return deleted
