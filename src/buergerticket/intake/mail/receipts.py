"""Bookkeeping of deliveries (:class:`MailReceipt`): claim, finish, quarantine.

A delivery is *claimed* in its own short transaction before anything else
happens, so concurrent processes (two workers, the listener and IMAP) see it.
It is *finished* inside the transaction that opens or changes the case: the
case and the note "this mail is done" commit together or not at all. A crash
in between leaves the claim, whose lease runs out; the next delivery of the
same mail takes it over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from buergerticket.cases.models import Case
from buergerticket.intake.models import Mailbox, MailReceipt, Resolution, Result
from buergerticket.org.models import Organisation, Staff

NEW, DONE, BUSY = "new", "done", "busy"


class ReceiptLost(Exception):
    """Another process took this delivery over (our lease ran out): roll back."""


@dataclass
class Claim:
    status: str
    receipt: MailReceipt | None = None


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.MAIL_RECEIPT_LEASE_SECONDS)


def claim(
    *,
    organisation: Organisation,
    source: str,
    source_key: str,
    message_id: str,
    mailbox: Mailbox | None,
    sha256: str,
    size: int,
    sender: str,
    reply_to: str,
    subject: str,
    received_at: dt.datetime,
) -> Claim:
    now = timezone.now()
    with transaction.atomic():
        existing = (
            MailReceipt.objects.select_for_update()
            .filter(organisation=organisation, source_key=source_key)
            .first()
        )
        if existing is not None:
            if existing.result != Result.PROCESSING:
                return Claim(DONE, existing)
            if existing.lease_until and existing.lease_until > now:
                return Claim(BUSY, existing)
            existing.lease_until = now + lease()
            existing.attempts += 1
            existing.save(update_fields=["lease_until", "attempts"])
            return Claim(NEW, existing)
        # A crashed delivery of the same mail on another path gives way.
        MailReceipt.objects.filter(
            organisation=organisation,
            message_id=message_id,
            result=Result.PROCESSING,
            lease_until__lte=now,
        ).update(
            result=Result.IGNORED,
            reason="superseded",
            detail="Verarbeitung unterbrochen; eine andere Zustellung derselben Nachricht "
            "hat übernommen.",
            processed_at=now,
            lease_until=None,
        )
        try:
            with transaction.atomic():
                receipt = MailReceipt.objects.create(
                    organisation=organisation,
                    mailbox=mailbox,
                    source=source,
                    source_key=source_key[:300],
                    message_id=message_id[:300],
                    sha256=sha256,
                    size=size,
                    sender=sender[:300],
                    reply_to=reply_to[:300],
                    subject=subject[:300],
                    received_at=received_at,
                    lease_until=now + lease(),
                    attempts=1,
                )
        except IntegrityError:
            # The same delivery, or another delivery of this mail, is being processed.
            return Claim(BUSY)
    return Claim(NEW, receipt)


def finish(
    receipt: MailReceipt,
    *,
    result: str,
    reason: str = "",
    detail: str = "",
    case: Case | None = None,
    related_case: Case | None = None,
    automated: bool = False,
) -> None:
    """Mark the delivery done; call inside the transaction that did the work."""
    now = timezone.now()
    updated = MailReceipt.objects.filter(pk=receipt.pk, result=Result.PROCESSING).update(
        result=result,
        reason=reason[:40],
        detail=detail[:4000],
        case=case,
        related_case=related_case,
        automated=automated,
        processed_at=now,
        lease_until=None,
        raw=receipt.raw.name if receipt.raw else "",
    )
    if not updated:
        raise ReceiptLost(f"Eingang {receipt.pk} wurde inzwischen anderweitig verarbeitet.")
    receipt.result, receipt.reason, receipt.detail = result, reason[:40], detail[:4000]
    receipt.case, receipt.related_case, receipt.automated = case, related_case, automated
    receipt.processed_at, receipt.lease_until = now, None


def store_raw(receipt: MailReceipt, raw: bytes) -> None:
    """Keep the original bytes with the receipt (quarantine, ignored mail)."""
    if receipt.raw:
        return
    receipt.raw.save(f"{receipt.sha256}.eml", ContentFile(raw), save=False)


def release(receipt: MailReceipt) -> None:
    """After a transient failure: let the next attempt start at once."""
    MailReceipt.objects.filter(pk=receipt.pk, result=Result.PROCESSING).update(lease_until=None)


def note_automation(receipt: MailReceipt, *, automated: bool, reason: str) -> None:
    """Postprocessors ran after the case committed; keep what they reported."""
    MailReceipt.objects.filter(pk=receipt.pk).update(automated=automated)
    receipt.automated = automated
    if reason and receipt.reason == "":
        MailReceipt.objects.filter(pk=receipt.pk).update(reason=reason[:40])
        receipt.reason = reason[:40]


def take_for_retry(receipt: MailReceipt) -> bool:
    """Quarantined → processing again (an administrator pressed "retry")."""
    now = timezone.now()
    try:
        with transaction.atomic():
            taken = MailReceipt.objects.filter(
                pk=receipt.pk, result=Result.QUARANTINED, resolved_at__isnull=True
            ).update(
                result=Result.PROCESSING,
                lease_until=now + lease(),
                attempts=receipt.attempts + 1,
            )
    except IntegrityError:
        return False  # another delivery of this mail is being processed right now
    if taken:
        receipt.refresh_from_db()
    return bool(taken)


def resolve(receipt: MailReceipt, *, resolution: str, by: Staff | None) -> None:
    MailReceipt.objects.filter(pk=receipt.pk).update(
        resolution=resolution, resolved_at=timezone.now(), resolved_by=by
    )


def discard(receipt: MailReceipt, *, by: Staff, note: str) -> bool:
    """An administrator decides a quarantined mail is no request (spam, test)."""
    now = timezone.now()
    detail = f"{receipt.detail}\nVerworfen von {by.name}: {note}".strip()
    return bool(
        MailReceipt.objects.filter(
            pk=receipt.pk, result=Result.QUARANTINED, resolved_at__isnull=True
        ).update(
            resolution=Resolution.DISCARDED,
            resolved_at=now,
            resolved_by=by,
            detail=detail[:4000],
        )
    )


def purge_expired(now: dt.datetime | None = None) -> int:
    """Data minimisation: ignored and resolved mails lose bytes, subject and
    sender after MAIL_LOG_RETENTION_DAYS; what stays proves only that a
    delivery happened (and keeps it from being processed again)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.MAIL_LOG_RETENTION_DAYS)
    expired = MailReceipt.objects.filter(received_at__lt=cutoff).filter(
        Q(result=Result.IGNORED) | Q(result=Result.QUARANTINED, resolved_at__isnull=False)
    )
    count = 0
    for receipt in expired.exclude(raw="", subject="", sender="").iterator():
        if receipt.raw:
            receipt.raw.delete(save=False)
        MailReceipt.objects.filter(pk=receipt.pk).update(raw="", subject="", sender="", reply_to="")
        count += 1
    # Claims whose process died and whose mail never came again.
    MailReceipt.objects.filter(
        result=Result.PROCESSING, lease_until__lt=now - dt.timedelta(days=1)
    ).update(
        result=Result.IGNORED,
        reason="abandoned",
        detail="Verarbeitung abgebrochen; der einliefernde Server stellt die Nachricht "
        "erneut zu, oder sie liegt noch im Postfach.",
        processed_at=now,
        lease_until=None,
    )
    return count
