"""Test mails as raw bytes, built the way real clients send them."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

MAILBOX = "buergerservice@musterstadt.example"
_counter = itertools.count(1)


def message(
    *,
    subject: str = "Straßenlaterne defekt",
    body: str = "Die Laterne vor Hausnummer 5 ist seit Tagen dunkel.\n\nGrüße\nJürgen Müller",
    sender: str = "Jürgen Müller <juergen@example.org>",
    to: str = MAILBOX,
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
) -> bytes:
    """A well-formed mail (Python encodes umlauts in headers as RFC 2047)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC))
    msg["Message-ID"] = message_id or make_msgid(domain="example.org", idstring=str(next(_counter)))
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, ctype, content in attachments:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def raw(headers: list[tuple[str, str]], body: bytes) -> bytes:
    """Exactly these header lines and body bytes (for charset and breakage tests)."""
    # Non-ASCII header text goes out as raw UTF-8 (what broken clients send).
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode()
    return head + b"\r\n" + body


def simple_headers(subject: str = "Anfrage", **extra: str) -> list[tuple[str, str]]:
    headers = [
        ("From", "Erika Mustermann <erika@example.org>"),
        ("To", MAILBOX),
        ("Subject", subject),
        ("Date", "Fri, 20 Nov 2026 10:00:00 +0100"),
        ("Message-ID", f"<raw-{next(_counter)}@example.org>"),
        ("MIME-Version", "1.0"),
    ]
    headers += list(extra.items())
    return headers


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data)


def dsn(
    *, original_id: str, recipient: str, status: str = "5.1.1", action: str = "failed"
) -> bytes:
    """A standard delivery status notification (RFC 3464) as Postfix sends it."""
    boundary = "dsn-boundary-42"
    body = (
        f"--{boundary}\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.example.net.\r\n\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n\r\n"
        f"<{recipient}>: host mx.example.org said: 550 {status} User unknown\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n"
        "Arrival-Date: Fri, 20 Nov 2026 10:00:00 +0100\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address rejected\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"From: Stadt Musterstadt <{MAILBOX}>\r\n"
        f"To: {recipient}\r\n"
        "Subject: [10.00.00-00001/2026] Eingangsbestaetigung\r\n"
        f"Message-ID: {original_id}\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    return raw(
        [
            ("Return-Path", "<>"),
            ("From", "MAILER-DAEMON@mx.example.net (Mail Delivery System)"),
            ("To", MAILBOX),
            ("Subject", "Undelivered Mail Returned to Sender"),
            ("Date", "Fri, 20 Nov 2026 10:05:00 +0100"),
            ("Message-ID", f"<dsn-{next(_counter)}@mx.example.net>"),
            ("Auto-Submitted", "auto-replied"),
            ("MIME-Version", "1.0"),
            (
                "Content-Type",
                f'multipart/report; report-type=delivery-status; boundary="{boundary}"',
            ),
        ],
        body,
    )
