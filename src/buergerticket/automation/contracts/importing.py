"""Applying a billing export to the contract mirror: idempotent, all-or-nothing per row."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from buergerticket.automation.models import (
    Contract,
    ContractChange,
    ContractChangeStatus,
    ContractImport,
)
from buergerticket.automation.models.contracts import OPEN_CHANGE_STATUSES
from buergerticket.org.models import Organisation

from .connector import ContractRecord
from .csv_format import ExportFileError, parse_export

# Fields compared between the export and the mirror (record attribute = model field).
FIELDS = (
    "holder_name",
    "email",
    "street",
    "postcode",
    "city",
    "division",
    "installment",
    "arrears",
    "status",
)
BATCH = 500


@dataclass
class ImportReport:
    file_name: str
    full: bool
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    missing: int = 0
    confirmed: int = 0
    superseded: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "datei": self.file_name,
            "vollstaendig": self.full,
            "zeilen": self.rows,
            "neu": self.added,
            "geaendert": self.changed,
            "unveraendert": self.unchanged,
            "abgelehnt": len(self.rejected),
            "nicht_im_export": self.missing,
            "rueckmeldungen_bestaetigt": self.confirmed,
            "rueckmeldungen_ueberschrieben": self.superseded,
            "abgelehnte_zeilen": self.rejected,
        }


def import_contract_file(
    organisation: Organisation, path: str | Path, *, full: bool = True
) -> ImportReport:
    """Import ``path`` (the CSV export); raises ExportFileError when the file is unusable."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ExportFileError(f"Datei „{file}“ nicht lesbar: {exc.strerror}.") from None
    return import_contract_data(organisation, data, file_name=file.name, full=full)


def import_contract_data(
    organisation: Organisation, data: bytes, *, file_name: str, full: bool = True
) -> ImportReport:
    started = timezone.now()
    parsed = parse_export(data)
    if full and not parsed.records:
        raise ExportFileError(
            "Die Datei enthält keine gültige Vertragszeile; ein vollständiger Export ohne "
            "Verträge wird nicht übernommen."
        )
    report = ImportReport(file_name=file_name, full=full, rows=parsed.rows)
    report.rejected = [r.as_dict() for r in parsed.rejected]
    with transaction.atomic():
        _apply(organisation, parsed.records, report, started)
        ContractImport.objects.create(
            organisation=organisation,
            file_name=file_name[:300],
            sha256=hashlib.sha256(data).hexdigest(),
            full=full,
            started_at=started,
            finished_at=timezone.now(),
            rows=report.rows,
            added=report.added,
            changed=report.changed,
            unchanged=report.unchanged,
            rejected=len(report.rejected),
            missing=report.missing,
            rejected_rows=report.rejected[:1000],
        )
    return report


def _apply(
    organisation: Organisation,
    records: dict[str, tuple[int, ContractRecord]],
    report: ImportReport,
    now: Any,
) -> None:
    existing = {
        c.number: c for c in Contract.objects.select_for_update().filter(organisation=organisation)
    }
    open_changes: dict[int, ContractChange] = {}
    for change in ContractChange.objects.filter(
        organisation=organisation, status__in=OPEN_CHANGE_STATUSES
    ).order_by("created_at", "id"):
        open_changes[change.contract_id] = change  # the newest wins
    new: list[Contract] = []
    changed: list[Contract] = []
    settled: list[ContractChange] = []
    for number, (_line, record) in records.items():
        contract = existing.get(number)
        if contract is None:
            new.append(
                Contract(
                    organisation=organisation,
                    number=number,
                    imported_at=now,
                    **{f: getattr(record, f) for f in FIELDS},
                )
            )
            continue
        installment = record.installment
        pending = open_changes.get(contract.pk)
        if pending is not None:
            if installment == pending.new_installment:
                pending.status = ContractChangeStatus.CONFIRMED
                report.confirmed += 1
            elif installment == pending.old_installment:
                # The billing system has not applied our write-back yet: keep ours.
                installment = contract.installment
            else:
                pending.status = ContractChangeStatus.SUPERSEDED
                report.superseded += 1
            if pending.status in (ContractChangeStatus.CONFIRMED, ContractChangeStatus.SUPERSEDED):
                pending.settled_at = now
                settled.append(pending)
        values = {f: getattr(record, f) for f in FIELDS}
        values["installment"] = installment
        diff = [f for f, v in values.items() if getattr(contract, f) != v]
        if diff or not contract.in_export:
            for f in diff:
                setattr(contract, f, values[f])
            contract.in_export = True
            contract.imported_at = contract.updated_at = now
            changed.append(contract)
        else:
            report.unchanged += 1
    Contract.objects.bulk_create(new, batch_size=BATCH)
    Contract.objects.bulk_update(
        changed, [*FIELDS, "in_export", "imported_at", "updated_at"], batch_size=BATCH
    )
    report.added, report.changed = len(new), len(changed)
    if settled:
        ContractChange.objects.bulk_update(settled, ["status", "settled_at"], batch_size=BATCH)
    if report.full:
        gone = [c.pk for n, c in existing.items() if n not in records and c.in_export]
        for start in range(0, len(gone), BATCH):
            Contract.objects.filter(pk__in=gone[start : start + BATCH]).update(
                in_export=False, updated_at=now
            )
        report.missing = sum(1 for n in existing if n not in records)
