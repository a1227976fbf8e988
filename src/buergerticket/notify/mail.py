"""Mail to requesters and staff: composed from events, sent through the outbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, make_msgid
from django.template.loader import render_to_string
from django.utils import translation

from buergerticket.cases.history import subscribe
from buergerticket.cases.models import Case, CaseEvent, Message, MessageKind
from buergerticket.cases.services import record_delivery
from buergerticket.cases.services.communication import mail_domain
from buergerticket.notify.models import OutboxItem
from buergerticket.notify.outbox import PermanentError, enqueue, register_handler

# Links for the requester into the citizen portal (tracking link, mailbox), added to
# receipts and reply notifications. The portal registers the provider; it runs inside
# the writing transaction, so whatever it stores commits with the mail it appears in.
RequesterLinkProvider = Callable[[Case, str], str]
_link_providers: list[RequesterLinkProvider] = []


def register_requester_link(provider: RequesterLinkProvider) -> None:
    """``provider(case, purpose) -> url or ""``; purpose is ``"receipt"`` or ``"reply"``."""
    if provider not in _link_providers:
        _link_providers.append(provider)


def requester_link(case: Case, purpose: str) -> str:
    for provider in _link_providers:
        if url := provider(case, purpose):
            return url
    return ""


def _sender(case: Case) -> str:
    return case.organisation.mailbox or settings.DEFAULT_FROM_EMAIL


def _subject(case: Case, text: str) -> str:
    # The file number in brackets lets replies find their case again.
    return f"[{case.file_number}] {text}"


def _thread(case: Case) -> tuple[str, list[str]]:
    """In-Reply-To (the last incoming Message-ID) and References of the case's thread."""
    rows = list(
        Message.objects.filter(case=case)
        .exclude(message_id="")
        .order_by("created_at", "id")
        .values_list("message_id", "kind")
    )
    incoming = [mid for mid, kind in rows if kind == MessageKind.INCOMING]
    return (incoming[-1] if incoming else ""), [mid for mid, _ in rows][-20:]


def _render(template: str, context: dict[str, Any]) -> str:
    with translation.override("de"):
        return render_to_string(template, context).strip() + "\n"


def _queue_mail(
    case: Case,
    *,
    key: str,
    to: str,
    subject: str,
    body: str,
    message_id: str,
    message: Message | None = None,
) -> None:
    in_reply_to, references = _thread(case)
    enqueue(
        organisation=case.organisation_id,
        case=case,
        kind="mail",
        dedupe_key=key,
        message_id=message_id,
        payload={
            "to": to,
            "from": _sender(case),
            "reply_to": case.organisation.mailbox,
            "subject": subject,
            "body": body,
            "message_id": message_id,
            "in_reply_to": in_reply_to,
            "references": references,
            "message": message.pk if message else None,
        },
    )


def on_event(event: CaseEvent, case: Case) -> None:
    if event.type == "intake" and case.requester_email:
        message_id = make_msgid(domain=mail_domain(case.organisation))
        _queue_mail(
            case,
            key=f"receipt:{case.pk}",
            to=case.requester_email,
            subject=_subject(case, "Eingangsbestätigung"),
            message_id=message_id,
            body=_render(
                "notify/mail/receipt.txt",
                {"case": case, "portal_url": requester_link(case, "receipt")},
            ),
        )
    elif event.type == "reply":
        message = Message.objects.get(pk=event.details["message"])
        if not message.recipient:
            return
        template = (
            "notify/mail/reply_sensitive.txt" if case.service.sensitive else "notify/mail/reply.txt"
        )
        _queue_mail(
            case,
            key=f"reply:{message.pk}",
            to=message.recipient,
            subject=_subject(
                case, "Nachricht zu Ihrem Anliegen" if case.service.sensitive else message.subject
            ),
            message_id=message.message_id,
            message=message,
            body=_render(
                template,
                {"case": case, "message": message, "portal_url": requester_link(case, "reply")},
            ),
        )
    elif event.type == "escalated":
        lead = case.department.lead
        if lead is not None and lead.email:
            enqueue(
                organisation=case.organisation_id,
                case=case,
                kind="mail",
                dedupe_key=f"escalation:{case.pk}:{event.seq}",
                payload={
                    "to": lead.email,
                    "from": _sender(case),
                    "reply_to": "",
                    "subject": f"Frist überschritten: {case.file_number}",
                    "body": _render("notify/mail/escalation.txt", {"case": case}),
                    "message_id": make_msgid(domain=mail_domain(case.organisation)),
                    "in_reply_to": "",
                    "references": [],
                    "message": None,
                },
            )


def send_mail(item: OutboxItem) -> None:
    data = item.payload
    if not data.get("to"):
        raise PermanentError("Keine Empfängeradresse.")
    headers = {"Message-ID": data["message_id"], "Auto-Submitted": "auto-generated"}
    if data.get("in_reply_to"):
        headers["In-Reply-To"] = data["in_reply_to"]
    if data.get("references"):
        headers["References"] = " ".join(data["references"])
    mail = EmailMessage(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from"],
        to=[data["to"]],
        reply_to=[data["reply_to"]] if data["reply_to"] else None,
        headers=headers,
    )
    mail.send(fail_silently=False)
    if data.get("message"):
        message = Message.objects.filter(pk=data["message"]).first()
        if message is not None:
            record_delivery(message, delivered=True)


def mail_failed(item: OutboxItem) -> None:
    """After the last retry the failure shows on the case."""
    if item.payload.get("message"):
        message = Message.objects.filter(pk=item.payload["message"]).first()
        if message is not None:
            record_delivery(message, delivered=False, error=item.last_error)


def connect() -> None:
    subscribe(on_event)
    register_handler("mail", send_mail, on_final_failure=mail_failed)
