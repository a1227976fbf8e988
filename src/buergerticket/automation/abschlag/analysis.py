"""Reading an Abschlag request: topic, intent, contract number, amounts, warning signs.

``analyse`` never looks at the database; ``checks`` combines its result with
the contract. Anything the analysis cannot read with certainty becomes a
*problem* — the rule then leaves the case to a clerk.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from . import language as lang
from .amounts import Amount, classify, find_amounts
from .phrases import (
    CANCELLATION,
    CHANGE,
    CONDITIONAL,
    CONTRACT_NUMBER,
    DECREASE,
    DIVISION,
    EFFECTIVE,
    FORM_AMOUNT_KEYS,
    FORM_CONTRACT_KEYS,
    HEDGE,
    INCREASE,
    MONTHS,
    NEGATION,
    NOT_CONTRACT_LABEL,
    OTHER_CONCERNS,
    PAST,
    PERCENT,
    PHONE_PREFIX,
    POLITE_REQUEST,
    REPRESENTATION,
    TEMPORARY,
    TOPIC,
    VAGUE_DATE,
)


@dataclass
class RequestedDate:
    """An effective date the requester asked for (only the first of next month is automatic)."""

    text: str
    month: int | None = None
    day: int | None = None
    year: int | None = None
    until: bool = False  # "bis Dezember": a temporary change


@dataclass
class Analysis:
    topic: bool = False
    other_concerns: list[str] = field(default_factory=list)
    contract_numbers: list[str] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    change_words: bool = False
    direction: int = 0  # +1 increase, -1 decrease, 0 unknown; 2 = contradictory
    requested_dates: list[RequestedDate] = field(default_factory=list)
    # Codes of everything that makes the wish unclear (see PROBLEM_TEXTS in reasons).
    problems: list[str] = field(default_factory=list)
    representation: bool = False
    forwarded: bool = False
    question_only: bool = False
    from_form: bool = False
    divisions: set[str] = field(default_factory=set)  # "strom", "gas", … named in the request

    @property
    def targets(self) -> list[Amount]:
        return [a for a in self.amounts if a.role == "target"]

    @property
    def changes(self) -> list[Amount]:
        return [a for a in self.amounts if a.role == "change"]

    @property
    def stated_old(self) -> list[Amount]:
        return [a for a in self.amounts if a.role == "old"]

    @property
    def change_requested(self) -> bool:
        return bool(self.targets or self.changes or self.change_words) and not self.question_only

    def add_problem(self, code: str) -> None:
        if code not in self.problems:
            self.problems.append(code)

    def as_details(self) -> dict[str, Any]:
        """Codes and amounts only: event details never hold personal data."""
        return {
            "topic": self.topic,
            "other_concerns": self.other_concerns,
            "contracts_found": len(self.contract_numbers),
            "amounts": [
                {"value": str(a.value), "role": a.role, "sign": a.sign, "flags": a.flags}
                for a in self.amounts
            ],
            "problems": self.problems,
            "divisions": sorted(self.divisions),
            "from_form": self.from_form,
        }


def analyse(subject: str, body: str, form_data: dict[str, Any] | None = None) -> Analysis:
    result = Analysis()
    parts = lang.split_mail(body)
    subject = lang.normalise(subject)
    result.forwarded = parts.forwarded
    own_text = f"{subject}\n{parts.own}"
    result.topic = bool(TOPIC.search(own_text))
    lowered = own_text.lower()
    result.other_concerns = [name for name, rx in OTHER_CONCERNS.items() if rx.search(lowered)]
    result.representation = bool(REPRESENTATION.search(own_text))
    result.contract_numbers = contract_numbers(own_text)
    _read_form(result, form_data or {})
    subject_sentences = [subject] if subject.strip() else []
    request_sentences = 0
    informational_question_targets = 0
    for sentence in subject_sentences + lang.sentences(parts.content):
        amounts, leftover = find_amounts(sentence)
        classify(sentence, amounts)
        core = lang.without_reason_clauses(sentence)
        relevant = bool(
            amounts
            or TOPIC.search(sentence)
            or CHANGE.search(core)
            or DECREASE.search(core)
            or INCREASE.search(core)
        )
        if not relevant:
            if sentence.rstrip().endswith("?") and not POLITE_REQUEST.match(sentence.strip()):
                result.add_problem("open_question")
            continue
        is_question = sentence.rstrip().endswith("?")
        informational = is_question and not POLITE_REQUEST.match(sentence.strip())
        if informational:
            wanted = [a for a in amounts if a.role in ("target", "change")]
            informational_question_targets += len(wanted)
            for amount in wanted:
                amount.flags.append("question")
            if wanted or CHANGE.search(core):
                result.add_problem("question")
            _note_amounts(result, amounts, leftover, sentence, core)
            continue
        request_sentences += 1
        if CHANGE.search(core) or DECREASE.search(core) or INCREASE.search(core):
            result.change_words = True
        _note_amounts(result, amounts, leftover, sentence, core)
        if NEGATION.search(core) and (amounts or CHANGE.search(core) or TOPIC.search(core)):
            result.add_problem("negation")
        if CONDITIONAL.search(core):
            result.add_problem("conditional")
        if TEMPORARY.search(sentence):
            result.add_problem("temporary")
        if HEDGE.search(core):
            result.add_problem("hedged")
        if PAST.search(core):
            result.add_problem("past")
        if PERCENT.search(sentence):
            result.add_problem("percent")
        _read_dates(result, sentence)
        _direction(result, core, amounts)
        result.divisions.update(m.group(1).lower() for m in DIVISION.finditer(sentence))
    if CANCELLATION.search(parts.content):
        result.add_problem("cancellation")
    if VAGUE_DATE.search(parts.content):
        result.add_problem("date")
    if informational_question_targets and not request_sentences:
        result.question_only = True
    return result


def _note_amounts(
    result: Analysis, amounts: list[Amount], leftover: bool, sentence: str, core: str
) -> None:
    result.amounts.extend(amounts)
    if leftover:
        result.add_problem("unreadable_amount")
    for amount in amounts:
        for flag in amount.flags:
            if flag in ("approximate", "not_monthly"):
                result.add_problem(flag)
        if amount.role == "range":
            result.add_problem("range")
        elif amount.role == "unclear":
            result.add_problem("unclear_amount")


def _direction(result: Analysis, core: str, amounts: list[Amount]) -> None:
    down, up = bool(DECREASE.search(core)), bool(INCREASE.search(core))
    signed = down != up
    sign = (-1 if down else 1) if signed else 0
    for amount in amounts:
        if amount.role == "change" and amount.sign == 0:
            amount.sign = sign
            if sign == 0:
                result.add_problem("direction")
        elif amount.role == "change" and signed and amount.sign != sign:
            result.add_problem("direction")
    if amounts and (down or up):
        if signed:
            result.direction = sign if result.direction in (0, sign) else 2
        else:
            result.direction = 2


def _read_dates(result: Analysis, sentence: str) -> None:
    for match in EFFECTIVE.finditer(sentence):
        what = match.group("what").lower()
        until = match.group().lower().startswith("bis")
        date = RequestedDate(text=match.group(), until=until)
        numeric = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2,4})?", what)
        month_name = re.search("|".join(MONTHS), what)
        if numeric:
            date.day, date.month = int(numeric.group(1)), int(numeric.group(2))
            if numeric.group(3):
                year = int(numeric.group(3))
                date.year = year + 2000 if year < 100 else year
        elif month_name:
            date.month = MONTHS[month_name.group()]
            day = re.match(r"(\d{1,2})\.", what)
            date.day = int(day.group(1)) if day else None
        result.requested_dates.append(date)


def contract_numbers(text: str) -> list[str]:
    """Distinct 8-digit numbers in order, leaving out phone, account and meter numbers."""
    found: list[str] = []
    for match in CONTRACT_NUMBER.finditer(text):
        before = text[max(0, match.start() - 25) : match.start()]
        if NOT_CONTRACT_LABEL.search(before) or PHONE_PREFIX.search(before):
            continue
        if match.group(1) not in found:
            found.append(match.group(1))
    return found


def _read_form(result: Analysis, form_data: dict[str, Any]) -> None:
    """Structured portal form fields (see docs/automation.md) take part like text would."""
    number = next((str(form_data[k]).strip() for k in FORM_CONTRACT_KEYS if form_data.get(k)), "")
    amount_text = next(
        (str(form_data[k]).strip() for k in FORM_AMOUNT_KEYS if form_data.get(k) not in (None, "")),
        "",
    )
    if not number and not amount_text:
        return
    result.from_form = True
    result.topic = True
    if number:
        if re.fullmatch(r"\d{8}", number):
            if number not in result.contract_numbers:
                result.contract_numbers.insert(0, number)
        else:
            result.add_problem("form_contract")
    if amount_text:
        value = _form_amount(amount_text)
        if value is None:
            result.add_problem("unreadable_amount")
        else:
            result.amounts.append(
                Amount(value=value, text=amount_text, start=0, end=0, role="target")
            )
            result.change_words = True


def _form_amount(text: str) -> Decimal | None:
    cleaned = text.replace("€", "").replace("EUR", "").strip()
    if not re.fullmatch(r"\d{1,6}(?:[.,]\d{1,2})?", cleaned):
        return None
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - guarded by the pattern
        return None


def division_key(division: str) -> str:
    """ "Ökostrom" → "strom", "Fernwärme" → "wärme": the word a request would use."""
    match = DIVISION.search(division)
    return match.group(1).lower() if match else division.strip().lower()


def next_month(today: dt.date) -> tuple[int, int]:
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first.year, first.month
