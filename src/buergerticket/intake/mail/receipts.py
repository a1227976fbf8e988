"""Bookkeeping of deliveries (:class:`MailReceipt`).

A delivery is recorded in the very transaction that opens or changes the case
(or quarantines or ignores the mail): the case and the note "this mail is done"
commit together or not at all, so a crash at any point leaves nothing half
done and the mail is simply processed again. Two processes handling the same
mail at once (the listener and IMAP, say) both do the work, but the unique
constraints let only one commit; the other rolls back and reports a duplicate.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from buergerticket.cases.models import Case, CaseEvent
from buergerticket.intake.models import MailReceipt, Resolution, Result
from buergerticket.notify.models import BouncedAddress
from buergerticket.org.models import Organisation, Staff


class ReceiptLost(Exception):
    """Someone else finished this quarantined delivery meanwhile: roll back."""


def seen(organisation: Organisation, source_key: str) -> MailReceipt | None:
    """The earlier record of exactly this delivery, if any."""
    found = list(
        MailReceipt.objects.filter(organisation=organisation, source_key=source_key).values_list(
            "pk", flat=True
        )[:1]
    )
    if not found:  # the usual case: answered by the index alone
        return None
    return MailReceipt.objects.select_related("case", "case__service", "case__owner").get(
        pk=found[0]
    )


def record(
    receipt: MailReceipt,
    *,
    result: str,
    reason: str = "",
    detail: str = "",
    case: Case | None = None,
    related_case: Case | None = None,
    automated: bool = False,
) -> None:
    """Record the outcome; call inside the transaction that did the work.

    A new delivery is inserted (the unique constraints may refuse it: then the
    caller's transaction rolls back). A quarantined one being retried is
    updated only if it is still in the quarantine.
    """
    now = timezone.now()
    values = {
        "result": result,
        "reason": reason[:40],
        "detail": detail[:4000],
        "case": case,
        "related_case": related_case,
        "automated": automated,
        "processed_at": now,
    }
    if receipt.pk is None:
        for name, value in values.items():
            setattr(receipt, name, value)
        receipt.save(force_insert=True)
        return
    updated = MailReceipt.objects.filter(
        pk=receipt.pk, result=Result.QUARANTINED, resolved_at__isnull=True
    ).update(raw=receipt.raw.name if receipt.raw else "", **values)
    if not updated:
        raise ReceiptLost(f"Eingang {receipt.pk} wurde inzwischen anderweitig erledigt.")
    for name, value in values.items():
        setattr(receipt, name, value)


def store_raw(receipt: MailReceipt, raw: bytes) -> None:
    """Keep the original bytes with the receipt (quarantine, ignored mail)."""
    if receipt.raw:
        return
    receipt.raw.save(f"{receipt.sha256}.eml", ContentFile(raw), save=False)


def note_automation(receipt: MailReceipt, *, automated: bool, reason: str) -> None:
    """Postprocessors ran after the case committed; keep what they reported."""
    if not automated and not reason:
        return
    receipt.automated = automated
    receipt.reason = receipt.reason or reason[:40]
    MailReceipt.objects.filter(pk=receipt.pk).update(automated=automated, reason=receipt.reason)


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


def forget_case(event: CaseEvent, case: Case) -> None:
    """History subscriber: when a case is anonymised (DSGVO), its mails' senders,
    subjects and stored bytes go too, in the same transaction."""
    if event.type != "anonymised":
        return
    rows = MailReceipt.objects.filter(case_id=case.pk)
    files = [name for name in rows.exclude(raw="").values_list("raw", flat=True)]
    rows.update(sender="", reply_to="", subject="", raw="")
    if files:
        transaction.on_commit(lambda: _delete_raw(files))


def _delete_raw(names: list[str]) -> None:
    field = MailReceipt._meta.get_field("raw")
    assert isinstance(field, models.FileField)
    for name in names:
        field.storage.delete(name)


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
    # Bounce records nobody needs any more: unblocked and quiet for as long.
    BouncedAddress.objects.filter(blocked=False, last_at__lt=cutoff).delete()
    return count
