"""The process register (Prozessregister): storing, checking and publishing models.

Every valid BPMN 2.0 file is accepted as documentation (*dokumentiert*); it
becomes *ausführbar* only when :func:`buergerticket.processes.bpmn.checks.inspect`
finds nothing that keeps it from running here (expressions, roles and
departments, registered handlers, supported elements). Publishing an
executable version makes it the one new cases of its service start with;
running cases keep the version they started with.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from lxml import etree

from buergerticket.catalog.models import Service
from buergerticket.core.memo import Memo
from buergerticket.org.models import Organisation, Staff
from buergerticket.processes import handlers
from buergerticket.processes.bpmn import checks, xmlio
from buergerticket.processes.directory import Directory
from buergerticket.processes.models import (
    ProcessModel,
    ProcessVersion,
    VersionKind,
    VersionStatus,
)

LIBRARY = Path(__file__).resolve().parent.parent / "library"
DEFAULT_KEY = "standard"
DEFAULT_LEGAL_ACT_KEY = "standard-verwaltungsakt"
SHIPPED = "mitgeliefert (Bürgerticket)"


class RegisterError(Exception):
    """A register action is not possible; German, user-facing."""


def sha256_text(xml: str) -> str:
    return hashlib.sha256(xml.encode("utf-8")).hexdigest()


def model_key(text: str) -> str:
    stem = re.sub(r"\.(bpmn|xml)$", "", text, flags=re.IGNORECASE)
    key = slugify(re.sub(r"[.\s]+", "-", stem)).strip("-")[:100]
    return key or "modell"


def _model_name(root: etree._Element) -> str:
    """The model's own name: the document's, else its (executable) process's."""
    if root.get("name", "").strip():
        return " ".join(root.get("name", "").split())
    processes = list(root.iter(f"{{{xmlio.BPMN_NS}}}process"))
    runnable = [p for p in processes if p.get("isExecutable", "true") != "false"]
    for process in (*runnable, *processes):
        if process.get("name", "").strip():
            return " ".join(process.get("name", "").split())
    return ""


@dataclass(frozen=True)
class Imported:
    version: ProcessVersion
    created_model: bool
    unchanged: bool  # the same XML was already the model's latest version


def run_check(version: ProcessVersion, root: etree._Element | None = None) -> checks.Inspection:
    """(Re)check a version against this organisation and the registered handlers."""
    tree = root if root is not None else xmlio.parse(version.xml)
    inspection = checks.inspect(
        tree,
        Directory(version.model.organisation),
        handlers.names(),
    )
    version.process_id = inspection.process_id
    version.analysis = inspection.analysis
    version.findings = [f.as_dict() for f in inspection.findings]
    version.checked_at = timezone.now()
    if version.status in (VersionStatus.DOCUMENTED, VersionStatus.EXECUTABLE):
        version.status = (
            VersionStatus.EXECUTABLE if inspection.executable else VersionStatus.DOCUMENTED
        )
    return inspection


