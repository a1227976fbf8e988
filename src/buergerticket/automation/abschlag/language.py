"""German e-mail text: normalising, separating quoted/forwarded parts and the
signature, and splitting into sentences and clauses.

Hard-wrapped lines are joined so that "auf\\n50 Euro" stays one sentence;
abbreviations ("ca.", "Nr.", "z. B.") and dates do not end a sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")

# A line from which on the rest is an earlier message, not the sender's own words.
_REPLY_MARKERS = re.compile(
    r"^\s*(?:-{2,}\s*(?:urspr(?:ü|ue)ngliche nachricht|original message)\s*-{2,}"
    r"|am .{3,80}schrieb.{0,80}:\s*$"
    r"|on .{3,80}wrote:\s*$"
    r"|von:\s.+$)",
    re.IGNORECASE,
)
_FORWARD_MARKERS = re.compile(
    r"^\s*(?:-{2,}\s*(?:weitergeleitete nachricht|forwarded message)\s*-{2,}"
    r"|begin forwarded message:|anfang der weitergeleiteten nachricht:)",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^(?:(?:mit |vielen dank und |danke und |und )?(?:freundliche[nm]?|beste[nm]?|liebe[nm]?|"
    r"herzliche[nm]?|viele[nm]?|schöne[nm]?|sonnige[nm]?|freundlichen)?\s*"
    r"(?:grüße[nm]?|grüßen|gruß)(?: aus \S+)?|mfg|lg|vg|gruß|vielen dank(?: im voraus)?|"
    r"danke(?: schön| im voraus)?|besten dank|herzlichen dank)\s*[!.,]?$",
    re.IGNORECASE,
)
ABBREVIATIONS = frozenset(
    [
        "ca",
        "bzw",
        "ggf",
        "evtl",
        "inkl",
        "zzgl",
        "usw",
        "etc",
        "dr",
        "fr",
        "hr",
        "nr",
        "vn",
        "str",
        "tel",
        "abs",
        "gem",
        "lt",
        "bzgl",
        "max",
        "min",
        "mind",
        "mio",
        "tsd",
        "z",
        "zb",
        "d",
        "dh",
        "u",
        "ua",
        "o",
        "oä",
        "vgl",
        "hausnr",
        "vertragsnr",
        "vertrag-nr",
        "kd",
        "kdnr",
        "kunden-nr",
        "rg",
        "rgnr",
        "jan",
        "feb",
        "febr",
        "mär",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "okt",
        "nov",
        "dez",
        "st",
        "sog",
    ]
)
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_CLAUSE_SPLIT = re.compile(r",\s+|;\s*|\s+-\s+|\s+(?=(?:und|aber|sondern|oder)\s)")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _DASHES.sub("-", text)
    return re.sub(r"[ ]{2,}", " ", text)


@dataclass(frozen=True)
class MailParts:
    own: str  # the sender's own words, signature included
    content: str  # own words without greeting formula and signature
    signature: str
    quoted: str  # quoted or forwarded earlier messages
    forwarded: bool


def split_mail(body: str) -> MailParts:
    lines = normalise(body).split("\n")
    own: list[str] = []
    quoted: list[str] = []
    forwarded = False
    cut = False
    for line in lines:
        if not cut and _FORWARD_MARKERS.match(line):
            forwarded = cut = True
        elif not cut and _REPLY_MARKERS.match(line):
            cut = True
        if cut or line.lstrip().startswith(">"):
            quoted.append(line)
        else:
            own.append(line)
    content, signature = _split_signature(own)
    return MailParts(
        own="\n".join(own).strip(),
        content=content,
        signature=signature,
        quoted="\n".join(quoted).strip(),
        forwarded=forwarded,
    )


def _split_signature(lines: list[str]) -> tuple[str, str]:
    # The closing formula ("Mit freundlichen Grüßen") starts the signature; only
    # look after the first line so a one-line mail "Danke!" keeps its text.
    for i in range(len(lines) - 1, 0, -1):
        if _CLOSING.match(lines[i].strip()):
            return "\n".join(lines[:i]).strip(), "\n".join(lines[i:]).strip()
    return "\n".join(lines).strip(), ""


def sentences(text: str) -> list[str]:
    """Sentences of ``text``; wrapped lines inside a paragraph are joined."""
    result: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        joined = ""
        for line in paragraph.split("\n"):
            line = line.strip()
            if not line:
                continue
            if joined and re.search(r"[.!?:]$", joined):
                result.extend(_split_sentences(joined))
                joined = line
            else:
                joined = f"{joined} {line}".strip()
        if joined:
            result.extend(_split_sentences(joined))
    return [s for s in (s.strip() for s in result) if s]


def _split_sentences(text: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group().startswith("."):
            before = text[start : match.start()].split()
            word = before[-1].lower().strip("(") if before else ""
            # "ca.", "Nr.", "z. B.", "1." (date, ordinal): not the end of a sentence.
            if word.rstrip(".") in ABBREVIATIONS or re.fullmatch(r"[\d.]+", word):
                continue
            following = text[end:].lstrip()[:1]
            if following and following.islower():
                continue
        parts.append(text[start:end])
        start = end
    parts.append(text[start:])
    return parts


def clauses(sentence: str) -> list[str]:
    """Clauses split at commas (not decimal commas), semicolons, dashes and conjunctions."""
    return [c.strip() for c in _CLAUSE_SPLIT.split(sentence) if c.strip()]


# Subordinate clauses that give a reason or a purpose; a negation inside them
# ("damit keine Nachzahlung kommt") does not negate the request itself.
_REASON_CLAUSE = re.compile(
    r"^(?:damit|sodass|so dass|weil|da|denn|seit|seitdem|nachdem|obwohl|zumal|wobei)\b",
    re.IGNORECASE,
)


def without_reason_clauses(sentence: str) -> str:
    return ", ".join(c for c in clauses(sentence) if not _REASON_CLAUSE.match(c))


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"[\wäöüß]+\.?", text.lower()) if w]
