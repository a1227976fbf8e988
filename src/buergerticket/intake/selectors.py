"""Read queries of the e-mail channel, always scoped to one organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from buergerticket.intake.mail import secrets
from buergerticket.intake.models import Mailbox, MailboxState, MailReceipt, Result
from buergerticket.notify.models import BouncedAddress
from buergerticket.org.models import Organisation


def mailboxes(organisation: Organisation) -> list[Mailbox]:
    rows = list(Mailbox.objects.filter(organisation=organisation).order_by("name"))
    states = {s.mailbox_id: s for s in MailboxState.objects.filter(mailbox__in=rows)}
    for mailbox in rows:
        mailbox.current = states.get(mailbox.pk)  # type: ignore[attr-defined]
        mailbox.secret_text = secrets.describe(mailbox.secret)  # type: ignore[attr-defined]
    return rows


def mailbox(organisation: Organisation, pk: int) -> Mailbox:
    return Mailbox.objects.get(organisation=organisation, pk=pk)


def mailbox_overview(organisation: Organisation) -> list[dict[str, Any]]:
    """For ``buergerticket mail mailboxes`` (no secrets, only how they are kept)."""
    result = []
    for row in mailboxes(organisation):
        state: MailboxState | None = row.current  # type: ignore[attr-defined]
        result.append(
            {
                "id": row.pk,
                "name": row.name,
                "address": row.address,
                "enabled": row.enabled,
                "server": f"{row.host}:{row.port} ({row.security})",
                "auth": row.auth,
                "secret": secrets.describe(row.secret),
                "folder": row.folder,
                "mode": row.mode,
                "last_success_at": state.last_success_at if state else None,
                "last_error": state.last_error if state else "",
                "last_uid": state.last_uid if state else 0,
                "uidvalidity": state.uidvalidity if state else None,
            }
        )
    return result


def receipts(organisation: Organisation, result: str = "") -> QuerySet[MailReceipt]:
    rows = MailReceipt.objects.filter(organisation=organisation).select_related(
        "case", "mailbox", "related_case"
    )
    if result:
        rows = rows.filter(result=result)
    return rows.order_by("-received_at", "-pk")


def quarantine(organisation: Organisation) -> QuerySet[MailReceipt]:
    return receipts(organisation, Result.QUARANTINED).filter(resolved_at__isnull=True)


def receipt(organisation: Organisation, pk: int) -> MailReceipt:
    return MailReceipt.objects.select_related("case", "related_case", "mailbox", "resolved_by").get(
        organisation=organisation, pk=pk
    )


def counts(organisation: Organisation, *, since: dt.datetime | None = None) -> dict[str, int]:
    since = since or timezone.now() - dt.timedelta(days=1)
    row = MailReceipt.objects.filter(organisation=organisation).aggregate(
        quarantined=Count("pk", filter=Q(result=Result.QUARANTINED, resolved_at__isnull=True)),
        created=Count("pk", filter=Q(result=Result.CREATED, received_at__gte=since)),
        threaded=Count("pk", filter=Q(result=Result.THREADED, received_at__gte=since)),
        ignored=Count("pk", filter=Q(result=Result.IGNORED, received_at__gte=since)),
    )
    row["blocked"] = BouncedAddress.objects.filter(organisation=organisation, blocked=True).count()
    return {k: int(v or 0) for k, v in row.items()}


def bounced(organisation: Organisation) -> QuerySet[BouncedAddress]:
    return BouncedAddress.objects.filter(organisation=organisation).order_by("-blocked", "-last_at")


def case_receipts(case_id: int) -> list[MailReceipt]:
    """Mails of one case (for the case page); the caller checked access."""
    return list(MailReceipt.objects.filter(case_id=case_id).order_by("received_at", "pk"))
