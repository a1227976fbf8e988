"""What becomes of one delivered mail: ignored, quarantined, added to its case,
or a new case — each in one transaction with the receipt that records it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import ActorKind, Case, LinkKind, Message, MessageKind, Status
from buergerticket.cases.services.communication import mail_domain
from buergerticket.catalog.models import ClosedReply
from buergerticket.intake import pipeline, steps
from buergerticket.intake.models import MailReceipt, Result
from buergerticket.notify import bounces
from buergerticket.notify.models import OutboxItem
from buergerticket.org.models import Organisation, Staff

from . import receipts
from .classify import Noise, classify
from .facts import Facts, is_own_address
from .forward import Forwarded, original_sender
from .ingest import Delivery, Outcome, max_bytes
from .parse import ParsedMail
from .threading import REFERENCE, find_case, participants, written_by_requester

INTAKE = Actor.system("E-Mail-Eingang")
NO_SUBJECT = "(ohne Betreff)"


class Processor:
    def __init__(
        self,
        receipt: MailReceipt,
        raw: bytes,
        mail: ParsedMail | None,
        organisation: Organisation,
        delivery: Delivery,
        known: Facts,
    ):
        self.known = known
        self.receipt = receipt
        self.raw = raw
        self.mail = mail
        self.organisation = organisation
        self.delivery = delivery

    # --- outcomes -------------------------------------------------------------

    def _outcome(self, result: str, **kwargs: Any) -> Outcome:
        return Outcome(result, self.receipt.message_id, receipt=self.receipt, **kwargs)

    def quarantine(self, reason: str, detail: str) -> Outcome:
        receipts.store_raw(self.receipt, self.raw)
        with transaction.atomic():
            receipts.record(self.receipt, result=Result.QUARANTINED, reason=reason, detail=detail)
        return self._outcome(Result.QUARANTINED, reason=reason, detail=detail)

    def ignore(
        self, reason: str, detail: str, case: Case | None = None, keep: bool = True
    ) -> Outcome:
        if keep:
            receipts.store_raw(self.receipt, self.raw)
        with transaction.atomic():
            receipts.record(
                self.receipt, result=Result.IGNORED, reason=reason, detail=detail, case=case
            )
        return self._outcome(Result.IGNORED, case=case, reason=reason, detail=detail)

    # --- decision -------------------------------------------------------------

    def run(self) -> steps.Steps[Outcome]:
        mail = self.mail
        assert mail is not None
        limit = max_bytes(self.delivery)
        size = max(len(self.raw), self.delivery.size)
        if size > limit or self.delivery.partial:
            detail = (
                f"Die Nachricht ist {size / 1048576:.1f} MB groß; angenommen werden "
                f"höchstens {limit / 1048576:.0f} MB."
            )
            if self.delivery.partial:
                # Only the header was fetched; a retry here could not open the whole mail.
                detail += (
                    " Gespeichert sind nur die Kopfzeilen. Zum Übernehmen die Grenze anheben "
                    "und die Nachricht im Postfach zurück in den gelesenen Ordner verschieben."
                )
            return self.quarantine("too_large", detail)
        sender = mail.sender.email if mail.sender else ""
        if not sender:
            return self.quarantine(
                "no_sender", "Die Nachricht hat keinen gültigen Absender (From)."
            )
        known = self.known
        if known.same_mail:
            prior = None
            if known.same_mail_case is not None:
                prior = Case.objects.select_related("service", "owner").get(pk=known.same_mail_case)
            return self.ignore(
                "duplicate",
                "Diese Nachricht wurde bereits über einen anderen Weg übernommen.",
                case=prior,
                keep=False,
            )
        if self._is_own_message():
            return self.ignore("own_message", "Eigene Nachricht des Systems kam zurück.")
        noise = classify(
            mail,
            own_addresses={sender} if known.own_address else set(),
            null_sender=self._null_sender(),
        )
        if noise is not None:
            return self.noise(noise)
        match = find_case(self.organisation, mail)
        if match is not None and (yield steps.claim(f"case:{match.case.pk}")):
            # A mail before this one in the same group changed that case: look again.
            match = find_case(self.organisation, mail)
        staff = None
        if known.staff_id is not None:
            staff = Staff.objects.select_related("user").get(pk=known.staff_id)
        if match is not None:
            case = match.case
            involved = staff is not None or bool({sender, mail.reply_address} & participants(case))
            if not involved and match.how != REFERENCE and not match.referenced:
                return (yield from self.new_case(foreign_of=case))
            if case.status == Status.CLOSED and (
                case.service.closed_reply == ClosedReply.FOLLOW_UP or case.anonymised_at
            ):
                return (yield from self.new_case(follow_up_of=case))
            return (
                yield from self.thread(case, match.how, staff=staff, unknown_sender=not involved)
            )
        if staff is not None:
            forwarded = original_sender(mail)
            if forwarded and not is_own_address(forwarded.sender.email):
                return (yield from self.new_case(forwarded=forwarded, forwarded_by=staff))
        return (yield from self.new_case())

    def _null_sender(self) -> bool:
        """Bounces and many auto-replies travel with an empty envelope sender."""
        if self.delivery.envelope_from is not None:
            return self.delivery.envelope_from == ""
        assert self.mail is not None
        paths = self.mail.headers("Return-Path")
        return bool(paths) and paths[0].strip() in ("<>", "")

    def _is_own_message(self) -> bool:
        real_id = self.mail.message_id if self.mail else ""
        # Our Message-IDs carry the organisation's mail domain; others cannot be ours.
        domain = real_id.rpartition("@")[2].rstrip(">").lower()
        if domain not in (mail_domain(self.organisation), "buergerticket.invalid"):
            return False
        return (
            OutboxItem.objects.filter(organisation=self.organisation, message_id=real_id).exists()
            or Message.objects.filter(
                case__organisation=self.organisation,
                kind=MessageKind.OUTGOING,
                message_id=real_id,
            ).exists()
        )

    # --- noise ----------------------------------------------------------------

    def noise(self, noise: Noise) -> Outcome:
        from .noise import record_noise

        case = record_noise(self, noise)
        return self._outcome(Result.IGNORED, case=case, reason=noise.kind, detail=noise.reason)

    # --- a case ---------------------------------------------------------------

    def original(self, label: str = "E-Mail") -> services.NewDocument:
        stamp = timezone.localtime(self.receipt.received_at).strftime("%Y-%m-%d %H.%M")
        return services.NewDocument(
            name=f"{label} {stamp}.eml", content=self.raw, content_type="message/rfc822"
        )

    def _documents(self) -> list[services.NewDocument]:
        mail = self.mail
        assert mail is not None
        documents = [self.original()]
        for attachment in mail.attachments:
            text = ""
            if attachment.content_type == "text/plain":
                text = attachment.content.decode("utf-8", errors="replace").replace("\x00", "")
            documents.append(
                services.NewDocument(
                    name=attachment.name,
                    content=attachment.content,
                    content_type=attachment.content_type,
                    text=text[:100_000],
                )
            )
        return documents

    def _author(self) -> str:
        mail = self.mail
        assert mail is not None and mail.sender is not None
        return mail.sender.formatted()[:200]

    def thread(
        self, case: Case, how: str, *, staff: Staff | None, unknown_sender: bool
    ) -> steps.Steps[Outcome]:
        mail = self.mail
        assert mail is not None
        sender = mail.sender.email if mail.sender else ""
        self._unblock(sender)
        documents = services.staged_documents(self.organisation.pk, self._documents())
        with documents as attachments:
            yield steps.WRITE
            with transaction.atomic():
                self._thread(case, how, attachments, staff=staff, unknown_sender=unknown_sender)
            yield steps.COMMIT
        # File number, service and owner are what the outcome reports; none changed.
        return self._outcome(Result.THREADED, case=case, reason=how, detail=self.receipt.detail)

    def _thread(
        self,
        case: Case,
        how: str,
        attachments: list[services.NewDocument],
        *,
        staff: Staff | None,
        unknown_sender: bool,
    ) -> None:
        mail = self.mail
        assert mail is not None
        # As it is now: another process may have reopened it since it was read.
        if Case.objects.filter(pk=case.pk, status=Status.CLOSED).exists():
            services.reopen(
                case, actor=INTAKE, reason="Antwort per E-Mail auf den abgeschlossenen Vorgang"
            )
        # Mail proves no identity: a colleague writing in acts as the mail channel,
        # never with staff rights; labels carry no citizen's personal data.
        if staff is not None:
            actor = Actor.system(f"E-Mail von {staff.name}")
        elif unknown_sender:
            actor = Actor(kind=ActorKind.REQUESTER, label="Absender:in, bisher nicht beteiligt")
        else:
            actor = Actor.requester()
        services.add_incoming_message(
            case,
            actor=actor,
            channel="email",
            body=mail.text,
            subject=mail.subject,
            author_label=self._author(),
            attachments=attachments,
            message_id=mail.message_id,
            in_reply_to=mail.in_reply_to[0] if mail.in_reply_to else "",
            body_html=mail.html,
            shared=staff is None and written_by_requester(case, mail),
        )
        if unknown_sender:
            services.set_attention(
                case,
                actor=INTAKE,
                text="Eine Nachricht von einer bisher nicht beteiligten Adresse wurde "
                "angefügt. Bitte vor einer Antwort prüfen, wer geschrieben hat.",
            )
        detail = "Aktenzeichen im Betreff" if how != REFERENCE else "Antwort auf eine Nachricht"
        receipts.record(self.receipt, result=Result.THREADED, reason=how, detail=detail, case=case)

    def _unblock(self, address: str) -> None:
        """Whoever writes in from a blocked address has a working mailbox again.
        Before the case transaction, so its receipt is not refused, and outside
        it, which keeps the serialised part of intake short."""
        if self.known.blocked:
            bounces.clear(self.organisation, address, by="E-Mail-Eingang")

    def new_case(
        self,
        *,
        foreign_of: Case | None = None,
        follow_up_of: Case | None = None,
        forwarded: Forwarded | None = None,
        forwarded_by: Staff | None = None,
    ) -> steps.Steps[Outcome]:
        mail = self.mail
        assert mail is not None and mail.sender is not None
        if self.known.opened_last_hour >= settings.MAIL_LOOP_LIMIT_PER_HOUR:
            return self.quarantine(
                "loop",
                f"Mehr als {settings.MAIL_LOOP_LIMIT_PER_HOUR} neue Vorgänge von diesem Absender "
                "in einer Stunde: vermutlich eine Mailschleife.",
            )
        related = foreign_of or follow_up_of
        draft = pipeline.Draft(
            organisation=self.organisation,
            channel="email",
            subject=(forwarded.subject if forwarded else mail.subject) or NO_SUBJECT,
            text=mail.text,
            service=related.service if related is not None and related.service.active else None,
            requester=services.Requester(
                name=(forwarded.sender.name if forwarded else mail.sender.name),
                email=(forwarded.sender.email if forwarded else mail.reply_address),
            ),
            attachments=self._documents(),
            received_at=self.receipt.received_at,
            message_id=mail.message_id,
            in_reply_to=mail.in_reply_to[0] if mail.in_reply_to else "",
            body_html=mail.html,
            meta={"email": self._meta()},
        )
        reason, detail = "", "Neuer Vorgang aus einer E-Mail."
        if foreign_of is not None:
            reason = "foreign_sender"
            detail = (
                f"Aktenzeichen {foreign_of.file_number} im Betreff, Absender dort nicht beteiligt: "
                "neuer, verknüpfter Vorgang."
            )
            draft.attention = (
                f"Die E-Mail nennt das Aktenzeichen {foreign_of.file_number}, der Absender ist "
                "an jenem Vorgang nicht beteiligt. Sie wurde deshalb nicht dort angefügt. Bitte "
                "nichts aus jenem Vorgang mitteilen, bevor geklärt ist, wer schreibt."
            )[:300]
        elif follow_up_of is not None:
            reason = "follow_up"
            detail = (
                f"Antwort auf den abgeschlossenen Vorgang {follow_up_of.file_number}: Folgevorgang."
            )
        elif forwarded is not None and forwarded_by is not None:
            reason = "forwarded"
            detail = (
                "Von Mitarbeitenden weitergeleitet; Vorgang für die ursprüngliche "
                "Absenderin / den ursprünglichen Absender."
            )
            draft.decide(
                pipeline.Decision(
                    type="mail_forward_recognised",
                    actor=INTAKE,
                    details={"forwarded_by": forwarded_by.username},
                    reason="Weitergeleitete E-Mail: Vorgang für die ursprüngliche Absenderin / "
                    "den ursprünglichen Absender angelegt.",
                )
            )

        def on_open(case: Case) -> None:
            if related is not None:
                kind = LinkKind.FOLLOW_UP if follow_up_of is not None else LinkKind.RELATED
                services.link_cases(related, case, kind=kind, actor=INTAKE, reason=detail[:500])
            if foreign_of is not None and not foreign_of.attention:
                services.set_attention(
                    foreign_of,
                    actor=INTAKE,
                    text=f"Eine E-Mail einer nicht beteiligten Adresse nannte dieses Aktenzeichen; "
                    f"sie wurde als Vorgang {case.file_number} angelegt.",
                )
            receipts.record(
                self.receipt,
                result=Result.CREATED,
                reason=reason,
                detail=detail,
                case=case,
                related_case=related,
            )

        draft.on_open.append(on_open)
        self._unblock(mail.reply_address)
        try:
            result = yield from pipeline.submit_steps(draft, actor=Actor.requester())
        except services.CaseError as exc:
            return self.quarantine("rejected", str(exc))
        receipts.note_automation(self.receipt, automated=result.automated, reason=result.reason)
        return self._outcome(
            Result.CREATED,
            case=result.case,
            reason=result.reason or reason,
            detail=detail,
            automated=result.automated,
        )

    def _meta(self) -> dict[str, Any]:
        """What routing and automation may look at (never written to the history)."""
        mail = self.mail
        assert mail is not None and mail.sender is not None
        return {
            "from": mail.sender.email,
            "from_name": mail.sender.name,
            "reply_to": mail.reply_address,
            "to": [a.email for a in mail.to if a.email],
            "cc": [a.email for a in mail.cc if a.email],
            "message_id": mail.message_id,
            "references": mail.references[-10:],
            "mailbox": self.delivery.mailbox.address if self.delivery.mailbox else "",
            "delivered_via": self.delivery.kind,
            "protection": mail.protection,
            "attachments": [a.name for a in mail.attachments],
            "sender_domain": mail.sender.email.rpartition("@")[2],
        }
