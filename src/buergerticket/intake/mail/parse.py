"""One raw mail → :class:`ParsedMail`: headers, addresses, text, attachments.

Pure functions, no database. Parsing never loses the original: the raw bytes
travel with the result, and whatever cannot be read as text becomes an
attachment. Only a message that yields nothing usable at all raises
:class:`UnreadableMail`, and the caller quarantines its bytes.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .charsets import clean_text, decode_bytes, fix_8bit, header_text, unfold
from .html import html_to_text

_MSGID = re.compile(r"<[^<>\s]+>")
_MAX_DEPTH = 25
_SAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


class UnreadableMail(Exception):
    """The bytes are not a mail we can read; the message says why (German)."""


@dataclass(frozen=True)
class Address:
    name: str
    email: str  # lower-case; empty when the header held no valid address

    def formatted(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""


@dataclass
class ParsedMail:
    raw: bytes
    message: Message
    message_id: str = ""
    subject: str = ""
    sender: Address | None = None
    reply_to: list[Address] = field(default_factory=list)
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    date: dt.datetime | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    text: str = ""
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    # Messages attached whole (forwarded as attachment), parsed.
    embedded: list[Message] = field(default_factory=list)
    # "signed" (S/MIME or PGP signature kept as attachment) or "encrypted".
    protection: str = ""
    defects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        """A header as decoded text ('' when absent or unreadable)."""
        return header_value(self.message, name)

    def headers(self, name: str) -> list[str]:
        return [header_text(v) for v in raw_header_values(self.message, name)]

    @property
    def reply_address(self) -> str:
        """Where the sender wants answers: Reply-To when it names one address."""
        if len(self.reply_to) == 1 and self.reply_to[0].email:
            return self.reply_to[0].email
        return self.sender.email if self.sender else ""


def raw_header_values(message: Message, name: str) -> list[str]:
    wanted = name.lower()
    try:
        return [str(v) for k, v in message.raw_items() if k.lower() == wanted]
    except Exception:
        return []


def header_value(message: Message, name: str) -> str:
    values = raw_header_values(message, name)
    return header_text(values[0]) if values else ""


def message_ids(value: str) -> list[str]:
    """All ``<id>`` tokens of a Message-ID, In-Reply-To or References header."""
    found = _MSGID.findall(value)
    seen: dict[str, None] = {}
    for item in found:
        seen.setdefault(clean_text(item)[:300], None)
    return list(seen)


def _addresses(message: Message, name: str) -> list[Address]:
    result = []
    for raw in raw_header_values(message, name):
        try:
            pairs = getaddresses([fix_8bit(unfold(raw))])
        except Exception:  # noqa: S112 - an unparseable header names no address
            continue
        for display, email in pairs:
            email = clean_text(email).strip().lower()
            try:
                validate_email(email)
            except ValidationError:
                email = ""
            name_text = header_text(display).strip().strip('"').strip()
            if email or name_text:
                result.append(Address(name=name_text[:200], email=email[:254]))
    return result


def _date(message: Message) -> dt.datetime | None:
    values = raw_header_values(message, "Date")
    if not values:
        return None
    try:
        value = parsedate_to_datetime(unfold(values[0]))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def safe_filename(name: str) -> str:
    """No paths, no control characters; composed umlauts (macOS sends them decomposed)."""
    name = unicodedata.normalize("NFC", header_text(name))
    name = _SAFE_NAME.sub("_", name).strip(" ._")
    return name[-200:] if len(name) > 200 else name


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    if not name:
        # Some clients name files only in Content-Type (name=...).
        try:
            name = str(part.get_param("name", header="content-type") or "")
        except Exception:
            name = ""
    return safe_filename(name) if name else ""


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", errors="surrogateescape")
    return b""


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


class _Collector:
    def __init__(self, mail: ParsedMail):
        self.mail = mail
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.counter = 0

    def attach(self, part: Message, *, name: str = "", content: bytes | None = None) -> None:
        ctype = _content_type(part)
        self.counter += 1
        disposition = part.get_content_disposition()
        cid = header_value(part, "Content-ID").strip("<> ")
        if not name:
            ext = mimetypes.guess_extension(ctype) or ".bin"
            stem = "Bild" if ctype.startswith("image/") else "Anhang"
            name = f"{stem}-{self.counter}{ext}"
        self.mail.attachments.append(
            Attachment(
                name=name,
                content_type=ctype[:120],
                content=_payload(part) if content is None else content,
                inline=disposition == "inline" or bool(cid),
                content_id=cid[:200],
            )
        )

    def walk(self, part: Message, depth: int = 0) -> None:
        ctype = _content_type(part)
        if depth > _MAX_DEPTH:
            self.attach(part, name=f"Teil-{self.counter + 1}.bin", content=_bytes_of(part))
            return
        # Before is_multipart(): an attached message also holds a list of parts.
        if ctype in ("message/rfc822", "message/global"):
            self._embedded(part)
            return
        if part.is_multipart():
            self._multipart(part, ctype, depth)
            return
        name = _filename(part)
        disposition = part.get_content_disposition()
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not name:
            text = decode_bytes(_payload(part), _charset(part))
            (self.texts if ctype == "text/plain" else self.htmls).append(text)
            return
        if ctype == "application/pkcs7-mime" or ctype == "application/x-pkcs7-mime":
            smime_type = str(part.get_param("smime-type") or "").lower()
            self.mail.protection = "signed" if smime_type == "signed-data" else "encrypted"
        self.attach(part, name=name)

    def _multipart(self, part: Message, ctype: str, depth: int) -> None:
        children = [c for c in part.get_payload() if isinstance(c, Message)]
        subtype = ctype.split("/", 1)[1]
        if subtype == "alternative":
            plain = [c for c in children if _content_type(c) == "text/plain"]
            chosen = plain[0] if plain else (children[-1] if children else None)
            for child in children:
                if child is chosen:
                    self.walk(child, depth + 1)
                elif _content_type(child) == "text/html" or _content_type(child).startswith(
                    "multipart/"
                ):
                    # The richer alternative: keep its HTML as the original, not as text.
                    texts = len(self.texts)
                    self.walk(child, depth + 1)
                    del self.texts[texts:]
                else:
                    self.walk(child, depth + 1)
            return
        if subtype == "signed":
            self.mail.protection = self.mail.protection or "signed"
            for index, child in enumerate(children):
                if index == 0:
                    self.walk(child, depth + 1)
                else:
                    self.attach(child, name=_filename(child) or "signatur.p7s")
            return
        if subtype == "encrypted":
            self.mail.protection = "encrypted"
            for child in children:
                self.attach(child, name=_filename(child))
            return
        for child in children:
            self.walk(child, depth + 1)

    def _embedded(self, part: Message) -> None:
        inner = part.get_payload()
        first = inner[0] if isinstance(inner, list) and inner else None
        message = first if isinstance(first, Message) else None
        content = _bytes_of(message) if message is not None else _payload(part)
        subject = header_value(message, "Subject") if message is not None else ""
        name = _filename(part) or f"{safe_filename(subject) or 'Nachricht'}.eml"
        if message is not None:
            self.mail.embedded.append(message)
        self.attach(part, name=name, content=content)


def _bytes_of(part: Message) -> bytes:
    try:
        return part.as_bytes(policy=policy.default.clone(linesep="\r\n"))
    except Exception:
        try:
            return part.as_bytes()
        except Exception:
            return b""


def parse(raw: bytes) -> ParsedMail:
    """Parse one message. Raises :class:`UnreadableMail` only for bytes that are no mail."""
    if not raw.strip():
        raise UnreadableMail("Die Nachricht ist leer.")
    try:
        # compat32 keeps headers as the strings they were: this module decodes
        # them itself (header_text), tolerant of what real mail contains; the
        # default policy parsed Content-Type anew on every access and cost
        # most of the time of reading a mail.
        message = BytesParser(policy=policy.compat32).parsebytes(raw)
    except Exception as exc:
        raise UnreadableMail(
            f"Die Nachricht lässt sich nicht zerlegen ({type(exc).__name__})."
        ) from None
    if not list(message.keys()):
        raise UnreadableMail("Die Nachricht hat keine Kopfzeilen.")
    ids = message_ids(header_value(message, "Message-ID"))
    senders = _addresses(message, "From") or _addresses(message, "Sender")
    mail = ParsedMail(
        raw=raw,
        message=message,
        message_id=ids[0] if ids else "",
        subject=header_value(message, "Subject")[:1000],
        sender=senders[0] if senders else None,
        reply_to=_addresses(message, "Reply-To"),
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        date=_date(message),
        in_reply_to=message_ids(header_value(message, "In-Reply-To")),
        references=message_ids(" ".join(raw_header_values(message, "References"))),
    )
    collector = _Collector(mail)
    try:
        collector.walk(message)
    except RecursionError:
        raise UnreadableMail("Die Nachricht ist zu tief verschachtelt.") from None
    mail.html = clean_text(collector.htmls[0]) if collector.htmls else ""
    if collector.texts:
        mail.text = clean_text("\n\n".join(t.strip("\n") for t in collector.texts)).strip()
    elif collector.htmls:
        mail.text = html_to_text("\n".join(collector.htmls))
    mail.defects = [type(d).__name__ for d in message.defects][:20]
    return mail
