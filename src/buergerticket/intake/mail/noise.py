"""Recording noise: a bounce is attached to the case it concerns and marks the
address; an auto-reply is filed with its case; nothing is answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from buergerticket.cases import services
from buergerticket.cases.models import Case, Message, MessageKind
from buergerticket.intake.models import Result
from buergerticket.notify import bounces
from buergerticket.notify.models import OutboxItem

from . import receipts
from .classify import AUTO_REPLY, BOUNCE, Noise
from .threading import find_case

if TYPE_CHECKING:
    from .actions import Processor

ATTENTION_BOUNCE = (
    "Eine E-Mail an die antragstellende Person kam als unzustellbar zurück. "
    "Bitte die Adresse prüfen oder auf anderem Weg Kontakt aufnehmen."
)


def record_noise(processor: Processor, noise: Noise) -> Case | None:
    """Record ``noise`` in one transaction with its receipt; returns the case concerned."""
    from .actions import INTAKE

    outgoing, case = _concerned(processor, noise)
    receipts.store_raw(processor.receipt, processor.raw)
    with transaction.atomic():
        if noise.kind == BOUNCE:
            for failure in noise.failures:
                bounces.record_bounce(
                    processor.organisation,
                    failure.address,
                    permanent=failure.permanent,
                    status=failure.status,
                    diagnostic=failure.diagnostic,
                )
            if case is not None:
                _attach_bounce(processor, case, outgoing, noise)
        elif noise.kind == AUTO_REPLY and case is not None:
            document = services.add_document(
                case, actor=INTAKE, document=processor.original("Automatische Antwort")
            )
            services.record_event(
                case,
                actor=INTAKE,
                type="mail_auto_reply",
                details={"receipt": processor.receipt.pk, "document": document.pk},
                reason=noise.reason,
            )
        receipts.record(
            processor.receipt,
            result=Result.IGNORED,
            reason=noise.kind,
            detail=noise.reason,
            case=case,
        )
    return case


def _concerned(processor: Processor, noise: Noise) -> tuple[Message | None, Case | None]:
    """The message and case a report or auto-reply is about."""
    organisation = processor.organisation
    if noise.original_ids:
        message = (
            Message.objects.filter(
                case__organisation=organisation, message_id__in=noise.original_ids
            )
            .select_related("case")
            .first()
        )
        if message is not None:
            return message, message.case
        item = (
            OutboxItem.objects.filter(
                organisation=organisation,
                message_id__in=noise.original_ids,
                case__isnull=False,
            )
            .select_related("case")
            .first()
        )
        if item is not None and item.case is not None:
            return None, item.case
    assert processor.mail is not None
    match = find_case(organisation, processor.mail)
    return None, match.case if match else None


def _attach_bounce(
    processor: Processor, case: Case, outgoing: Message | None, noise: Noise
) -> None:
    from .actions import INTAKE

    permanent = any(f.permanent for f in noise.failures) or not noise.failures
    document = services.add_document(
        case, actor=INTAKE, document=processor.original("Unzustellbarkeitsnachricht")
    )
    status = ", ".join(f.status for f in noise.failures if f.status)
    if outgoing is not None and outgoing.kind == MessageKind.OUTGOING and permanent:
        services.record_delivery(
            outgoing,
            delivered=False,
            error=f"Unzustellbar ({status or 'ohne Statuscode'}), siehe Dokument "
            f"„{document.name}“.",
        )
    else:
        services.record_event(
            case,
            actor=INTAKE,
            type="mail_bounced",
            details={
                "receipt": processor.receipt.pk,
                "document": document.pk,
                "permanent": permanent,
                "status": status,
            },
            reason=noise.reason,
        )
    fresh = Case.objects.only("attention", "requester_email").get(pk=case.pk)
    concerns_requester = any(f.address == fresh.requester_email for f in noise.failures)
    if permanent and concerns_requester and not fresh.attention:
        services.set_attention(case, actor=INTAKE, text=ATTENTION_BOUNCE)
