"""Building the archival package (ZIP) of one case.

Layout::

    <process-id>_Aussonderung.Aussonderung.0503.xml   XDOMEA-structured metadata
    vorgang.json        the case's metadata (machine-readable)
    verlauf.json        the full history with each event's hash, and the chain check
    vorgang.pdf         the case record for people (PDF/A-2b when Ghostscript is there)
    nachrichten/        every message and note as UTF-8 text
    dokumente/          the original files, plus PDF/A renditions of PDFs
    manifest-sha256.txt checksums of every other file (``sha256sum -c`` format)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.utils import timezone

from buergerticket.cases.history import verify_chain
from buergerticket.cases.models import Case, CaseEvent, Document, Message, MessageKind
from buergerticket.records.export import pdfa
from buergerticket.records.export.render import case_record_pdf
from buergerticket.records.export.xdomea import PackagedDocument, case_uuid, message_xml

MANIFEST = "manifest-sha256.txt"


@dataclass
class Package:
    name: str
    data: bytes
    sha256: str
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256
    pdfa: bool = False


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _safe(name: str) -> str:
    cleaned = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._")
    return cleaned[:120] or "dokument"


def _product_version() -> str:
    try:
        return version("buergerticket")
    except PackageNotFoundError:
        return "0"


def case_metadata(case: Case) -> dict[str, Any]:
    file_plan = case.service.file_plan
    return {
        "id": case_uuid(case.organisation.slug, case.file_number),
        "file_number": case.file_number,
        "organisation": case.organisation.slug,
        "organisation_name": case.organisation.name,
        "service": case.service.code,
        "service_name": case.service.name,
        "file_plan": file_plan.code,
        "file_plan_title": file_plan.title,
        "retention_years": file_plan.retention_years,
        "disposal": file_plan.disposal,
        "department": f"{case.department.code} – {case.department.name}",
        "owner": case.owner.username,
        "channel": case.channel,
        "status": case.status,
        "subject": case.subject,
        "text": case.text,
        "form_data": case.form_data,
        "tags": case.tags,
        "requester_name": case.requester_name,
        "requester_email": case.requester_email,
        "requester_phone": case.requester_phone,
        "requester_address": case.requester_address,
        "location_address": case.location_address,
        "latitude": str(case.latitude) if case.latitude is not None else None,
        "longitude": str(case.longitude) if case.longitude is not None else None,
        "created_at": _iso(case.created_at),
        "decided_at": _iso(case.decided_at),
        "closed_at": _iso(case.closed_at),
        "deadline": case.deadline.isoformat(),
        "legal_hold": case.legal_hold,
        "anonymised_at": _iso(case.anonymised_at),
    }


def build(case: Case, *, convert: bool = True) -> Package:
    """The complete package of ``case`` as ZIP bytes (read-only: changes nothing)."""
    from buergerticket.workspace import timeline

    case = Case.objects.select_related(
        "organisation", "service", "service__file_plan", "department", "owner"
    ).get(pk=case.pk)
    metadata = case_metadata(case)
    events = list(CaseEvent.objects.filter(case=case).select_related("actor").order_by("seq"))
    chain_problem = verify_chain(case, events)
    history: dict[str, Any] = {
        "file_number": case.file_number,
        "chain_intact": chain_problem is None,
        "chain_problem": chain_problem,
        "events": [
            {
                "seq": e.seq,
                "type": e.type,
                "text": timeline.describe(e),
                "actor_kind": e.actor_kind,
                "actor": e.actor.username if e.actor else None,
                "actor_label": e.actor_label,
                "at": _iso(e.at),
                "details": e.details,
                "reason": e.reason,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in events
        ],
    }
    files: dict[str, bytes] = {}
    labels = {
        MessageKind.INCOMING: "Eingang",
        MessageKind.OUTGOING: "Antwort",
        MessageKind.NOTE: "Vermerk",
    }
    messages = list(Message.objects.filter(case=case).order_by("created_at", "id"))
    message_rows = []
    for index, message in enumerate(messages, start=1):
        kind_label = labels.get(message.kind, message.kind)  # type: ignore[call-overload]
        header = [
            f"Art: {kind_label}",
            f"Kanal: {message.channel}",
            f"Von: {message.author_label}",
            f"Datum: {_iso(message.created_at)}",
        ]
        if message.recipient:
            header.append(f"An: {message.recipient}")
        if message.subject:
            header.append(f"Betreff: {message.subject}")
        files[f"nachrichten/{index:04d}-{message.kind}.txt"] = (
            "\n".join(header) + "\n\n" + message.body + "\n"
        ).encode()
        message_rows.append(
            {
                "created_at": _iso(message.created_at) or "",
                "kind_label": str(kind_label),
                "author": message.author_label,
                "body": message.body,
            }
        )
    packaged: list[PackagedDocument] = []
    any_pdfa = False
    message_kinds = {m.pk: m.kind for m in messages}
    for document in Document.objects.filter(case=case).order_by("created_at", "id"):
        if not document.file:
            continue  # content removed by anonymisation; metadata is in verlauf.json
        with document.file.open("rb") as handle:
            content = handle.read()
        base = f"dokumente/{document.pk}-{_safe(document.name)}"
        files[base] = content
        pdfa_name = None
        if convert and (document.content_type == "application/pdf" or content[:5] == b"%PDF-"):
            converted = pdfa.to_pdfa(content)
            if converted:
                pdfa_name = base.rsplit(".", 1)[0] + ".pdfa.pdf"
                files[pdfa_name] = converted
                any_pdfa = True
        kind = message_kinds.get(document.message_id or 0)
        packaged.append(
            PackagedDocument(
                id=str(
                    uuid.uuid5(
                        uuid.NAMESPACE_URL, f"{metadata['id']}:{document.sha256}:{document.pk}"
                    )
                ),
                subject=document.name,
                filename=base,
                original_name=document.name,
                mime=document.content_type,
                received=_iso(document.created_at) if kind != MessageKind.OUTGOING else None,
                sent=_iso(document.created_at) if kind == MessageKind.OUTGOING else None,
                pdfa_filename=pdfa_name,
            )
        )
    record = case_record_pdf(
        metadata,
        [
            {"at": e["at"][:16].replace("T", " "), "actor": e["actor_label"], "text": e["text"]}
            for e in history["events"]
        ],
        message_rows,
    )
    converted_record = pdfa.to_pdfa(record) if convert else None
    files["vorgang.pdf"] = converted_record or record
    any_pdfa = any_pdfa or converted_record is not None
    files["vorgang.json"] = json.dumps(metadata, ensure_ascii=False, indent=2).encode()
    files["verlauf.json"] = json.dumps(history, ensure_ascii=False, indent=2).encode()
    process_id = str(uuid.uuid4())
    xml_name = f"{process_id}_Aussonderung.Aussonderung.0503.xml"
    files[xml_name] = message_xml(
        process_id=process_id,
        created=timezone.localtime().replace(microsecond=0).isoformat(),
        metadata=metadata,
        documents=packaged,
        product_version=_product_version(),
    )
    checksums = {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}
    manifest = "".join(f"{digest}  {path}\n" for path, digest in checksums.items())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(files.items()):
            archive.writestr(path, data)
        archive.writestr(MANIFEST, manifest)
    data = buffer.getvalue()
    name = f"{_safe(case.organisation.slug)}_{_safe(case.file_number)}.zip"
    return Package(
        name=name,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        files=checksums,
        pdfa=any_pdfa,
    )


def verify_package(data: bytes) -> list[str]:
    """Problems with a package's checksums (empty when every file matches)."""
    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if MANIFEST not in names:
            return [f"{MANIFEST} fehlt"]
        listed = set()
        for line in archive.read(MANIFEST).decode().splitlines():
            digest, _, path = line.partition("  ")
            listed.add(path)
            if path not in names:
                problems.append(f"{path} fehlt")
            elif hashlib.sha256(archive.read(path)).hexdigest() != digest:
                problems.append(f"{path}: Prüfsumme stimmt nicht")
        for extra in sorted(names - listed - {MANIFEST}):
            problems.append(f"{extra} steht nicht im Manifest")
    return problems
