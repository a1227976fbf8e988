"""The one entry every mail goes through: IMAP, the LMTP/SMTP listener, the
``ingest-mail`` command and a retry from the quarantine.

    raw bytes ─► parse ─► claim receipt ─► noise? duplicate? thread? new case? ─► finish receipt
                                                                                 (same transaction)

:func:`ingest` returns an :class:`Outcome`. Only ``busy`` means "not handled":
the caller keeps the mail (IMAP leaves it unflagged, LMTP answers 451, the
command exits 75) and it is delivered again. A database failure propagates for
the same reason. Everything else, a quarantine included, is handled.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from buergerticket.cases.models import Case
from buergerticket.intake.models import Mailbox, MailReceipt, Result
from buergerticket.org.models import Organisation

from . import receipts
from .parse import ParsedMail, UnreadableMail, parse

log = logging.getLogger("buergerticket.intake.mail")

BUSY = "busy"


@dataclass(frozen=True)
class Delivery:
    """How a mail reached us."""

    kind: str  # intake.models.Source
    # Idempotency key of this delivery; empty: the SHA-256 of the bytes.
    key: str = ""
    mailbox: Mailbox | None = None
    received_at: dt.datetime | None = None
    # The SMTP envelope sender when known; "" is the null sender of bounces.
    envelope_from: str | None = None
    # The size the server reported, when only part of the mail was fetched.
    size: int = 0
    label: str = ""


@dataclass
class Outcome:
    result: str  # created | threaded | ignored | quarantined | busy
    message_id: str = ""
    case: Case | None = None
    reason: str = ""
    detail: str = ""
    automated: bool = False
    receipt: MailReceipt | None = None
    label: str = ""

    @property
    def handled(self) -> bool:
        return self.result != BUSY

    def as_dict(self) -> dict[str, Any]:
        case = self.case
        return {
            "source": self.label,
            "message_id": self.message_id,
            "result": str(self.result),
            "file_number": case.file_number if case else None,
            "service": case.service.code if case else None,
            "owner": case.owner.username if case else None,
            "reason": self.reason,
            "automated": self.automated,
            "detail": self.detail,
            "receipt": self.receipt.pk if self.receipt else None,
        }


def synthetic_message_id(sha256: str) -> str:
    """Stands in for a missing Message-ID in our own bookkeeping only."""
    return f"<{sha256}@sha256.buergerticket.invalid>"


def ingest(raw: bytes, *, organisation: Organisation, delivery: Delivery) -> Outcome:
    """Process one delivered mail for ``organisation`` (see module docstring)."""
    sha = hashlib.sha256(raw).hexdigest()
    mail: ParsedMail | None = None
    unreadable = ""
    try:
        mail = parse(raw)
    except UnreadableMail as exc:
        unreadable = str(exc)
    message_id = (mail.message_id if mail else "") or synthetic_message_id(sha)
    now = timezone.now()
    received = min(delivery.received_at or now, now)
    claim = receipts.claim(
        organisation=organisation,
        source=delivery.kind,
        source_key=delivery.key or f"sha256:{sha}",
        message_id=message_id,
        mailbox=delivery.mailbox,
        sha256=sha,
        size=max(len(raw), delivery.size),
        sender=mail.sender.email if mail and mail.sender else "",
        reply_to=mail.reply_address if mail else "",
        subject=mail.subject if mail else "",
        received_at=received,
    )
    if claim.status == receipts.BUSY:
        return Outcome(
            BUSY,
            message_id,
            reason=BUSY,
            detail="Die Nachricht wird gerade von einem anderen Prozess verarbeitet.",
            label=delivery.label,
        )
    receipt = claim.receipt
    assert receipt is not None
    if claim.status == receipts.DONE:
        return Outcome(
            Result.IGNORED,
            message_id,
            case=_case(receipt.case_id),
            reason="duplicate",
            detail=f"Bereits verarbeitet ({receipt.get_result_display()}).",
            receipt=receipt,
            label=delivery.label,
        )
    return process(receipt, raw, mail, unreadable, organisation, delivery)


def process(
    receipt: MailReceipt,
    raw: bytes,
    mail: ParsedMail | None,
    unreadable: str,
    organisation: Organisation,
    delivery: Delivery,
) -> Outcome:
    """Decide and act for a claimed delivery; used by :func:`ingest` and by retries."""
    from .actions import Processor

    processor = Processor(receipt, raw, mail, organisation, delivery)
    try:
        if mail is None:
            outcome = processor.quarantine("unreadable", unreadable)
        else:
            outcome = processor.run()
    except receipts.ReceiptLost as exc:
        return Outcome(BUSY, receipt.message_id, reason=BUSY, detail=str(exc), label=delivery.label)
    except (OperationalError, InterfaceError):
        # The database is away: nothing was committed; the mail stays where it is.
        _release(receipt)
        raise
    except Exception as exc:
        log.exception("E-Mail %s konnte nicht verarbeitet werden", receipt.message_id)
        receipt.refresh_from_db()
        if receipt.result != Result.PROCESSING:
            # The work committed before the error (e.g. in a postprocessor): report it.
            return Outcome(
                receipt.result,
                receipt.message_id,
                case=_case(receipt.case_id),
                reason=receipt.reason,
                detail=receipt.detail,
                receipt=receipt,
                label=delivery.label,
            )
        outcome = processor.quarantine(
            "error", f"Verarbeitung fehlgeschlagen: {type(exc).__name__}: {exc}"[:1000]
        )
    outcome.label = delivery.label
    return outcome


def _release(receipt: MailReceipt) -> None:
    with contextlib.suppress(OperationalError, InterfaceError):
        receipts.release(receipt)


def _case(pk: int | None) -> Case | None:
    if pk is None:
        return None
    return Case.objects.select_related("service", "owner").filter(pk=pk).first()


def max_bytes(delivery: Delivery) -> int:
    if delivery.mailbox is not None:
        return delivery.mailbox.max_bytes
    return settings.MAIL_MAX_MEGABYTES * 1024 * 1024


def retry(receipt: MailReceipt) -> Outcome | None:
    """Process a quarantined mail again (None if it is not in the quarantine)."""
    if not receipts.take_for_retry(receipt) or not receipt.raw:
        return None
    with receipt.raw.open("rb") as handle:
        raw = handle.read()
    mail: ParsedMail | None = None
    unreadable = ""
    try:
        mail = parse(raw)
    except UnreadableMail as exc:
        unreadable = str(exc)
    organisation = Organisation.objects.get(pk=receipt.organisation_id)
    delivery = Delivery(
        kind=receipt.source,
        key=receipt.source_key,
        mailbox=receipt.mailbox,
        received_at=receipt.received_at,
        label=f"Eingang {receipt.pk}",
    )
    return process(receipt, raw, mail, unreadable, organisation, delivery)
