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

TOPIC = re.compile(r"\babschl(?:ag|ä?ge|ags)\w*", re.IGNORECASE)
DECREASE = re.compile(
    r"\b(?:senk|gesenkt|reduzier|verringer|herab|herunter|runter|kürz|gekürzt|verminder|"
    r"absenk|niedriger)\w*",
    re.IGNORECASE,
)
INCREASE = re.compile(
    r"\b(?:erhöh|anheb|angehoben|hebe\w*\s+\w+\s+an\b|herauf|hochsetz|hochzusetz|aufstock|"
    r"steigern|höher\b)\w*",
    re.IGNORECASE,
)
CHANGE = re.compile(
    r"\b(?:änder|geändert|anpass|angepasst|passen\b|umstell|umgestellt|stellen\b|setzen\b|"
    r"festsetz|neue[nrs]?\s+(?:monatliche[nrs]?\s+)?abschlag)\w*",
    re.IGNORECASE,
)
NEGATION = re.compile(
    r"\b(?:nicht|nichts|kein|keine|keinen|keinem|keiner|keines|nie|niemals|weder|"
    r"keinesfalls)\b",
    re.IGNORECASE,
)
CONDITIONAL = re.compile(
    r"\b(?:wenn|falls|sofern|vorausgesetzt|unter der bedingung)\b(?!\s+(?:möglich|es geht|"
    r"nötig|erforderlich|machbar))",
    re.IGNORECASE,
)
CANCELLATION = re.compile(
    r"vergessen sie|ignorieren sie|hat sich erledigt|storn|zurückzieh|ziehe\w* \w+ zurück|"
    r"doch nicht|kommando zurück|unverändert|beibehalten|(?:so|gleich) bleiben|"
    r"soll\w* \w+ bleiben",
    re.IGNORECASE,
)
TEMPORARY = re.compile(
    r"\b(?:vorübergehend|befristet|einmalig|ausnahmsweise|nur (?:für )?(?:diesen|einen|"
    r"den nächsten) monat|für (?:\w+ )?(?:monate|wochen)|diesen monat)\b",
    re.IGNORECASE,
)
HEDGE = re.compile(
    r"\b(?:überleg\w*|nachzudenken|nachdenk\w*|denke\w* \w+ nach|gedanke\w*|frage mich|"
    r"vielleicht|eventuell|evtl|möglicherweise|unter umständen|gegebenenfalls|ggf|"
    r"wüsste gern\w*|würde\w* gerne? wissen|informier\w*|auskunft)\b",
    re.IGNORECASE,
)
# A statement about something done ("Sie haben meinen Abschlag auf 55 € gesenkt") is
# not a request, even though it names an amount.
PAST = re.compile(
    r"\b(?:haben|habe|hat|hatten|hatte|wurde|wurden|worden|ist|sind|war|waren)\b[^.?!]{0,60}"
    r"\b(?:gesenkt|erhöht|geändert|angepasst|reduziert|umgestellt|herabgesetzt|"
    r"heruntergesetzt|angehoben|verringert|gekürzt|festgesetzt|gesetzt)\b",
    re.IGNORECASE,
)
DIVISION = re.compile(r"\b(?:öko|erd|fern)?(strom|gas|wasser|wärme)\b", re.IGNORECASE)
PERCENT = re.compile(r"%|\bprozent\b", re.IGNORECASE)
REPRESENTATION = re.compile(
    r"im namen|im auftrag|vollmacht|bevollmächtig|betreuer|betreuung\b|gesetzliche\w* vertret|"
    r"(?:für|von) (?:meine[nmrs]?|unsere[nmrs]?) (?:vater|mutter|eltern|oma|opa|groß\w+|onkel|"
    r"tante|sohn|tochter|nachbar\w*|schwieger\w*|bruder|schwester|mann|frau|partner\w*|"
    r"mieter\w*|vermieter\w*|kunde\w*|mandant\w*)\b|"
    r"(?:meines|unseres) (?:vaters|onkels|bruders|sohnes|großvaters|schwiegervaters|nachbarn|"
    r"mieters|mandanten|mannes|partners)\b|"
    r"(?:meiner|unserer) (?:mutter|tochter|schwester|tante|großmutter|schwiegermutter|"
    r"nachbarin|mieterin|mandantin|eltern|frau|partnerin)\b",
    re.IGNORECASE,
)
# Other requests of a utility; a mail that mentions one of these is not a plain
# Abschlag change even if it also mentions the installment.
OTHER_CONCERNS: dict[str, re.Pattern[str]] = {
    "zaehlerstand": re.compile(
        r"zähler\s?stand|zählerablesung|ablesung|abgelesen|ablesen|"
        r"zählernummer|zählerwechsel",
        re.I,
    ),
    "umzug": re.compile(
        r"umzug|umziehen|\bzieh\w*\b[^.?!]{0,40}\bum\b(?!\s*(?:€|eur|\d))|"
        r"auszug|ausziehen|einzug|neue (?:adresse|anschrift|wohnung)",
        re.I,
    ),
    "kuendigung": re.compile(r"kündig|vertragsende|vertrag beenden|abmelden|abmeldung", re.I),
    "bankverbindung": re.compile(
        r"bankverbindung|kontoverbindung|\biban\b|\bbic\b|\bsepa\b|"
        r"lastschriftmandat|einzugsermächtigung|neues konto|"
        r"kontonummer|bankdaten",
        re.I,
    ),
    "tarif": re.compile(r"tarif|ökostrom|grundversorgung|preiserhöhung|preisanpassung", re.I),
    "reklamation": re.compile(
        r"widerspruch|widerspreche|einspruch|reklamation|beschwer|"
        r"fehlerhaft|falsch (?:berechnet|abgerechnet)|stimmt nicht|"
        r"nicht korrekt|nicht nachvollziehbar|\bfalsch\b|\bfehler\b|"
        r"irrtum|versehen",
        re.I,
    ),
    "stoerung": re.compile(
        r"störung|stromausfall|kein strom|kein wasser|kein gas|"
        r"rohrbruch|gasgeruch|notfall",
        re.I,
    ),
    "zahlung": re.compile(
        r"ratenzahlung|stundung|zahlungsaufschub|mahnung|sperrung|sperre\b|"
        r"auszahl|zurücküberweis|erstatten sie|überweisen sie",
        re.I,
    ),
}
POLITE_REQUEST = re.compile(
    r"^(?:bitte\s+)?(?:(?:können|könnten|würden|wären|würdest|kannst|könntest)\s+(?:sie|ihr|du)"
    r"|(?:ist|wäre|wär)\s+es\s+(?:möglich|machbar)"
    r"|(?:ist|wäre)\s+(?:das|dies)\s+(?:möglich|machbar|in ordnung|ok)"
    r"|(?:geht|ginge)\s+(?:das|dies))\b",
    re.IGNORECASE,
)
_CONTRACT = re.compile(r"(?<![\w])(\d{8})(?![\w])")
_NOT_CONTRACT_LABEL = re.compile(
    r"(?:tel\w*|fax|mobil|handy|iban|blz|bic|konto\w*|kunden\s?-?n(?:umme)?r\.?|"
    r"zähler\s?-?n(?:umme)?r\.?|rechnungs\s?-?n(?:umme)?r\.?|aktenzeichen|az|plz|"
    r"steuer\w*|zählernummer)\W{0,3}$",
    re.IGNORECASE,
)
_PHONE_PREFIX = re.compile(r"(?:\+\d{1,3}[\s/-]?\d{0,5}|\b0\d{2,5})[\s/-]$")
MONTHS = {
    "januar": 1,
    "jänner": 1,
    "februar": 2,
    "märz": 3,
    "april": 4,
    "mai": 5,
    "juni": 6,
    "juli": 7,
    "august": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "dezember": 12,
}
_EFFECTIVE = re.compile(
    r"\b(?:ab|zum|per|mit wirkung (?:zum|vom|ab)|beginnend (?:mit|ab|im)|"
    r"bis(?: zum| einschließlich)?)"
    r"\s+(?:dem\s+|den\s+|kommenden\s+|nächsten\s+)?"
    r"(?P<what>(?:\d{1,2}\.\s*)?(?:" + "|".join(MONTHS) + r")|\d{1,2}\.\d{1,2}\.(?:\d{2,4})?|"
    r"sommer|herbst|winter|frühjahr|frühling|jahresbeginn|jahresanfang|jahreswechsel|"
    r"neujahr|jahresende|(?:nächste[nms]?|kommende[nms]?|übernächste[nms]?) jahr|"
    r"übernächste[nms]? monat|quartal)",
    re.IGNORECASE,
)
VAGUE_DATE = re.compile(r"rückwirkend|übernächst", re.IGNORECASE)
FORM_CONTRACT_KEYS = ("vertragsnummer", "contract_number", "vertrag")
FORM_AMOUNT_KEYS = ("abschlag_neu", "neuer_abschlag", "new_installment", "abschlag")


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
    # Codes of everything that makes the wish unclear (see PROBLEM_TEXTS in checks).
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
    for match in _EFFECTIVE.finditer(sentence):
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
    for match in _CONTRACT.finditer(text):
        before = text[max(0, match.start() - 25) : match.start()]
        if _NOT_CONTRACT_LABEL.search(before) or _PHONE_PREFIX.search(before):
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
