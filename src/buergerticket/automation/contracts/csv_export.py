"""The CSV connector: contract data arrives as the nightly export, changes leave as files.

A billing system that exchanges CSV files picks up one file per change from
``CONTRACT_WRITEBACK_DIR/<organisation>/`` (same conventions as the export:
UTF-8, ``;``, decimal comma). File names carry the change id, so delivering a
change twice writes the same file again instead of a second change.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings

from buergerticket.automation.models import ContractChange

from .connector import ConnectorError, ContractConnector, register

HEADER = "vertragsnummer;abschlag_eur;gueltig_ab;aktenzeichen;aenderung\n"


def writeback_dir(organisation_slug: str, options: dict[str, object]) -> Path:
    base = options.get("writeback_dir") or getattr(settings, "CONTRACT_WRITEBACK_DIR", None)
    if not base:
        base = Path(getattr(settings, "HOME", ".")) / "contracts" / "writeback"
    return Path(str(base)) / organisation_slug


class CsvExportConnector(ContractConnector):
    kind = "csv"
    label = "CSV-Export der Abrechnung"

    def deliver_installment_change(self, change: ContractChange) -> str:
        folder = writeback_dir(self.organisation.slug, self.options)
        target = folder / f"abschlag-{change.pk:010d}.csv"
        amount = f"{change.new_installment:.2f}".replace(".", ",")
        file_number = change.case.file_number if change.case_id and change.case else ""
        line = (
            f"{change.contract.number};{amount};{change.effective_from.isoformat()};"
            f"{file_number};{change.pk}\n"
        )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Write, flush, then rename: the billing system never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".abschlag-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(HEADER + line)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            raise ConnectorError(f"Rückmeldedatei {target} nicht schreibbar: {exc}") from exc
        return str(target)


register("csv", CsvExportConnector)
