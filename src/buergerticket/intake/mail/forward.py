"""Recognising mail that staff forwarded to the shared mailbox.

Staff often receive a citizen's mail personally and forward it to the shared
mailbox. The case belongs to the citizen, not to the colleague, so we look for
the original sender: a message attached whole (forward as attachment), or the
header block mail clients put above an inline forward (Outlook, Thunderbird,
Gmail, Apple Mail; German and English).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .charsets import header_text
from .parse import Address, ParsedMail, header_value

_FORWARD_SUBJECT = re.compile(r"^\s*((wg|fwd?|fw|tr|wtr|weitergeleitet)\s*:\s*)+", re.IGNORECASE)
_MARKERS = re.compile(
    r"^\s*(-{2,}\s*(weitergeleitete nachricht|forwarded message|ursprüngliche nachricht|"
    r"original message|original-nachricht|urspr\.\s*nachricht)\s*-{2,}|"
    r"(begin forwarded message|anfang der weitergeleiteten (nachricht|e-mail))\s*:|_{10,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_FROM_LINE = re.compile(r"^\s*[>*\s]*(von|from|absender)\s*:\s*\**\s*(?P<value>.+)$", re.IGNORECASE)
_SUBJECT_LINE = re.compile(
    r"^\s*[>*\s]*(betreff|subject)\s*:\s*\**\s*(?P<value>.*)$", re.IGNORECASE
)
_HEADER_LINE = re.compile(
    r"^\s*[>*\s]*(von|from|an|to|cc|gesendet|sent|datum|date|betreff|subject|absender)\s*:",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Forwarded:
    sender: Address
    subject: str


def strip_forward_prefix(subject: str) -> str:
    return _FORWARD_SUBJECT.sub("", subject).strip()


def original_sender(mail: ParsedMail) -> Forwarded | None:
    """The original sender and subject of a forwarded mail, when recognisable."""
    for embedded in mail.embedded:
        found = _from_header(header_value(embedded, "From"))
        if found is not None:
            subject = header_value(embedded, "Subject") or strip_forward_prefix(mail.subject)
            return Forwarded(found, subject)
    if not (_FORWARD_SUBJECT.match(mail.subject) or _MARKERS.search(mail.text)):
        return None
    return _inline(mail)


def _from_header(value: str) -> Address | None:
    match = _ADDRESS.search(value)
    if match is None:
        return None
    email = match.group(0).lower()
    try:
        validate_email(email)
    except ValidationError:
        return None
    name = value[: value.find(match.group(0))]
    name = re.sub(r"(\[mailto:|<|\(|\[)\s*$", "", name).strip().strip('"').strip()
    if name.lower() == email:
        name = ""
    return Address(name=header_text(name)[:200], email=email)


def _inline(mail: ParsedMail) -> Forwarded | None:
    lines = mail.text.split("\n")
    marker = _MARKERS.search(mail.text)
    start = mail.text[: marker.start()].count("\n") if marker else 0
    for index in range(start, len(lines)):
        match = _FROM_LINE.match(lines[index])
        if match is None:
            continue
        # A real header block: another header line right around the From line.
        window = lines[max(index - 4, 0) : index + 6]
        if sum(1 for line in window if _HEADER_LINE.match(line)) < 2:
            continue
        sender = _from_header(match.group("value"))
        if sender is None:
            # Outlook wraps long names: "Von: Mustermann, Erika" / "<erika@…>" next line.
            sender = _from_header(
                match.group("value") + " " + lines[index + 1] if index + 1 < len(lines) else ""
            )
        if sender is None:
            continue
        subject = ""
        for line in lines[index : index + 8]:
            found = _SUBJECT_LINE.match(line)
            if found:
                subject = found.group("value").strip()
                break
        return Forwarded(sender, subject or strip_forward_prefix(mail.subject))
    return None
