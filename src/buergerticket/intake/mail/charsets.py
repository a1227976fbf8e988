"""Turning the bytes and headers of real-world mail into clean text.

Mail in the wild declares charsets it does not use (Windows-1252 labelled as
ISO-8859-1, UTF-8 labelled as US-ASCII), sends raw 8-bit header bytes, and
names charsets Python does not know. Every function here returns text that
PostgreSQL and SQLite accept (no NUL, no lone surrogates) and never raises.
"""

from __future__ import annotations

import codecs
import re
from email.header import decode_header

# What mail clients mean, as browsers learned the hard way (WHATWG encoding
# standard): "ISO-8859-1" is read as Windows-1252. "US-ASCII" promises
# nothing about 8-bit bytes, so those are tried as UTF-8 first (empty = no
# usable declaration).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "",
    "ascii": "",
    "ansi_x3.4-1968": "",
    "windows-1252": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "",
    "default": "",
}

_FOLD = re.compile(r"\r?\n[ \t]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def codec_for(charset: str | None) -> str:
    """The Python codec to try first for a declared charset ('' when unusable)."""
    if not charset:
        return ""
    name = charset.strip().strip('"').lower()
    name = _ALIASES.get(name, name)
    if not name:
        return ""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode ``data``: the declared charset, then UTF-8, then Windows-1252."""
    tried = []
    for codec in (codec_for(charset), "utf-8", "cp1252"):
        if codec and codec not in tried:
            tried.append(codec)
            try:
                return clean_text(data.decode(codec))
            except (UnicodeDecodeError, LookupError):
                continue
    return clean_text(data.decode("cp1252", errors="replace"))


def clean_text(text: str) -> str:
    """Text any database accepts: no NUL, no lone surrogates, Unix newlines."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", errors="replace").decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def fix_8bit(value: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: read them as UTF-8,
    else as Windows-1252 (what Outlook and old webmailers send)."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    raw = value.encode("utf-8", errors="surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def unfold(value: str) -> str:
    return _FOLD.sub(" ", value).strip()


def header_text(value: str | None) -> str:
    """A header value as one line of text, RFC 2047 encoded words decoded."""
    if not value:
        return ""
    value = fix_8bit(unfold(str(value)))
    try:
        parts = decode_header(value)
    except Exception:
        return _one_line(value)
    pieces = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            pieces.append(chunk)
        elif charset is None:
            # Unencoded runs between encoded words come back as raw-unicode-escape bytes.
            pieces.append(chunk.decode("raw-unicode-escape", errors="replace"))
        else:
            pieces.append(decode_bytes(chunk, charset))
    return _one_line("".join(pieces))


def _one_line(text: str) -> str:
    text = clean_text(text)
    text = _CONTROL.sub("", text.replace("\n", " ").replace("\t", " "))
    return re.sub(r" {2,}", " ", text).strip()
