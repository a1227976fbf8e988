"""``import-cases``: historical closed cases (JSON lines) become closed cases to learn from.

Each line: ``{"id", "from", "to", "subject", "body", "service"}`` (the format of
anfragen-train.jsonl), optionally ``"received_at"`` (ISO 8601). Cases are opened
and closed through the write path like any other, marked as imported (no
receipt mail goes out). Lines already imported (same ``id``) are skipped, so
running the import twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from buergerticket.automation.models import ImportedCase
from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Channel, Status
from buergerticket.catalog.models import Service
from buergerticket.org.models import Organisation

REQUIRED = ("subject", "body", "service")


class CaseImportError(Exception):
    """The file cannot be read at all; the message is German."""


@dataclass
class CaseImportReport:
    lines: int = 0
    imported: int = 0
    skipped: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "zeilen": self.lines,
            "importiert": self.imported,
            "bereits_vorhanden": self.skipped,
            "abgelehnt": len(self.rejected),
            "abgelehnte_zeilen": self.rejected,
        }


def _parse_line(
    raw: str, services_by_code: dict[str, Service]
) -> tuple[dict[str, Any] | None, list[str]]:
    try:
        row = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, [f"kein gültiges JSON ({exc.msg})"]
    if not isinstance(row, dict):
        return None, ["erwartet ein JSON-Objekt"]
    reasons = [f"„{key}“ fehlt" for key in REQUIRED if not str(row.get(key) or "").strip()]
    code = str(row.get("service") or "")
    if code and code not in services_by_code:
        reasons.append(f"Leistung „{code}“ gibt es nicht")
    if row.get("received_at"):
        try:
            received = dt.datetime.fromisoformat(str(row["received_at"]))
        except ValueError:
            reasons.append("„received_at“ ist kein Zeitpunkt nach ISO 8601")
        else:
            if timezone.is_naive(received):
                received = timezone.make_aware(received)
            row["received_at"] = received
    if len(str(row.get("subject") or "")) > 300:
        reasons.append("Betreff länger als 300 Zeichen")
    return row, reasons


def import_cases(organisation: Organisation, path: str | Path) -> CaseImportReport:
    file = Path(path)
    try:
        data = file.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise CaseImportError(f"Datei „{file}“ nicht lesbar: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise CaseImportError("Die Datei ist nicht UTF-8-kodiert.") from None
    services_by_code = {
        s.code: s
        for s in Service.objects.select_related("department", "owner", "file_plan").filter(
            organisation=organisation, active=True
        )
    }
    report = CaseImportReport()
    actor = Actor.system("Import")
    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        report.lines += 1
        row, reasons = _parse_line(raw, services_by_code)
        source_id = str((row or {}).get("id") or "").strip()[:100]
        if reasons or row is None:
            report.rejected.append({"zeile": number, "id": source_id, "gruende": reasons})
            continue
        source_id = source_id or "sha256:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
        if ImportedCase.objects.filter(organisation=organisation, source_id=source_id).exists():
            report.skipped += 1
            continue
        name, email = parseaddr(str(row.get("from") or ""))
        intake = services.Intake(
            service=services_by_code[row["service"]],
            channel=Channel.EMAIL,
            subject=str(row["subject"]).strip(),
            text=str(row["body"]),
            requester=services.Requester(name=name, email=email),
            received_at=row.get("received_at"),
            imported=True,
        )
        with transaction.atomic():
            case = services.open_case(intake, actor=actor)
            services.set_status(
                case, actor=actor, status=Status.CLOSED, reason="Historischer Vorgang importiert"
            )
            ImportedCase.objects.create(organisation=organisation, source_id=source_id, case=case)
        report.imported += 1
    return report
