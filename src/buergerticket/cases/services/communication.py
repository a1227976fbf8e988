"""Messages, notes and documents of a case."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import make_msgid
from django.db import transaction

from buergerticket.cases.history import Actor, History
from buergerticket.cases.models import (
    Case,
    Channel,
    DeliveryStatus,
    Document,
    Message,
    MessageKind,
    Status,
)
from buergerticket.org.models import Organisation

from ._common import CaseError, check_actor, check_open, lock_case, save_change
from .opening import NewDocument, store_document
from .steering import resume_deadline


def mail_domain(organisation: Organisation) -> str:
    """Message-IDs carry the organisation's mail domain so replies can be recognised."""
    return organisation.mailbox.rpartition("@")[2] or "buergerticket.invalid"


def add_incoming_message(
    case: Case | int,
    *,
    actor: Actor,
    channel: str,
    body: str,
    subject: str = "",
    author_label: str = "",
    attachments: Sequence[NewDocument] = (),
    message_id: str = "",
    in_reply_to: str = "",
    body_html: str = "",
    shared: bool = True,
) -> Message:
    """A message from the requester (or a third party) joins the case.

    ``shared=False`` keeps it (and its attachments) out of the requester's
    Bürgerpostfach: for what someone else wrote. A case waiting for the requester
    resumes: their answer is what it waited for. Reopening a closed case is the
    caller's decision (see :func:`reopen`).
    """
    with transaction.atomic():
        case = lock_case(case)
        check_actor(actor, case)
        check_open(case)
        history = History(case)
        message = Message.objects.create(
            case=case,
            kind=MessageKind.INCOMING,
            channel=channel,
            subject=subject[:300],
            body=body,
            body_html=body_html,
            author_label=author_label or actor.label,
            created_at=history.at,
            message_id=message_id,
            in_reply_to=in_reply_to,
            shared=shared,
        )
        for attachment in attachments:
            store_document(
                case, attachment, message=message, uploaded_by=actor.label, at=history.at
            )
        history.record(
            "message_received",
            actor,
            {
                "message": message.pk,
                "channel": channel,
                "attachments": len(attachments),
            },
        )
        fields = []
        if case.status == Status.WAITING:
            fields = resume_deadline(case, history, actor, "Rückmeldung eingegangen")
        save_change(case, history, fields)
    return message


def add_reply(
    case: Case | int,
    *,
    actor: Actor,
    body: str,
    subject: str = "",
    attachments: Sequence[NewDocument] = (),
    expected_version: int | None = None,
) -> Message:
    """A message to the requester; it appears in their mailbox and leaves by mail
    through the outbox when the case has an address."""
    if not body.strip():
        raise CaseError("Die Antwort ist leer.")
    with transaction.atomic():
        case = lock_case(case, expected_version)
        check_actor(actor, case)
        check_open(case)
        history = History(case)
        channel = Channel.EMAIL if case.requester_email else Channel.PORTAL
        message = Message.objects.create(
            case=case,
            kind=MessageKind.OUTGOING,
            channel=channel,
            author=actor.staff,
            author_label=actor.label,
            subject=(subject or case.subject)[:300],
            body=body,
            created_at=history.at,
            recipient=case.requester_email,
            message_id=make_msgid(domain=mail_domain(case.organisation)),
            delivery_status=DeliveryStatus.QUEUED if case.requester_email else DeliveryStatus.NONE,
        )
        for attachment in attachments:
            store_document(
                case,
                attachment,
                message=message,
                uploaded_by=actor.label,
                at=history.at,
                published=True,
            )
        history.record(
            "reply",
            actor,
            {"message": message.pk, "channel": channel, "attachments": len(attachments)},
        )
        save_change(case, history, [])
    return message


def add_note(
    case: Case | int, *, actor: Actor, text: str, expected_version: int | None = None
) -> Message:
    """An internal note (Vermerk); never shown to the requester.

    Closed cases are read-only archive records: reopen first.
    """
    if not text.strip():
        raise CaseError("Der Vermerk ist leer.")
    with transaction.atomic():
        case = lock_case(case, expected_version)
        check_actor(actor, case)
        check_open(case)
        history = History(case)
        message = Message.objects.create(
            case=case,
            kind=MessageKind.NOTE,
            channel=case.channel,
            author=actor.staff,
            author_label=actor.label,
            body=text,
            created_at=history.at,
        )
        history.record("note", actor, {"message": message.pk})
        save_change(case, history, [])
    return message


def add_document(
    case: Case | int, *, actor: Actor, document: NewDocument, published: bool = False
) -> Document:
    with transaction.atomic():
        case = lock_case(case)
        check_actor(actor, case)
        check_open(case)
        history = History(case)
        stored = store_document(
            case,
            document,
            message=None,
            uploaded_by=actor.label,
            at=history.at,
            published=published,
        )
        history.record(
            "document_added",
            actor,
            {
                "document": stored.pk,
                "sha256": stored.sha256,
                "published": published,
            },
        )
        save_change(case, history, [])
    return stored


def publish_document(case: Case | int, *, actor: Actor, document: Document) -> Document:
    """Make a document visible in the requester's mailbox."""
    with transaction.atomic():
        case = lock_case(case)
        check_actor(actor, case)
        check_open(case)
        if document.case_id != case.pk:
            raise CaseError("Das Dokument gehört nicht zu diesem Vorgang.")
        if document.published:
            return document
        history = History(case)
        Document.objects.filter(pk=document.pk).update(published=True)
        document.published = True
        history.record(
            "document_published", actor, {"document": document.pk, "sha256": document.sha256}
        )
        save_change(case, history, [])
    return document


def share_message(case: Case | int, *, actor: Actor, message: Message) -> Message:
    """Show a message someone else wrote into the case in the requester's mailbox."""
    with transaction.atomic():
        case = lock_case(case)
        check_actor(actor, case)
        check_open(case)
        if message.case_id != case.pk or message.kind != MessageKind.INCOMING:
            raise CaseError("Diese Nachricht kann nicht ins Postfach gestellt werden.")
        if message.shared:
            return message
        history = History(case)
        Message.objects.filter(pk=message.pk).update(shared=True)
        message.shared = True
        history.record("message_shared", actor, {"message": message.pk})
        save_change(case, history, [])
    return message


def record_delivery(message: Message, *, delivered: bool, error: str = "") -> None:
    """The outbox reports whether a mail to the requester went out."""
    with transaction.atomic():
        case = lock_case(message.case_id)
        history = History(case)
        status = DeliveryStatus.SENT if delivered else DeliveryStatus.FAILED
        Message.objects.filter(pk=message.pk).update(
            delivery_status=status, delivery_error=error[:2000]
        )
        if not delivered:
            # The server's error often quotes the recipient's address: it stays
            # on the message row (which erasure can clear), not in the history.
            history.record("delivery_failed", Actor.system(), {"message": message.pk})
            save_change(case, history, [])