def import_version(
    organisation: Organisation,
    data: bytes,
    *,
    file_name: str,
    key: str = "",
    name: str = "",
    description: str = "",
    service: Service | None = None,
    kind: str = VersionKind.TO_BE,
    source: str = "",
    note: str = "",
    four_eyes: bool = False,
    actor: Staff | None = None,
    builtin: bool = False,
) -> Imported:
    """Store ``data`` as a new version of the model ``key`` (created if missing).

    Raises :class:`xmlio.BpmnFileError` for files that are not valid BPMN 2.0.
    The new version is never published here: imports are drafts.
    """
    decoded = xmlio.decode(data, file_name)
    if service is not None and service.organisation_id != organisation.pk:
        raise RegisterError("Die Leistung gehört zu einer anderen Organisation.")
    if kind not in VersionKind.values:
        raise RegisterError(f"Unbekannte Versionsart „{kind}“ (IST oder SOLL).")
    root = decoded.root
    key = model_key(key or file_name)
    digest = sha256_text(decoded.text)
    with transaction.atomic():
        model = ProcessModel.objects.filter(organisation=organisation, key=key).first()
        created = model is None
        if model is None:
            try:
                with transaction.atomic():
                    model = ProcessModel.objects.create(
                        organisation=organisation,
                        key=key,
                        name=(name or _model_name(root) or key)[:200],
                        description=description,
                        service=service,
                        builtin=builtin,
                    )
            except IntegrityError:
                # Someone registered the same key a moment ago: add to theirs.
                model = ProcessModel.objects.get(organisation=organisation, key=key)
                created = False
        else:
            ProcessModel.objects.select_for_update(of=("self",)).filter(pk=model.pk).first()
            changed = []
            if service is not None and model.service_id is None:
                model.service = service
                changed.append("service")
            if description and not model.description:
                model.description = description
                changed.append("description")
            if changed:
                model.save(update_fields=[*changed, "updated_at"])
        latest = model.versions.order_by("-number").first()
        if latest is not None and latest.sha256 == digest:
            return Imported(latest, created, True)
        number = (model.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ProcessVersion(
            model=model,
            number=number,
            kind=kind,
            xml=decoded.text,
            original=data,
            original_encoding=decoded.encoding,
            sha256=digest,
            file_name=file_name[:255],
            four_eyes=four_eyes,
            source=source[:300],
            note=note,
            created_by=actor,
        )
        run_check(version, root)
        version.save()
    return Imported(version, created, False)


def recheck(version: ProcessVersion) -> ProcessVersion:
    """Check again, e.g. after a handler, role or department was added."""
    with transaction.atomic():
        run_check(version)
        version.save(update_fields=["process_id", "analysis", "findings", "checked_at", "status"])
    return version


def publish(version: ProcessVersion, *, actor: Staff | None) -> ProcessVersion:
    """Make ``version`` the one new cases of its service start with.

    The previously published version (of this or another model of the same
    service) becomes *abgelöst*; cases running on it keep it.
    """
    with transaction.atomic():
        version = (
            ProcessVersion.objects.select_for_update(of=("self",))
            .select_related("model", "model__service")
            .get(pk=version.pk)
        )
        model = version.model
        if version.status == VersionStatus.PUBLISHED:
            return version
        if version.status != VersionStatus.EXECUTABLE:
            raise RegisterError(
                f"Version {version.number} ist nicht ausführbar und kann nicht veröffentlicht "
                "werden; die Prüfung nennt, was fehlt."
            )
        if model.service_id is None and not model.builtin:
            raise RegisterError(
                "Das Modell ist keiner Leistung zugeordnet; ordnen Sie es zuerst einer Leistung zu."
            )
        if model.service_id is not None:
            # Serialise publications per service (also across models of the service).
            Service.objects.select_for_update(of=("self",)).filter(pk=model.service_id).first()
            others = ProcessVersion.objects.filter(
                model__service_id=model.service_id, status=VersionStatus.PUBLISHED
            )
        else:
            others = ProcessVersion.objects.filter(model=model, status=VersionStatus.PUBLISHED)
        others.exclude(pk=version.pk).update(status=VersionStatus.SUPERSEDED)
        version.status = VersionStatus.PUBLISHED
        version.published_at = timezone.now()
        version.published_by = actor
        version.save(update_fields=["status", "published_at", "published_by"])
    return version


def withdraw(version: ProcessVersion) -> ProcessVersion:
    """Stop using a published version for new cases (they fall back to the default)."""
    with transaction.atomic():
        version = ProcessVersion.objects.select_for_update(of=("self",)).get(pk=version.pk)
        if version.status != VersionStatus.PUBLISHED:
            raise RegisterError("Nur veröffentlichte Versionen können zurückgezogen werden.")
        version.status = VersionStatus.EXECUTABLE
        version.save(update_fields=["status"])
    return version


def update_model(
    model: ProcessModel,
    *,
    name: str,
    description: str,
    service: Service | None,
    owner: Staff | None,
    attributes: dict[str, str],
) -> ProcessModel:
    if service is not None and service.organisation_id != model.organisation_id:
        raise RegisterError("Die Leistung gehört zu einer anderen Organisation.")
    if owner is not None and owner.organisation_id != model.organisation_id:
        raise RegisterError("Die verantwortliche Person gehört zu einer anderen Organisation.")
    if not name.strip():
        raise RegisterError("Ein Name ist erforderlich.")
    with transaction.atomic():
        model = ProcessModel.objects.select_for_update(of=("self",)).get(pk=model.pk)
        if (
            model.service_id != (service.pk if service else None)
            and model.versions.filter(status=VersionStatus.PUBLISHED).exists()
        ):
            raise RegisterError(
                "Die Leistung eines veröffentlichten Modells kann nicht geändert werden; "
                "ziehen Sie die Veröffentlichung zuerst zurück."
            )
        model.name = name.strip()[:200]
        model.description = description
        model.service = service
        model.owner = owner
        model.attributes = attributes
        model.save()
    return model


def set_version_kind(version: ProcessVersion, kind: str, four_eyes: bool) -> ProcessVersion:
    if kind not in VersionKind.values:
        raise RegisterError(f"Unbekannte Versionsart „{kind}“ (IST oder SOLL).")
    version.kind = kind
    version.four_eyes = four_eyes
    version.save(update_fields=["kind", "four_eyes"])
    return version


# --- built-in and shipped models ----------------------------------------------


def builtin_version(organisation: Organisation, legal_act: bool) -> ProcessVersion:
    """The published built-in default flow, registered on first use."""
    key = DEFAULT_LEGAL_ACT_KEY if legal_act else DEFAULT_KEY
    version = (
        ProcessVersion.objects.select_related("model")
        .defer("xml", "original", "analysis", "findings")
        .filter(
            model__organisation=organisation,
            model__key=key,
            model__builtin=True,
            status=VersionStatus.PUBLISHED,
        )
        .first()
    )
    if version is not None:
        return version
    return install_builtin(organisation, key)


def install_builtin(organisation: Organisation, key: str) -> ProcessVersion:
    path = LIBRARY / f"{key}.bpmn"
    imported = import_version(
        organisation,
        path.read_bytes(),
        file_name=path.name,
        key=key,
        source=SHIPPED,
        builtin=True,
        four_eyes=key == DEFAULT_LEGAL_ACT_KEY,
    )
    version = imported.version
    if version.status == VersionStatus.PUBLISHED:
        return version
    return publish(version, actor=None)


def published_version(service: Service) -> ProcessVersion | None:
    return (
        ProcessVersion.objects.select_related("model")
        .defer("xml", "original", "analysis", "findings")
        .filter(model__service=service, status=VersionStatus.PUBLISHED)
        .first()
    )


_for_new_cases: Memo[ProcessVersion] = Memo("processes.version_for_new_case")


def version_for_new_case(service: Service) -> ProcessVersion:
    """The version a case of ``service`` starts now (remembered briefly, see core.memo)."""
    return _for_new_cases.get(
        service.pk,
        lambda: (
            published_version(service) or builtin_version(service.organisation, service.legal_act)
        ),
    )


def install_bundled_models(organisation: Organisation | None = None) -> list[ProcessVersion]:
    """Register and publish the shipped model of every service that has one.

    Idempotent: an unchanged file adds nothing; a changed file becomes a new
    published version (running cases keep theirs).
    """
    organisations = [organisation] if organisation else list(Organisation.objects.all())
    installed = []
    for org in organisations:
        for service in Service.objects.filter(organisation=org).select_related("organisation"):
            path = LIBRARY / f"{service.code}.bpmn"
            if not path.exists():
                continue
            data = path.read_bytes()
            digest = sha256_text(xmlio.decode(data, path.name).text)
            existing = ProcessVersion.objects.filter(
                model__organisation=org, model__key=service.code, sha256=digest
            ).first()
            if existing is not None:
                installed.append(existing)
                continue
            version = import_version(
                org,
                data,
                file_name=path.name,
                key=service.code,
                service=service,
                source=SHIPPED,
                four_eyes=service.legal_act,
            ).version
            current = published_version(service)
            # Never override a version the organisation published itself.
            if version.status == VersionStatus.EXECUTABLE and (
                current is None or current.source == SHIPPED
            ):
                version = publish(version, actor=None)
            installed.append(version)
    return installed
