"""Text of attachments for the search index: PDF (pypdf), Word (python-docx),
Excel (openpyxl), plain text.

Runs as a worker job after the case is committed, with limits on size, pages
and characters, so an odd or hostile file cannot slow intake or exhaust memory.
"""

from __future__ import annotations

import io
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from buergerticket.cases.models import Case, Document
from buergerticket.records.models import DocumentText, TextStatus
from buergerticket.records.search.indexer import index_case

log = logging.getLogger("buergerticket.records")

MAX_BYTES = 25 * 1024 * 1024
MAX_PAGES = 300
MAX_CHARS = 500_000

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_TYPES = ("text/plain", "text/csv")


class Unsupported(Exception):
    pass


def kind_of(content: bytes, content_type: str, name: str) -> str:
    lower = name.lower()
    if content.startswith(b"%PDF-") or content_type == PDF:
        return "pdf"
    if content.startswith(b"PK") and (content_type == DOCX or lower.endswith(".docx")):
        return "docx"
    if content.startswith(b"PK") and (content_type == XLSX or lower.endswith(".xlsx")):
        return "xlsx"
    if content_type in TEXT_TYPES or lower.endswith((".txt", ".csv")):
        return "text"
    raise Unsupported(content_type or name)


def _pdf(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception as exc:
            raise ValueError("verschlüsselt") from exc
    parts: list[str] = []
    size = 0
    for page in reader.pages[:MAX_PAGES]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > MAX_CHARS:
            break
    return "\n".join(parts)


def _docx(content: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _xlsx(content: bytes) -> str:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    parts: list[str] = []
    size = 0
    try:
        for sheet in workbook.worksheets:
            parts.append(str(sheet.title))
            for row in sheet.iter_rows(values_only=True):
                line = " ".join(str(v) for v in row if v not in (None, ""))
                if line:
                    parts.append(line)
                    size += len(line)
                if size > MAX_CHARS:
                    return "\n".join(parts)
    finally:
        workbook.close()
    return "\n".join(parts)


def _text(content: bytes) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


EXTRACTORS = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "text": _text}


def extract(content: bytes, content_type: str, name: str) -> tuple[str, str, str]:
    """``(status, text, error)`` for one file; never raises."""
    if len(content) > MAX_BYTES:
        return TextStatus.FAILED, "", "Datei zu groß für die Texterkennung"
    try:
        kind = kind_of(content, content_type, name)
        text = EXTRACTORS[kind](content)
    except Unsupported:
        return TextStatus.UNSUPPORTED, "", ""
    except Exception as exc:
        # Third-party parsers raise many kinds of errors on broken files.
        return TextStatus.FAILED, "", f"{type(exc).__name__}: {exc}"[:500]
    text = " ".join(text.split("\x00"))[:MAX_CHARS].strip()
    return (TextStatus.OK if text else TextStatus.EMPTY), text, ""


def pending_documents(limit: int) -> list[Document]:
    return list(
        Document.objects.filter(text="")
        .exclude(file="")
        .filter(~Q(pk__in=DocumentText.objects.values("document_id")))
        .order_by("pk")[:limit]
    )


def extract_pending(limit: int = 200) -> int:
    """Worker job: extract the text of new attachments and re-index their cases."""
    done = 0
    for document in pending_documents(limit):
        try:
            with document.file.open("rb") as handle:
                content = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            status, text, error = str(TextStatus.FAILED), "", f"Datei nicht lesbar: {exc}"[:500]
        else:
            status, text, error = extract(content, document.content_type, document.name)
        with transaction.atomic():
            # Lock the case so the index row is written in step with its writers.
            case = (
                Case.objects.select_for_update(of=("self",))
                .select_related("service")
                .filter(pk=document.case_id)
                .first()
            )
            if case is None:
                continue
            DocumentText.objects.update_or_create(
                document=document,
                defaults={
                    "status": status,
                    "text": text,
                    "error": error,
                    "extracted_at": timezone.now(),
                },
            )
            if status == TextStatus.OK:
                index_case(case)
        if status == TextStatus.FAILED:
            log.info("Texterkennung für Dokument %s fehlgeschlagen: %s", document.pk, error)
        done += 1
    return done
