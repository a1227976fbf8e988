"""Keeping :class:`CaseFact` equal to the case table.

Every change of a case appends an event, and every event reaches
:func:`on_event` inside the writing transaction: the fact row is rewritten from
the case as it is now, so it commits or rolls back with the change. A rebuild
recomputes all rows from the case table (after an upgrade, or for data loaded
without the write path, such as a benchmark dataset).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from buergerticket.cases.models import Case, CaseEvent, Status
from buergerticket.workspace.dashboard.models import CaseFact

BATCH = 5000


def values(
    *,
    organisation_id: int,
    department_id: int,
    service_id: int,
    owner_id: int,
    channel: str,
    status: str,
    deadline: dt.date,
    created_at: dt.datetime,
    closed_at: dt.datetime | None,
    closed_automatically: bool,
) -> dict[str, Any]:
    closed = status == Status.CLOSED and closed_at is not None
    return {
        "organisation_id": organisation_id,
        "department_id": department_id,
        "service_id": service_id,
        "owner_id": owner_id,
        "channel": channel,
        "status": status,
        "is_open": status != Status.CLOSED,
        "deadline": deadline,
        "created_on": timezone.localdate(created_at),
        "closed_on": timezone.localdate(closed_at) if closed and closed_at else None,
        "close_seconds": (
            max(0, int((closed_at - created_at).total_seconds())) if closed and closed_at else None
        ),
        "closed_automatically": bool(closed and closed_automatically),
    }


def values_of(case: Case) -> dict[str, Any]:
    return values(
        organisation_id=case.organisation_id,
        department_id=case.department_id,
        service_id=case.service_id,
        owner_id=case.owner_id,
        channel=case.channel,
        status=case.status,
        deadline=case.deadline,
        created_at=case.created_at,
        closed_at=case.closed_at,
        closed_automatically=case.closed_automatically,
    )


def on_write(events: list[CaseEvent], case: Case) -> None:
    """Write subscriber: the fact row follows the case, once per change (INSERT at intake,
    else an UPDATE by primary key)."""
    row = values_of(case)
    if events[0].seq == 1 or not CaseFact.objects.filter(pk=case.pk).update(**row):
        CaseFact.objects.create(case_id=case.pk, **row)


FIELDS = (
    "pk",
    "organisation_id",
    "department_id",
    "service_id",
    "owner_id",
    "channel",
    "status",
    "deadline",
    "created_at",
    "closed_at",
    "closed_automatically",
)


def rebuild(organisation_id: int | None = None) -> int:
    """Recompute every fact row (of one organisation); returns the number of cases."""
    cases = Case.objects.all()
    facts = CaseFact.objects.all()
    if organisation_id is not None:
        cases = cases.filter(organisation_id=organisation_id)
        facts = facts.filter(organisation_id=organisation_id)
    total = 0
    with transaction.atomic():
        facts.delete()
        last = 0
        while True:
            batch = list(cases.filter(pk__gt=last).order_by("pk").values(*FIELDS)[:BATCH])
            if not batch:
                break
            rows = []
            for data in batch:
                pk = data.pop("pk")
                rows.append(CaseFact(case_id=pk, **values(**data)))
            CaseFact.objects.bulk_create(rows)
            total += len(rows)
            last = rows[-1].case_id
    return total
