"""Reading the billing system's nightly CSV export (format: katalog.yaml, docs/automation.md).

UTF-8, ``;`` separated, a header row with these columns (order free, further
columns ignored)::

    vertragsnummer;name;email;strasse;plz;ort;sparte;abschlag_eur;rueckstand_eur;status

Amounts use a decimal comma (``72,50``). Every row is validated completely
before anything is written, so a bad row is rejected as a whole with its
reasons and never half-imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from buergerticket.automation.money import parse_export_amount

from .connector import ContractRecord

COLUMNS = (
    "vertragsnummer",
    "name",
    "email",
    "strasse",
    "plz",
    "ort",
    "sparte",
    "abschlag_eur",
    "rueckstand_eur",
    "status",
)
MAX_INSTALLMENT = 100_000
_NUMBER = re.compile(r"^\d{8}$")
# Deliberately loose: internationalised addresses (müller@…) are valid mail addresses.
_EMAIL = re.compile(r"^[^@\s;,<>]+@[^@\s;,<>]+\.[^@\s;,<>.]+$")


class ExportFileError(Exception):
    """The file as a whole is unusable (encoding, header); nothing is imported."""


@dataclass
class RejectedRow:
    line: int
    number: str
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"zeile": self.line, "vertragsnummer": self.number, "gruende": self.reasons}


@dataclass
class ParsedExport:
    records: dict[str, tuple[int, ContractRecord]]  # number → (line, record)
    rejected: list[RejectedRow]
    rows: int


def _text(row: dict[str, str], column: str) -> str:
    return (row.get(column) or "").strip()


def _check_length(value: str, limit: int, what: str, reasons: list[str]) -> None:
    if len(value) > limit:
        reasons.append(f"{what} ist länger als {limit} Zeichen")


def parse_row(row: dict[str, str], reasons: list[str]) -> ContractRecord | None:
    """Validate one row; appends German reasons and returns None when it is unusable."""
    number = _text(row, "vertragsnummer")
    if not _NUMBER.match(number):
        reasons.append(f"Vertragsnummer „{number}“ hat nicht genau 8 Ziffern")
    name = _text(row, "name")
    if not name:
        reasons.append("Name fehlt")
    _check_length(name, 200, "Name", reasons)
    email = _text(row, "email").lower()
    if email and (not _EMAIL.match(email) or len(email) > 254):
        reasons.append(f"E-Mail-Adresse „{email}“ ist ungültig")
    street, postcode, city = _text(row, "strasse"), _text(row, "plz"), _text(row, "ort")
    _check_length(street, 200, "Straße", reasons)
    _check_length(postcode, 10, "PLZ", reasons)
    _check_length(city, 100, "Ort", reasons)
    division = _text(row, "sparte")
    if not division:
        reasons.append("Sparte fehlt")
    _check_length(division, 40, "Sparte", reasons)
    amounts = {}
    for column, what in (("abschlag_eur", "Abschlag"), ("rueckstand_eur", "Rückstand")):
        try:
            amounts[column] = parse_export_amount(_text(row, column))
        except ValueError as exc:
            reasons.append(f"{what}: {exc}")
    installment = amounts.get("abschlag_eur")
    if installment is not None and not (0 <= installment < MAX_INSTALLMENT):
        reasons.append(f"Abschlag {installment} liegt außerhalb von 0 bis {MAX_INSTALLMENT} EUR")
    status = _text(row, "status").lower()
    if not status:
        reasons.append("Status fehlt")
    _check_length(status, 30, "Status", reasons)
    if reasons:
        return None
    assert installment is not None
    return ContractRecord(
        number=number,
        holder_name=name,
        email=email,
        street=street,
        postcode=postcode,
        city=city,
        division=division,
        installment=installment,
        arrears=amounts["rueckstand_eur"],
        status=status,
    )


def _rows(data: bytes) -> Iterator[tuple[int, dict[str, str] | None, int]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExportFileError(
            f"Die Datei ist nicht UTF-8-kodiert (Byte {exc.start}); bitte als UTF-8 exportieren."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ExportFileError("Die Datei ist leer.") from None
    except csv.Error as exc:
        raise ExportFileError(f"Kopfzeile nicht lesbar: {exc}") from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        hint = " (Trennzeichen muss „;“ sein)" if len(names) == 1 else ""
        raise ExportFileError(f"Spalten fehlen in der Kopfzeile: {', '.join(missing)}{hint}.")
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # A broken quote swallows the rest of the line; report it, keep going.
            yield reader.line_num, None, 0
            del exc
            continue
        if not any(v.strip() for v in values):
            continue
        yield reader.line_num, dict(zip(names, values, strict=False)), len(values) - len(names)


def parse_export(data: bytes) -> ParsedExport:
    """All rows of an export, validated; duplicates of a number reject every copy."""
    records: dict[str, tuple[int, ContractRecord]] = {}
    rejected: list[RejectedRow] = []
    duplicates: dict[str, list[int]] = {}
    rows = 0
    for line, row, extra in _rows(data):
        rows += 1
        if row is None:
            rejected.append(RejectedRow(line, "", ["Zeile nicht lesbar (Anführungszeichen?)"]))
            continue
        reasons: list[str] = []
        if extra:
            found, expected = len(row) + max(extra, 0), len(row) - min(extra, 0)
            what = "zu viele" if extra > 0 else "zu wenige"
            reasons.append(f"{what} Spalten ({found} statt {expected})")
        record = parse_row(row, reasons)
        number = _text(row, "vertragsnummer")
        if record is None or reasons:
            rejected.append(RejectedRow(line, number, reasons))
            continue
        if number in records or number in duplicates:
            duplicates.setdefault(number, [records.pop(number)[0]] if number in records else [])
            duplicates[number].append(line)
            continue
        records[number] = (line, record)
    for number, lines in duplicates.items():
        for line in lines:
            rejected.append(
                RejectedRow(
                    line,
                    number,
                    [f"Vertragsnummer kommt mehrfach vor (Zeilen {', '.join(map(str, lines))})"],
                )
            )
    rejected.sort(key=lambda r: r.line)
    return ParsedExport(records=records, rejected=rejected, rows=rows)
