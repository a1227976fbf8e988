"""Turning a request into the text the router learns from.

Greeting and signature carry names and addresses, not the topic: they are
cut off, digits are dropped and the subject counts twice (it is short and to
the point).
"""

from __future__ import annotations

import re

_GREETING = re.compile(
    r"^\s*(?:sehr geehrte|guten (?:tag|morgen|abend)|hallo|liebe[rs]?|moin|servus|grüß gott)"
    r"[^\n]*\n",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^\s*(?:mit freundlichen|freundliche|viele|beste|liebe|herzliche|schöne|mfg|lg|vg|"
    r"vielen dank|besten dank|danke|gruß|grüße)\b.*",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
_QUOTED = re.compile(r"^\s*>.*$", re.MULTILINE)
MAX_CHARS = 5000


def request_text(subject: str, text: str) -> str:
    body = _QUOTED.sub("", (text or "")[:MAX_CHARS]).strip()
    body = _GREETING.sub("", body, count=1)
    body = _CLOSING.sub("", body)
    combined = f"{subject}. {subject}. {body}"
    return re.sub(r"\d+", " ", combined).lower()
