"""The one entry every mail goes through: IMAP, the LMTP/SMTP listener, the
``ingest-mail`` command and a retry from the quarantine.

    raw bytes ─► parse ─► seen? ─► noise? duplicate? thread? new case? ─► record receipt
                                                                          (same transaction)

:func:`ingest` returns an :class:`Outcome`; every outcome, a quarantine
included, means the mail is handled and may be flagged or acknowledged. Only a
database failure propagates: then nothing was committed, and the caller keeps
the mail (IMAP leaves it unflagged, LMTP answers 451, the command exits 75) so
it is delivered again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.models import Q
from django.utils import timezone

from buergerticket.cases.models import Case
from buergerticket.intake import steps
from buergerticket.intake.models import Mailbox, MailReceipt, Result
from buergerticket.org.models import Organisation

from . import facts, receipts
from .parse import ParsedMail, UnreadableMail, parse

log = logging.getLogger("buergerticket.intake.mail")


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
    # The size the server reported; ``partial``: only the header was fetched.
    size: int = 0
    partial: bool = False
    label: str = ""


@dataclass
class Outcome:
    result: str  # created | threaded | ignored | quarantined
    message_id: str = ""
    case: Case | None = None
    reason: str = ""
    detail: str = ""
    automated: bool = False
    receipt: MailReceipt | None = None
    label: str = ""

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
    return steps.run(ingest_steps(raw, organisation=organisation, delivery=delivery))


def ingest_steps(
    raw: bytes, *, organisation: Organisation, delivery: Delivery
) -> steps.Steps[Outcome]:
    """:func:`ingest` as steps, for a group commit (``ingest-mail`` over many files)."""
    sha = hashlib.sha256(raw).hexdigest()
    mail: ParsedMail | None = None
    unreadable = ""
    try:
        mail = parse(raw)
    except UnreadableMail as exc:
        unreadable = str(exc)
    message_id = (mail.message_id if mail else "") or synthetic_message_id(sha)
    key = delivery.key or f"sha256:{sha}"
    sender = (mail.sender.email if mail and mail.sender else "")[:300]
    reply_address = (mail.reply_address if mail else "")[:300]
    # Everything this mail's handling reads about earlier mails hangs on these.
    thread = [*mail.in_reply_to, *mail.references] if mail else []
    yield steps.claim(
        *(f"address:{a.lower()}" for a in (sender, reply_address) if a),
        *(f"message:{m}" for m in (message_id, *thread)),
    )
    known = facts.gather(
        organisation,
        source_key=key[:300],
        message_id=message_id[:300],
        sender=sender,
        reply_address=reply_address,
    )
    if known.same_delivery is not None:
        earlier = MailReceipt.objects.select_related("case", "case__service", "case__owner").get(
            pk=known.same_delivery
        )
        return _duplicate(earlier, message_id, delivery, "Bereits verarbeitet")
    now = timezone.now()
    receipt = MailReceipt(
        organisation=organisation,
        mailbox=delivery.mailbox,
        source=delivery.kind,
        source_key=key[:300],
        message_id=message_id[:300],
        sha256=sha,
        size=max(len(raw), delivery.size),
        sender=sender,
        reply_to=reply_address,
        subject=(mail.subject if mail else "")[:300],
        received_at=min(delivery.received_at or now, now),
    )
    return (yield from process_steps(receipt, raw, mail, unreadable, organisation, delivery, known))


def _duplicate(earlier: MailReceipt, message_id: str, delivery: Delivery, what: str) -> Outcome:
    return Outcome(
        Result.IGNORED,
        message_id,
        case=earlier.case,
        reason="duplicate",
        detail=f"{what} ({earlier.get_result_display()}).",
        receipt=earlier,
        label=delivery.label,
    )


def process_steps(
    receipt: MailReceipt,
    raw: bytes,
    mail: ParsedMail | None,
    unreadable: str,
    organisation: Organisation,
    delivery: Delivery,
    known: facts.Facts,
) -> steps.Steps[Outcome]:
    """Decide and act for one delivery; used by :func:`ingest_steps` and by retries."""
    from .actions import Processor

    processor = Processor(receipt, raw, mail, organisation, delivery, known)
    try:
        if mail is None:
            outcome = processor.quarantine("unreadable", unreadable)
        else:
            outcome = yield from processor.run()
    except (IntegrityError, receipts.ReceiptLost):
        # Another process filed this mail first and its transaction won.
        winner = _winner(receipt)
        if winner is None:
            raise
        if receipt.pk is None and winner.source_key != receipt.source_key:
            # Still note this delivery, so it counts as handled on its own path too.
            receipt.case = None
            with contextlib.suppress(IntegrityError):
                outcome = processor.ignore(
                    "duplicate",
                    "Dieselbe Nachricht wurde gleichzeitig auf anderem Weg übernommen.",
                    case=winner.case,
                    keep=False,
                )
                outcome.label = delivery.label
                return outcome
        return _duplicate(winner, receipt.message_id, delivery, "Gleichzeitig verarbeitet")
    except (OperationalError, InterfaceError):
        # The database is away: nothing was committed; the mail stays where it is.
        raise
    except Exception as exc:
        log.exception("E-Mail %s konnte nicht verarbeitet werden", receipt.message_id)
        if receipt.pk is not None and receipt.result != Result.QUARANTINED:
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


def _winner(receipt: MailReceipt) -> MailReceipt | None:
    """The record that made ours conflict: the same delivery, or the same mail."""
    same = Q(source_key=receipt.source_key)
    if receipt.pk is not None:
        same = Q(pk=receipt.pk) & ~Q(result=Result.QUARANTINED)
    else:
        same |= Q(
            message_id=receipt.message_id,
            sender=receipt.sender,
            result__in=(Result.CREATED, Result.THREADED),
        )
    return (
        MailReceipt.objects.filter(organisation_id=receipt.organisation_id)
        .filter(same)
        .select_related("case", "case__service", "case__owner")
        .first()
    )


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
    receipt = MailReceipt.objects.select_related("mailbox").get(pk=receipt.pk)
    if not receipt.open_in_quarantine or not receipt.raw:
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
    known = facts.gather(
        organisation,
        source_key=receipt.source_key,
        message_id=receipt.message_id,
        sender=receipt.sender,
        reply_address=receipt.reply_to,
        exclude=receipt.pk,
    )
    delivery = Delivery(
        kind=receipt.source,
        key=receipt.source_key,
        mailbox=receipt.mailbox,
        received_at=receipt.received_at,
        size=receipt.size,
        # The receipt keeps the larger of reported and stored size.
        partial=receipt.size > len(raw),
        label=f"Eingang {receipt.pk}",
    )
    return steps.run(process_steps(receipt, raw, mail, unreadable, organisation, delivery, known))
