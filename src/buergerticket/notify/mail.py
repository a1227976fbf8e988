"""Mail to requesters and staff: composed from events, sent through the outbox.

Threading: every mail carries a stable Message-ID (so a retry is the same
mail), In-Reply-To the requester's last mail, References the case's thread,
the file number in the subject, and a Reply-To of the organisation's shared
mailbox, whose replies the e-mail channel files into the case again.
Automatic mails say so (RFC 3834) so auto-responders stay quiet; replies a
clerk wrote do not.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, make_msgid
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation

from buergerticket.cases.history import Actor, subscribe
from buergerticket.cases.models import Case, CaseEvent, Channel, Message, MessageKind
from buergerticket.cases.services import record_delivery, record_event, set_attention
from buergerticket.cases.services.communication import mail_domain
from buergerticket.notify import bounces
from buergerticket.notify.delivery import redact, send_smtp
from buergerticket.notify.models import OutboxItem, OutboxStatus
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


# References keep the thread's first mail and the most recent ones (RFC 5322 § 3.6.4).
MAX_REFERENCES = 20


def _sender(case: Case) -> str:
    return formataddr(
        (case.organisation.name, case.organisation.mailbox or settings.DEFAULT_FROM_EMAIL)
    )


def _internal_sender(case: Case) -> str:
    """Mail to staff: a reply to it must not land in the shared mailbox as a request."""
    return formataddr((case.organisation.name, settings.DEFAULT_FROM_EMAIL))


def _subject(case: Case, text: str) -> str:
    # The file number in brackets lets replies find their case again.
    return f"[{case.file_number}] {text}"


def _thread(case: Case, *, new_case: bool = False) -> tuple[str, list[str]]:
    """In-Reply-To (the requester's last mail) and References (the case's thread:
    mails received and sent, receipts included, oldest first)."""
    if new_case and case.channel != Channel.EMAIL:
        return "", []  # only a mail intake brings a Message-ID to answer
    # One plain query: every receipt and reply asks this, and building it through the
    # ORM cost more than running it.
    sql = (
        "SELECT created_at, kind, message_id FROM cases_message"
        " WHERE case_id = %s AND message_id <> ''"
    )
    params: list[Any] = [case.pk]
    if not new_case:  # a case just opened has sent nothing yet
        sql += (
            " UNION ALL SELECT created_at, 'outbox', message_id FROM notify_outboxitem"
            " WHERE case_id = %s AND kind = 'mail' AND message_id <> ''"
        )
        params.append(case.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY 1", params)
        rows = cursor.fetchall()
    incoming = [message_id for _, kind, message_id in rows if kind == MessageKind.INCOMING]
    ids = list(dict.fromkeys(message_id for _, _, message_id in rows))
    if len(ids) > MAX_REFERENCES:
        ids = ids[:1] + ids[-(MAX_REFERENCES - 1) :]
    return (incoming[-1] if incoming else ""), ids


def _render(template: str, context: dict[str, Any]) -> str:
    with translation.override("de"):
        return render_to_string(template, context).strip() + "\n"


def _queue_mail(
    case: Case,
    *,
    key: str,
    to: str,
    subject: str,
    message_id: str,
    body: str = "",
    later: dict[str, Any] | None = None,
    message: Message | None = None,
    automatic: bool = True,
    new_case: bool = False,
) -> None:
    """``body`` is the text, or ``later`` names the template and context the
    worker renders it from when sending (see :func:`mail_body`)."""
    in_reply_to, references = _thread(case, new_case=new_case)
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
            **({"render": later} if later else {}),
            "message_id": message_id,
            "in_reply_to": in_reply_to,
            "references": [r for r in references if r != message_id],
            "message": message.pk if message else None,
            "automatic": automatic,
        },
    )


# What stays of a mail in the outbox once it is sent or its case is anonymised:
# enough to match a late bounce or reply (Message-IDs), nothing about the person,
# and no link into the portal (its token opens the case).
_KEPT = ("message_id", "in_reply_to", "references", "message", "internal")


def _kept(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if key in _KEPT}


def forget(case: Case) -> None:
    """Erasure (DSGVO): mails of the case lose address, subject and text; those
    not yet sent are not sent any more."""
    mails = OutboxItem.objects.filter(case_id=case.pk, kind="mail")
    items = list(mails.only("pk", "payload"))
    for item in items:
        item.payload = _kept(item.payload)
    OutboxItem.objects.bulk_update(items, ["payload"])
    mails.filter(status__in=(OutboxStatus.PENDING, OutboxStatus.SENDING)).update(
        status=OutboxStatus.FAILED, last_error="Vorgang anonymisiert"
    )


def on_event(event: CaseEvent, case: Case) -> None:
    if event.type == "anonymised":
        forget(case)
    elif event.type == "intake" and case.requester_email and not event.details.get("imported"):
        message_id = make_msgid(domain=mail_domain(case.organisation))
        _queue_mail(
            case,
            key=f"receipt:{case.pk}",
            to=case.requester_email,
            subject=_subject(case, "Eingangsbestätigung"),
            message_id=message_id,
            # Rendered by the worker when it sends: intake is what citizens wait
            # for, and it shows the service and deadline as they are by then.
            later={
                "template": "notify/mail/receipt.txt",
                "context": {"portal_url": requester_link(case, "receipt")},
            },
            new_case=True,
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
            # A clerk wrote it: an answer to it is a real answer, not a loop.
            automatic=False,
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
                    "from": _internal_sender(case),
                    "reply_to": "",
                    "subject": f"Frist überschritten: {case.file_number}",
                    "body": _render("notify/mail/escalation.txt", {"case": case}),
                    "message_id": make_msgid(domain=mail_domain(case.organisation)),
                    "in_reply_to": "",
                    "references": [],
                    "message": None,
                    "automatic": True,
                    "internal": True,
                },
            )
    elif event.type == "message_received":
        _notify_owner(case, event, "notify/mail/new_message.txt", "Neue Nachricht")
    elif event.type == "attention_set" and event.actor_kind != "staff":
        _notify_owner(case, event, "notify/mail/attention.txt", "Bitte prüfen")


def _notify_owner(case: Case, event: CaseEvent, template: str, what: str) -> None:
    """Tell the owner something happened; the mail names the case, never its content."""
    owner = case.owner
    if not owner.email or not owner.active:
        return
    enqueue(
        organisation=case.organisation_id,
        case=case,
        kind="mail",
        dedupe_key=f"owner:{case.pk}:{event.seq}",
        payload={
            "to": owner.email,
            "from": _internal_sender(case),
            "reply_to": "",
            "subject": f"{what}: {case.file_number}",
            "body": _render(
                template,
                {
                    "case": case,
                    "owner": owner,
                    "url": f"{settings.PUBLIC_BASE_URL}/arbeitsplatz/vorgaenge/{case.pk}/",
                },
            ),
            "message_id": make_msgid(domain=mail_domain(case.organisation)),
            "in_reply_to": "",
            "references": [],
            "message": None,
            "automatic": True,
            "internal": True,
        },
    )


def send_mail(item: OutboxItem) -> dict[str, Any]:
    """Send ``item``; returns the part of its payload the outbox keeps (see ``_KEPT``)."""
    data = item.payload
    if not data.get("to"):
        raise PermanentError("Keine Empfängeradresse.")
    if not data.get("internal") and bounces.is_blocked(item.organisation_id, data["to"]):
        raise PermanentError(
            "Die Adresse ist nach einem Rückläufer als unzustellbar gesperrt "
            "(E-Mail-Eingang → Unzustellbare Adressen)."
        )
    headers = {"Message-ID": data["message_id"]}
    if data.get("automatic", True):
        headers["Auto-Submitted"] = "auto-generated"
        # Exchange/Outlook: no out-of-office or read receipts in reply to this.
        headers["X-Auto-Response-Suppress"] = "All"
    if data.get("in_reply_to"):
        headers["In-Reply-To"] = data["in_reply_to"]
    if data.get("references"):
        headers["References"] = " ".join(data["references"])
    mail = EmailMessage(
        subject=data["subject"],
        body=mail_body(item),
        from_email=data["from"],
        to=[data["to"]],
        reply_to=[data["reply_to"]] if data["reply_to"] else None,
        headers=headers,
    )
    send_smtp(mail)
    if data.get("message"):
        message = Message.objects.filter(pk=data["message"]).first()
        if message is not None:
            record_delivery(message, delivered=True)
    return _kept(data)


def mail_body(item: OutboxItem) -> str:
    """The text of a queued mail; one queued with ``later`` is rendered from its case now."""
    if item.payload.get("body"):
        return str(item.payload["body"])
    later = item.payload.get("render") or {}
    if not later.get("template"):
        raise PermanentError("Die Nachricht hat keinen Text.")
    case = (
        Case.objects.select_related("organisation", "service").filter(pk=item.case_id or 0).first()
    )
    if case is None:
        raise PermanentError("Der Vorgang zu dieser Nachricht existiert nicht mehr.")
    return _render(later["template"], {"case": case, **later.get("context", {})})


ATTENTION_UNDELIVERABLE = (
    "Eine E-Mail an die antragstellende Person konnte nicht zugestellt werden. Bitte die "
    "Adresse prüfen oder auf anderem Weg Kontakt aufnehmen."
)


def mail_failed(item: OutboxItem) -> None:
    """After the last retry the failure shows on the case (replies on their message,
    receipts in the history), and the owner is asked to get in touch another way."""
    error = redact(item.last_error)
    if item.payload.get("message"):
        message = Message.objects.filter(pk=item.payload["message"]).first()
        if message is not None:
            record_delivery(message, delivered=False, error=error)
    elif item.case_id is not None and not item.payload.get("internal"):
        record_event(
            item.case_id,
            actor=Actor.system("Postausgang"),
            type="delivery_failed",
            details={"outbox": item.pk, "kind": item.dedupe_key.split(":", 1)[0]},
            reason=error[:500],
        )
    else:
        return
    case = Case.objects.filter(pk=item.case_id or 0).only("attention", "requester_email").first()
    if case is not None and not case.attention and item.payload.get("to") == case.requester_email:
        set_attention(case.pk, actor=Actor.system("Postausgang"), text=ATTENTION_UNDELIVERABLE)


def connect() -> None:
    subscribe(on_event)
    register_handler("mail", send_mail, on_final_failure=mail_failed)
