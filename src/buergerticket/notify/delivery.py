"""Handing a mail to the SMTP relay, and telling a retry from a final failure."""

from __future__ import annotations

import re
import smtplib

from django.core.mail import EmailMessage

from buergerticket.notify.outbox import PermanentError

_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)+")


def redact(text: str) -> str:
    """Error texts go into the case history, which keeps no personal data."""
    return _ADDRESS.sub("<Adresse>", text or "")


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()


def send_smtp(mail: EmailMessage) -> None:
    """Send ``mail``; a 5xx answer about the recipient or the content is final
    (:class:`PermanentError`), anything else (4xx, connection, authentication,
    a refused sender, which is our configuration) is retried with backoff."""
    try:
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        replies = list(exc.recipients.values())
        if replies and all(500 <= code < 600 for code, _ in replies):
            raise PermanentError(
                "Empfänger abgelehnt: " + "; ".join(_reply(c, m) for c, m in replies)
            ) from None
        raise
    except smtplib.SMTPDataError as exc:
        if 500 <= exc.smtp_code < 600:
            raise PermanentError(
                f"Nachricht abgelehnt: {_reply(exc.smtp_code, exc.smtp_error)}"
            ) from None
        raise
