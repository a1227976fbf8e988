"""Decision documents (Bescheide) as PDF, from a template and the case's data.

The body comes from a Django text template (``processes/decisions/<name>.txt``:
``## `` starts a heading, blank lines separate paragraphs); letterhead, address
and reference block are laid out here. Output is deterministic (ReportLab's
invariant mode): the same content gives the same bytes, so the document's
hash identifies its content.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from xml.sax.saxutils import escape

import reportlab
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from buergerticket.cases.models import Case
from buergerticket.org.models import Staff

DEFAULT_TEMPLATE = "standard"
_FONTS_DIR = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
FONT, FONT_BOLD = "BtVera", "BtVeraBold"


def _register_fonts() -> None:
    # Bitstream Vera ships with ReportLab and covers German and Turkish letters
    # (ä, ß, ı, ş) that the PDF base fonts cannot show.
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, os.path.join(_FONTS_DIR, "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, os.path.join(_FONTS_DIR, "VeraBd.ttf")))


def template_name(name: str) -> str:
    name = name or DEFAULT_TEMPLATE
    try:
        get_template(f"processes/decisions/{name}.txt")
    except TemplateDoesNotExist:
        return DEFAULT_TEMPLATE
    return name


def render_body(
    case: Case,
    *,
    template: str,
    tenor: str,
    reasoning: str,
    author: Staff,
    number: int,
    today: dt.date,
) -> str:
    return get_template(f"processes/decisions/{template_name(template)}.txt").render(
        {
            "case": case,
            "organisation": case.organisation,
            "service": case.service,
            "tenor": tenor.strip(),
            "reasoning": reasoning.strip(),
            "author": author,
            "number": number,
            "today": today,
        }
    )


def _paragraphs(body: str) -> list[tuple[str, str]]:
    """("h"|"p", text) blocks of the rendered template."""
    blocks: list[tuple[str, str]] = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.rstrip() for line in chunk.strip("\n").split("\n")]
        while lines and lines[0].startswith("## "):
            blocks.append(("h", lines.pop(0)[3:].strip()))
        if any(line.strip() for line in lines):
            blocks.append(("p", "\n".join(lines).strip()))
    return blocks


def render_pdf(
    case: Case,
    *,
    template: str,
    tenor: str,
    reasoning: str,
    author: Staff,
    number: int,
    today: dt.date,
    subject: str,
) -> bytes:
    _register_fonts()
    body = render_body(
        case,
        template=template,
        tenor=tenor,
        reasoning=reasoning,
        author=author,
        number=number,
        today=today,
    )
    normal = ParagraphStyle("bt", fontName=FONT, fontSize=10.5, leading=14.5, spaceAfter=7)
    small = ParagraphStyle("bt-small", parent=normal, fontSize=8.5, leading=11, spaceAfter=0)
    heading = ParagraphStyle(
        "bt-h",
        parent=normal,
        fontName=FONT_BOLD,
        fontSize=12.5,
        leading=16,
        spaceBefore=6,
        spaceAfter=5,
    )
    org = ParagraphStyle("bt-org", parent=normal, fontName=FONT_BOLD, fontSize=14, leading=18)

    def para(text: str, style: ParagraphStyle = normal) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    address = (
        "\n".join(line for line in (case.requester_name, case.requester_address) if line) or "—"
    )
    reference = Table(
        [
            [para("Aktenzeichen", small), para(case.file_number, small)],
            [para("Datum", small), para(today.strftime("%d.%m.%Y"), small)],
            [para("Sachbearbeitung", small), para(author.name, small)],
            [para("Fassung", small), para(str(number), small)],
        ],
        colWidths=[32 * mm, 50 * mm],
        hAlign="LEFT",
        style=TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
        ),
    )
    head = Table(
        [[para(case.department.name, normal), reference]],
        colWidths=[88 * mm, 82 * mm],
        hAlign="LEFT",
        style=TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
        ),
    )
    story = [
        para(case.organisation.name, org),
        Spacer(1, 4 * mm),
        head,
        Spacer(1, 8 * mm),
        para(address),
        Spacer(1, 10 * mm),
    ]
    for kind, text in _paragraphs(body):
        story.append(para(text, heading if kind == "h" else normal))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=subject,
        author=case.organisation.name,
        subject=case.file_number,
        creator="Bürgerticket",
        invariant=1,
        lang="de-DE",
    )
    document.build(story)
    return buffer.getvalue()
