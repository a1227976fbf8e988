"""Finding euro amounts in German text and telling what each one means.

Every amount gets a role from the words around it: the new installment
("auf 85 Euro", "neuer Abschlag: 70,00 €", "nur noch 60 €"), a change ("um 20 €
senken", "10 Euro mehr"), the current installment ("von bisher 52 €", "mein
derzeitiger Abschlag beträgt 38 €"), an unrelated amount ("Nachzahlung von
300 €"), part of a range ("zwischen 140 und 170 €") — or ``unclear``. The rule
only acts when nothing is unclear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .language import words

_CURRENCY = r"(?:€|eur\b|euro\b|euros\b)"
# 1.234,56 | 1234,56 | 85,- | 85,-- | 85 | 55.00 (decimal point, exactly 2 digits)
_NUMBER = (
    r"(?<![\w.,])(?P<int>\d{1,3}(?:\.\d{3})+|\d{1,6})"
    r"(?:(?P<dec>,\d{1,2})|(?P<dash>,-{1,2})|(?P<pdec>\.\d{2}))?(?![\d])"
)
_MONEY = re.compile(
    rf"(?P<pre>{_CURRENCY}\s?)?{_NUMBER}(?P<post>\s?{_CURRENCY})?",
    re.IGNORECASE,
)
_UNIT_AFTER = re.compile(r"^\s?(?:kwh|kw\b|m³|m3|m²|qm|l\b|liter|%|prozent|uhr|h\b|cm|mm|km)", re.I)
_DATE = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.(?:\d{2,4})?(?![\d])")
_LEFTOVER_CURRENCY = re.compile(rf"{_CURRENCY}|\bcent\b|\bct\b", re.IGNORECASE)

APPROXIMATE = {
    "ca",
    "ca.",
    "circa",
    "zirka",
    "etwa",
    "ungefähr",
    "rund",
    "max",
    "max.",
    "maximal",
    "höchstens",
    "mindestens",
    "mind.",
    "knapp",
    "über",
    "unter",
    "bis",
}
# Words that may stand between "auf"/"um" and the amount without changing its meaning.
FILLERS = {"monatlich", "monatliche", "monatlichen", "künftig", "zukünftig", "dann"}
RANGE_JOINERS = {"und", "bis", "-", "oder", "/", "bzw.", "bzw", "beziehungsweise"}
CONTEXT_WORDS = (
    "nachzahlung",
    "gutschrift",
    "guthaben",
    "erstattung",
    "rückzahlung",
    "rückerstattung",
    "rückstand",
    "rückstände",
    "schulden",
    "mahnung",
    "mahngebühr",
    "gebühr",
    "rechnung",
    "abrechnung",
    "grundpreis",
    "arbeitspreis",
    "kosten",
    "verbrauch",
    "kaution",
    "zinsen",
    "summe",
    "insgesamt",
    "jahresbetrag",
)
OLD_WORDS = (
    "derzeit",
    "aktuell",
    "bisher",
    "bislang",
    "momentan",
    "zurzeit",
    "jetzig",
    "gegenwärtig",
    "statt",
    "anstatt",
    "anstelle",
    "alter",
    "alten",
    "alte",
)
TARGET_AFTER = ("monatlich", "monatlichen", "zahlen", "bezahlen", "abbuchen", "abgebucht")
NOT_MONTHLY = re.compile(
    r"^\s*(?:im jahr|pro jahr|jährlich|jährliche|im quartal|pro quartal|"
    r"vierteljährlich|halbjährlich|einmalig)",
    re.IGNORECASE,
)


@dataclass
class Amount:
    value: Decimal
    text: str
    start: int
    end: int
    role: str = "unclear"  # target | change | old | context | range | unclear
    sign: int = 0  # for role "change": +1 increase, -1 decrease, 0 unknown
    flags: list[str] = field(default_factory=list)


def _value(match: re.Match[str]) -> Decimal:
    whole = Decimal(match.group("int").replace(".", ""))
    if match.group("dec"):
        return whole + Decimal("0." + match.group("dec")[1:].ljust(2, "0"))
    if match.group("pdec"):
        return whole + Decimal("0." + match.group("pdec")[1:])
    return whole


def mask_dates(sentence: str) -> str:
    """Dates like 01.03.2026 must not be read as amounts; keep offsets stable."""
    return _DATE.sub(lambda m: " " * len(m.group()), sentence)


def find_amounts(sentence: str) -> tuple[list[Amount], bool]:
    """Money mentions in ``sentence``; the flag says a currency word was left unexplained
    (an amount in words, "Cent", …)."""
    masked = mask_dates(sentence)
    found: list[Amount] = []
    consumed: list[tuple[int, int]] = []
    for match in _MONEY.finditer(masked):
        has_currency = bool(match.group("pre") or match.group("post"))
        marked = bool(match.group("dash") or match.group("dec") or match.group("pdec"))
        if not has_currency and not marked:
            continue  # a plain number: a house number, a postcode, a count
        if not has_currency and _UNIT_AFTER.match(masked[match.end() :]):
            continue  # "2.536,5 kWh"
        if not has_currency and match.group("int") and len(match.group("int")) >= 8:
            continue
        found.append(
            Amount(
                value=_value(match),
                text=match.group().strip(),
                start=match.start(),
                end=match.end(),
            )
        )
        consumed.append((match.start(), match.end()))
    leftover = any(
        not any(s <= m.start() < e for s, e in consumed)
        for m in _LEFTOVER_CURRENCY.finditer(masked)
    )
    return found, leftover


def _last_words(text: str, n: int) -> list[str]:
    return words(text)[-n:]


def classify(sentence: str, amounts: list[Amount]) -> None:
    """Give each amount of one sentence its role (in place)."""
    lower = sentence.lower()
    for i, amount in enumerate(amounts):
        before = lower[: amount.start]
        after = lower[amount.end :]
        pre = _last_words(before, 6)
        post = words(after)[:4]
        # Approximation words directly before the amount (or before auf/um + amount).
        near = pre[-2:]
        if any(w in APPROXIMATE for w in near[-1:]) or (
            len(near) == 2 and near[0] in ("auf", "um") and near[1] in APPROXIMATE
        ):
            amount.flags.append("approximate")
        if NOT_MONTHLY.match(after):
            amount.flags.append("not_monthly")
        core = [w for w in pre if w not in APPROXIMATE]
        while len(core) > 1 and core[-1] in FILLERS and core[-2] in ("auf", "um"):
            core.pop()
        last = core[-1] if core else ""
        if i + 1 < len(amounts) and _joined(lower, amount, amounts[i + 1]):
            amount.role = amounts[i + 1].role = "range"
            continue
        if amount.role == "range":
            continue
        if last == "um":
            amount.role = "change"
            continue
        skip = 2 if post[:2] in (["im", "monat"], ["pro", "monat"]) else 0
        skip = 1 if post[:1] in (["monatlich"], ["monatlichen"]) else skip
        direction = post[skip : skip + 1]
        if direction in (["mehr"], ["weniger"]):
            amount.role, amount.sign = "change", 1 if direction == ["mehr"] else -1
            continue
        if last == "auf":
            amount.role = "target"
            continue
        if _new_installment_before(before):
            amount.role = "target"
            continue
        if any(w.startswith(CONTEXT_WORDS) for w in pre[-4:]):
            amount.role = "context"
            continue
        if last == "von" or any(w.startswith(OLD_WORDS) for w in _clause_words(before)):
            amount.role = "old"
            continue
        if pre[-2:] == ["nur", "noch"] or last in ("dann", "künftig", "zukünftig", "fortan"):
            amount.role = "target"
            continue
        per_month = post[:2] in (["im", "monat"], ["pro", "monat"])
        if (post[:1] and post[0] in TARGET_AFTER) or per_month:
            amount.role = "target"
            continue


def _joined(lower: str, first: Amount, second: Amount) -> bool:
    """Two amounts form a range: "zwischen 140 und 170 €", "140-170 €", "50 oder 60 €"."""
    between = lower[first.end : second.start].strip()
    between_words = between.replace(",", " ").split()
    if between not in RANGE_JOINERS and not (
        len(between_words) <= 2
        and between_words[:1]
        and between_words[0] in RANGE_JOINERS
        and all(w in RANGE_JOINERS | {"euro", "eur", "€"} for w in between_words)
    ):
        return False
    before = _last_words(lower[: first.start], 3)
    return "zwischen" in before or between_words[:1] != ["und"]


_NEW_INSTALLMENT = re.compile(
    r"neue[nrs]?\s+(?:monatliche[nrs]?\s+)?abschlag\w*(?:\s+(?:soll|von|in höhe von|beträgt|"
    r"bitte|ab sofort|dann)){0,2}\s*[:=]?\s*(?:€|eur|euro)?\s*$"
)


def _new_installment_before(before: str) -> bool:
    return bool(_NEW_INSTALLMENT.search(before.rstrip()))


def _clause_words(before: str) -> list[str]:
    # Words since the last clause boundary before the amount.
    clause = re.split(r",\s|;|\s-\s|\(|\)", before)[-1]
    return words(clause)
