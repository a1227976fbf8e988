"""The case record as a readable PDF: metadata, history and messages."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

_FONT_FILES = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
)
_fonts: tuple[str, str] | None = None


def _register_fonts() -> tuple[str, str]:
    """An embeddable Unicode font (PDF/A needs embedded fonts; names like Yılmaz need glyphs)."""
    global _fonts
    if _fonts is not None:
        return _fonts
    import reportlab

    bundled = Path(reportlab.__file__).parent / "fonts"
    candidates = [*_FONT_FILES, (str(bundled / "Vera.ttf"), str(bundled / "VeraBd.ttf"))]
    for regular, bold in candidates:
        if Path(regular).exists() and Path(bold).exists():
            pdfmetrics.registerFont(TTFont("BtSans", regular))
            pdfmetrics.registerFont(TTFont("BtSans-Bold", bold))
            _fonts = ("BtSans", "BtSans-Bold")
            return _fonts
    _fonts = ("Helvetica", "Helvetica-Bold")
    return _fonts


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def case_record_pdf(
    metadata: dict[str, Any], events: list[dict[str, Any]], messages: list[dict[str, Any]]
) -> bytes:
    regular, bold = _register_fonts()
    styles = getSampleStyleSheet()
    body = ParagraphStyle(
        "bt-body", parent=styles["BodyText"], fontName=regular, fontSize=9, leading=12
    )
    heading = ParagraphStyle("bt-h", parent=styles["Heading2"], fontName=bold, fontSize=12)
    title = ParagraphStyle("bt-t", parent=styles["Title"], fontName=bold, fontSize=15)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Vorgang {metadata['file_number']}",
        author=str(metadata.get("organisation_name", "")),
        subject=str(metadata.get("subject", "")),
        creator="Bürgerticket",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    )
    story: list[Any] = [
        _p(f"Vorgang {metadata['file_number']}", title),
        _p(metadata.get("subject", ""), heading),
    ]
    rows = [
        [_p(label, body), _p(str(metadata.get(key) or "–"), body)]
        for label, key in (
            ("Organisation", "organisation_name"),
            ("Leistung", "service_name"),
            ("Aktenplan", "file_plan"),
            ("Fachbereich", "department"),
            ("Eingang", "created_at"),
            ("Abschluss", "closed_at"),
            ("Status", "status"),
            ("Antragsteller:in", "requester_name"),
            ("Anschrift", "requester_address"),
            ("E-Mail", "requester_email"),
            ("Ort", "location_address"),
        )
    ]
    table = Table(rows, colWidths=[40 * mm, 130 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 4 * mm), _p("Anliegen", heading), _p(metadata.get("text", ""), body)]
    story.append(_p("Nachrichten und Vermerke", heading))
    for message in messages:
        story.append(
            _p(f"{message['created_at']} · {message['kind_label']} · {message['author']}", body)
        )
        story.append(_p(message["body"], body))
        story.append(Spacer(1, 2 * mm))
    story.append(_p("Verlauf", heading))
    history_rows = [[_p(e["at"], body), _p(e["actor"], body), _p(e["text"], body)] for e in events]
    if history_rows:
        history = Table(history_rows, colWidths=[35 * mm, 40 * mm, 95 * mm], repeatRows=0)
        history.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(history)
    document.build(story)
    return buffer.getvalue()
