"""The dashboard's tables as CSV (one table per file) and XLSX (one sheet per table).

CSV follows what German spreadsheet programs open without an import dialog:
UTF-8 with byte order mark, semicolon separator, decimal comma. XLSX holds real
numbers, so nothing is lost to formatting.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from buergerticket.workspace.dashboard.selectors import Figures

Table = tuple[str, list[str], list[list[Any]]]


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def departments_table(f: Figures) -> Table:
    return (
        _("Fachbereiche"),
        [_("Kürzel"), _("Fachbereich"), _("offen"), _("überfällig"), _("bald fällig")],
        [[r.code, r.name, r.open, r.overdue, r.due_soon] for r in f.departments],
    )


def intake_table(f: Figures) -> Table:
    labels = dict(f.intake.channels)
    codes = [code for code, _label in f.intake.channels]
    header = [_("Woche ab"), *[labels[c] for c in codes], _("gesamt")]
    rows = [
        [week, *[f.intake.counts[c][i] for c in codes], f.intake.totals[i]]
        for i, week in enumerate(f.intake.weeks)
    ]
    return _("Eingang je Woche"), header, rows


def services_table(f: Figures) -> Table:
    return (
        _("Erledigungsdauer"),
        [
            _("Leistung"),
            _("abgeschlossen"),
            _("Median (Tage)"),
            _("90. Perzentil (Tage)"),
            _("automatisch erledigt"),
            _("Anteil automatisch (%)"),
        ],
        [
            [
                r.name,
                r.closed,
                _round(r.median_days),
                _round(r.p90_days),
                r.closed_automatically,
                _round(r.automatic_share * 100 if r.automatic_share is not None else None, 1),
            ]
            for r in f.services
        ],
    )


def clerks_table(f: Figures) -> Table:
    return (
        _("Vorgänge je Person"),
        [
            _("Person"),
            _("Fachbereich"),
            _("offen"),
            _("davon überfällig"),
            _("im Zeitraum abgeschlossen"),
        ],
        [[r.name, r.department, r.open, r.overdue, r.closed] for r in f.clerks],
    )


TABLES: dict[str, Callable[[Figures], Table]] = {
    "fachbereiche": departments_table,
    "eingang": intake_table,
    "erledigung": services_table,
    "personen": clerks_table,
}


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value}".replace(".", ",")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    # A name starting with a formula character would run as a formula in Excel.
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def _filename(f: Figures, name: str, ext: str) -> str:
    return f"steuerung-{f.scope.organisation.slug}-{name}-{f.period.start}-{f.period.end}.{ext}"


def csv_response(f: Figures, table: str) -> HttpResponse:
    _title, header, rows = TABLES[table](f)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    response = HttpResponse(buffer.getvalue().encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(f, table, "csv")}"'
    return response


def xlsx_response(f: Figures) -> HttpResponse:
    book = Workbook()
    book.remove(book.active)
    for builder in TABLES.values():
        name, header, rows = builder(f)
        sheet = book.create_sheet(name[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column) + 2
            sheet.column_dimensions[column[0].column_letter].width = min(width, 50)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(f, "alle", "xlsx")}"'
    return response
