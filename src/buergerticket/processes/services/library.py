"""Process library exchange: packages of models between municipalities.

A package is a ZIP file::

    prozessbibliothek.json      metadata (format, organisation, models)
    modelle/<key>.bpmn          one file per model, UTF-8, exactly as registered

with, per model, its name, version, IST/SOLL, service mapping, attributes and
the SHA-256 of its file. Importing never publishes anything: every model
arrives as a draft version with a report listing each problem by file,
element id and type. Nothing in a package can crash the import — a broken
archive, a missing file or a wrong checksum is a finding, not an exception.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from buergerticket.catalog.models import Service
from buergerticket.org.models import Organisation, Staff
from buergerticket.processes.bpmn.xmlio import BpmnFileError
from buergerticket.processes.models import ProcessModel, ProcessVersion, VersionKind, VersionStatus
from buergerticket.processes.services.register import RegisterError, import_version, model_key

log = logging.getLogger("buergerticket.processes")

FORMAT = "buergerticket-prozessbibliothek"
FORMAT_VERSION = 1
MANIFEST = "prozessbibliothek.json"
MAX_ENTRIES = 500
MAX_TOTAL = 100 * 1024 * 1024
MAX_FILE = 10 * 1024 * 1024


def _version_to_export(model: ProcessModel) -> ProcessVersion | None:
    versions = model.versions.order_by("-number")
    return versions.filter(status=VersionStatus.PUBLISHED).first() or versions.first()


def export_package(
    organisation: Organisation,
    *,
    service: Service | None = None,
    models: list[ProcessModel] | None = None,
) -> bytes:
    """One file per model (its published version, else its latest)."""
    if models is None:
        query = ProcessModel.objects.filter(organisation=organisation, builtin=False)
        if service is not None:
            query = query.filter(service=service)
        models = list(query.select_related("service", "owner", "owner__user").order_by("key"))
    entries = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for model in models:
            version = _version_to_export(model)
            if version is None:
                continue
            data = version.xml.encode("utf-8")
            path = f"modelle/{model.key}.bpmn"
            archive.writestr(zipfile.ZipInfo(path, date_time=(2000, 1, 1, 0, 0, 0)), data)
            entries.append(
                {
                    "key": model.key,
                    "name": model.name,
                    "description": model.description,
                    "version": version.number,
                    "kind": version.kind,
                    "status": version.status,
                    "four_eyes": version.four_eyes,
                    "service": (
                        {"code": model.service.code, "name": model.service.name}
                        if model.service
                        else None
                    ),
                    "owner": model.owner.name if model.owner else None,
                    "attributes": model.attributes,
                    "process_id": version.process_id,
                    "original_encoding": version.original_encoding,
                    "file": path,
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": timezone.now().isoformat(),
            "organisation": {"slug": organisation.slug, "name": organisation.name},
            "models": entries,
        }
        archive.writestr(
            zipfile.ZipInfo(MANIFEST, date_time=(2000, 1, 1, 0, 0, 0)),
            json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"),
        )
    return buffer.getvalue()


@dataclass
class Report:
    imported: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)

    def problem(
        self,
        file: str,
        message: str,
        *,
        element_id: str = "",
        element_type: str = "",
        severity: str = "error",
    ) -> None:
        self.problems.append(
            {
                "file": file,
                "severity": severity,
                "element_id": element_id,
                "element_type": element_type,
                "message": message,
            }
        )

    @property
    def ok(self) -> bool:
        return bool(self.imported)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "imported": self.imported, "problems": self.problems}


def _record(report: Report, file: str, version: ProcessVersion, unchanged: bool) -> None:
    report.imported.append(
        {
            "file": file,
            "key": version.model.key,
            "model": version.model.name,
            "version": version.number,
            "kind": version.kind,
            "status": version.status,
            "unchanged": unchanged,
            "service": version.model.service.code if version.model.service else None,
            "process_id": version.process_id,
            "findings": version.findings,
        }
    )
    for finding in version.findings:
        report.problem(
            file,
            finding["message"],
            element_id=finding["element_id"],
            element_type=finding["element_type"],
            severity=finding["severity"],
        )


def import_file(
    organisation: Organisation,
    data: bytes,
    *,
    file_name: str,
    actor: Staff | None = None,
    service: Service | None = None,
    kind: str = VersionKind.TO_BE,
    report: Report | None = None,
) -> Report:
    """One ``.bpmn`` file as a draft version (its name is the model's key; a service
    with that code is mapped)."""
    report = report or Report()
    key = model_key(file_name.rsplit("/", 1)[-1])
    if service is None:
        service = Service.objects.filter(organisation=organisation, code=key).first()
    try:
        imported = import_version(
            organisation,
            data,
            file_name=file_name.rsplit("/", 1)[-1],
            key=key,
            service=service,
            kind=kind,
            actor=actor,
            source="Datei-Import",
        )
    except (BpmnFileError, RegisterError) as exc:
        report.problem(file_name, str(exc), element_type="file")
        return report
    except Exception as exc:  # a report, never a crash — and a log entry for us
        log.exception("Import von %s fehlgeschlagen", file_name)
        report.problem(
            file_name,
            f"Die Datei konnte nicht verarbeitet werden ({type(exc).__name__}).",
            element_type="file",
        )
        return report
    _record(report, file_name, imported.version, imported.unchanged)
    return report


def _read_zip(data: bytes, report: Report) -> dict[str, bytes] | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        report.problem(
            "", "Die Datei ist kein ZIP-Archiv (Paket) und keine BPMN-Datei.", element_type="file"
        )
        return None
    members = [i for i in archive.infolist() if not i.is_dir()]
    if len(members) > MAX_ENTRIES:
        report.problem(
            "", f"Das Paket enthält mehr als {MAX_ENTRIES} Dateien.", element_type="file"
        )
        return None
    if sum(i.file_size for i in members) > MAX_TOTAL:
        report.problem("", "Das Paket ist entpackt größer als 100 MB.", element_type="file")
        return None
    files: dict[str, bytes] = {}
    for info in members:
        name = info.filename
        if name.startswith("/") or ".." in name.split("/"):
            report.problem(name, "Unzulässiger Pfad im Paket.", element_type="file")
            continue
        if info.file_size > MAX_FILE:
            report.problem(name, "Die Datei ist größer als 10 MB.", element_type="file")
            continue
        try:
            files[name] = archive.read(info)
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
            report.problem(
                name, f"Die Datei lässt sich nicht entpacken: {exc}", element_type="file"
            )
    return files


def _manifest(files: dict[str, bytes], report: Report) -> dict[str, Any] | None:
    raw = files.get(MANIFEST)
    if raw is None:
        report.problem(
            MANIFEST,
            "Das Paket hat keine Metadaten-Datei; alle BPMN-Dateien werden "
            "ohne Zuordnung importiert.",
            element_type="file",
            severity="warning",
        )
        return None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.problem(
            MANIFEST, f"Die Metadaten sind kein gültiges JSON: {exc}", element_type="file"
        )
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        report.problem(
            MANIFEST, f"Unbekanntes Paketformat (erwartet „{FORMAT}“).", element_type="file"
        )
        return None
    if not isinstance(manifest.get("models"), list):
        report.problem(MANIFEST, "Die Metadaten nennen keine Modelle.", element_type="file")
        return None
    return manifest


def import_package(
    organisation: Organisation,
    data: bytes,
    *,
    actor: Staff | None = None,
    file_name: str = "paket.zip",
) -> Report:
    """Import a package (or a single BPMN file) as drafts; never raises for bad input."""
    report = Report()
    is_zip = data[:4] == b"PK\x03\x04"
    if not is_zip and (file_name.lower().endswith((".bpmn", ".xml")) or data.lstrip()[:1] == b"<"):
        return import_file(organisation, data, file_name=file_name, actor=actor, report=report)
    files = _read_zip(data, report)
    if files is None:
        return report
    manifest = _manifest(files, report)
    if manifest is None:
        bpmn_files = sorted(n for n in files if n.lower().endswith(".bpmn"))
        if not bpmn_files:
            report.problem("", "Das Paket enthält keine BPMN-Dateien.", element_type="file")
        for name in bpmn_files:
            import_file(organisation, files[name], file_name=name, actor=actor, report=report)
        return report
    origin = manifest.get("organisation") or {}
    origin_label = (
        f"Bibliothek {origin.get('name') or origin.get('slug') or 'unbekannt'}"
        if isinstance(origin, dict)
        else "Bibliothek"
    )
    listed = set()
    for entry in manifest["models"]:
        if not isinstance(entry, dict):
            report.problem(MANIFEST, "Ein Modelleintrag ist kein Objekt.", element_type="file")
            continue
        path = str(entry.get("file") or "")
        listed.add(path)
        content = files.get(path)
        if content is None:
            report.problem(
                path or MANIFEST, f"Die Datei „{path}“ fehlt im Paket.", element_type="file"
            )
            continue
        expected = str(entry.get("sha256") or "")
        actual = hashlib.sha256(content).hexdigest()
        if expected != actual:
            report.problem(
                path,
                f"Prüfsumme stimmt nicht (erwartet {expected or '—'}, "
                f"gefunden {actual}); das Modell wurde nicht importiert.",
                element_type="file",
            )
            continue
        service = None
        mapping = entry.get("service")
        code = mapping.get("code") if isinstance(mapping, dict) else None
        if code:
            service = Service.objects.filter(organisation=organisation, code=code).first()
            if service is None:
                report.problem(
                    path,
                    f"Die Leistung „{code}“ gibt es hier nicht; das Modell ist "
                    "keiner Leistung zugeordnet.",
                    element_type="service",
                    severity="warning",
                )
        kind = str(entry.get("kind") or "")
        if kind not in VersionKind.values:
            kind = VersionKind.TO_BE
        attributes = entry.get("attributes") if isinstance(entry.get("attributes"), dict) else {}
        try:
            imported = import_version(
                organisation,
                content,
                file_name=path.rsplit("/", 1)[-1],
                key=str(entry.get("key") or path.rsplit("/", 1)[-1]),
                name=str(entry.get("name") or ""),
                description=str(entry.get("description") or ""),
                service=service,
                kind=kind,
                four_eyes=bool(entry.get("four_eyes")),
                actor=actor,
                source=f"{origin_label}, Version {entry.get('version', '?')}",
            )
        except (BpmnFileError, RegisterError) as exc:
            report.problem(path, str(exc), element_type="file")
            continue
        except Exception as exc:  # a report, never a crash — and a log entry for us
            log.exception("Import von %s fehlgeschlagen", path)
            report.problem(
                path,
                f"Die Datei konnte nicht verarbeitet werden ({type(exc).__name__}).",
                element_type="file",
            )
            continue
        model = imported.version.model
        if imported.created_model and attributes:
            model.attributes = {str(k)[:100]: str(v)[:1000] for k, v in attributes.items()}
            model.save(update_fields=["attributes", "updated_at"])
        _record(report, path, imported.version, imported.unchanged)
    for name in sorted(files):
        if name != MANIFEST and name not in listed:
            report.problem(
                name,
                "Die Datei ist in den Metadaten nicht aufgeführt und wurde nicht importiert.",
                element_type="file",
                severity="warning",
            )
    return report
