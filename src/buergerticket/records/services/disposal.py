"""Aussonderung: list cases whose retention has expired, let an administrator
approve, then delete them or hand them to the archive, leaving a disposal record.

Retention runs from the end of the year in which a case was closed (as usual
for records: "Ablauf des Kalenderjahres"), for the years its file plan entry
says. Cases under a legal hold are never listed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from buergerticket.cases import services as case_services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Status
from buergerticket.catalog.models import DisposalAction, FilePlanEntry
from buergerticket.org.models import Organisation, Role, Staff
from buergerticket.records.audit import disposal_hash
from buergerticket.records.models import (
    DisposalChain,
    DisposalItem,
    DisposalItemStatus,
    DisposalRecord,
    DisposalRun,
    DisposalRunStatus,
)

log = logging.getLogger("buergerticket.records")
MAX_ITEMS_PER_RUN = 2000


class DisposalError(Exception):
    """German, user-facing."""


def retention_until(closed_at: dt.datetime, years: int) -> dt.date:
    return dt.date(timezone.localtime(closed_at).year + years, 12, 31)


def due_cases(organisation: Organisation, as_of: dt.date) -> QuerySet[Case]:
    """Closed cases of the organisation whose retention ended before ``as_of``."""
    cases = Case.objects.none()
    for entry in FilePlanEntry.objects.filter(organisation=organisation):
        first_kept_year = as_of.year - entry.retention_years
        boundary = timezone.make_aware(dt.datetime(first_kept_year, 1, 1))
        cases = cases | Case.objects.filter(
            organisation=organisation,
            service__file_plan=entry,
            status=Status.CLOSED,
            legal_hold=False,
            closed_at__lt=boundary,
        )
    return cases


def open_run(organisation: Organisation) -> DisposalRun | None:
    return (
        DisposalRun.objects.filter(
            organisation=organisation,
            status__in=[DisposalRunStatus.PROPOSED, DisposalRunStatus.APPROVED],
        )
        .order_by("-created_at")
        .first()
    )


def plan(organisation: Organisation, *, as_of: dt.date | None = None) -> DisposalRun | None:
    """Propose a run with every due case (None when nothing is due).

    One open run per organisation at a time: a second plan while one awaits
    approval would list the same cases twice.
    """
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        if (existing := open_run(organisation)) is not None:
            raise DisposalError(f"Die Aussonderung Nr. {existing.pk} ist noch nicht abgeschlossen.")
        due = list(
            due_cases(organisation, as_of)
            .select_related("service__file_plan")
            .order_by("closed_at", "pk")[:MAX_ITEMS_PER_RUN]
        )
        if not due:
            return None
        run = DisposalRun.objects.create(
            organisation=organisation, created_at=timezone.now(), as_of=as_of
        )
        DisposalItem.objects.bulk_create(
            DisposalItem(
                run=run,
                case=case,
                file_number=case.file_number,
                subject=case.subject[:300],
                closed_at=case.closed_at,  # type: ignore[misc]  # closed cases have one
                retention_until=retention_until(
                    case.closed_at,  # type: ignore[arg-type]
                    case.service.file_plan.retention_years,
                ),
                action=case.service.file_plan.disposal,
            )
            for case in due
        )
    return run


def _check_admin(staff: Staff, run: DisposalRun) -> None:
    if staff.organisation_id != run.organisation_id or Role.ADMIN not in staff.roles:
        raise DisposalError("Nur die Administration kann Aussonderungen freigeben.")


def set_excluded(
    item: DisposalItem, *, staff: Staff, excluded: bool, note: str = ""
) -> DisposalItem:
    """Take a case out of (or back into) a run that is not yet approved."""
    _check_admin(staff, item.run)
    if item.run.status != DisposalRunStatus.PROPOSED:
        raise DisposalError(
            "Die Liste ist bereits freigegeben und kann nicht mehr geändert werden."
        )
    if excluded and not note.strip():
        raise DisposalError("Bitte begründen Sie, warum der Vorgang ausgenommen wird.")
    item.status = DisposalItemStatus.EXCLUDED if excluded else DisposalItemStatus.PENDING
    item.note = note.strip()[:500] if excluded else ""
    item.save(update_fields=["status", "note"])
    return item


def approve(run: DisposalRun, *, staff: Staff) -> DisposalRun:
    _check_admin(staff, run)
    with transaction.atomic():
        run = DisposalRun.objects.select_for_update().get(pk=run.pk)
        if run.status != DisposalRunStatus.PROPOSED:
            raise DisposalError("Diese Aussonderung wartet nicht auf Freigabe.")
        run.status = DisposalRunStatus.APPROVED
        run.approved_by = staff
        run.approved_by_label = f"{staff.username} – {staff.name}"
        run.approved_at = timezone.now()
        run.save(update_fields=["status", "approved_by", "approved_by_label", "approved_at"])
    return run


def cancel(run: DisposalRun, *, staff: Staff) -> DisposalRun:
    _check_admin(staff, run)
    if run.status not in (DisposalRunStatus.PROPOSED, DisposalRunStatus.APPROVED):
        raise DisposalError("Diese Aussonderung ist bereits abgeschlossen.")
    run.status = DisposalRunStatus.CANCELLED
    run.save(update_fields=["status"])
    return run


def archive_dir() -> Path:
    return Path(getattr(settings, "RECORDS_ARCHIVE_DIR", settings.HOME / "archiv-abgabe"))


@dataclass
class ExecutionReport:
    done: int = 0
    failed: int = 0
    skipped: int = 0


def execute(run: DisposalRun, *, convert: bool = True) -> ExecutionReport:
    """Carry out an approved run. Each case is its own transaction, so a failure
    (a case reopened meanwhile, a broken history) stops only that case."""
    from buergerticket.records.export.package import build

    run = DisposalRun.objects.select_related("approved_by__user", "organisation").get(pk=run.pk)
    if run.status != DisposalRunStatus.APPROVED:
        raise DisposalError("Nur freigegebene Aussonderungen können durchgeführt werden.")
    report = ExecutionReport()
    actor = (
        Actor.for_staff(run.approved_by)
        if run.approved_by is not None
        else Actor.system(f"Aussonderung Nr. {run.pk}")
    )
    today = timezone.localdate()
    for item in run.items.filter(status=DisposalItemStatus.PENDING).select_related("case"):
        case = item.case
        if case is None or case.status != Status.CLOSED or case.legal_hold:
            item.status = DisposalItemStatus.EXCLUDED
            item.note = "Vorgang inzwischen geändert, wieder geöffnet, gesperrt oder gelöscht."
            item.save(update_fields=["status", "note"])
            report.skipped += 1
            continue
        if item.retention_until >= today:
            item.status = DisposalItemStatus.EXCLUDED
            item.note = "Aufbewahrungsfrist noch nicht abgelaufen."
            item.save(update_fields=["status", "note"])
            report.skipped += 1
            continue
        package_name, package_sha = "", ""
        try:
            if item.action == DisposalAction.ARCHIVE:
                package = build(case, convert=convert)
                target = archive_dir() / f"aussonderung-{run.pk}"
                target.mkdir(parents=True, exist_ok=True)
                (target / package.name).write_bytes(package.data)
                package_name, package_sha = f"aussonderung-{run.pk}/{package.name}", package.sha256
            with transaction.atomic():
                summary = case_services.dispose_case(case, actor=actor)
                append_record(
                    summary,
                    action=item.action,
                    reason=f"Aussonderung Nr. {run.pk}",
                    approved_by=run.approved_by_label,
                    package_name=package_name,
                    package_sha256=package_sha,
                )
                item.status = DisposalItemStatus.DONE
                item.note = package_name
                item.save(update_fields=["status", "note"])
            report.done += 1
        except (case_services.CaseError, case_services.CasePermissionDenied, OSError) as exc:
            log.warning("Aussonderung %s: %s nicht ausgesondert: %s", run.pk, item.file_number, exc)
            item.status = DisposalItemStatus.FAILED
            item.note = str(exc)[:500]
            item.save(update_fields=["status", "note"])
            report.failed += 1
    run.status = DisposalRunStatus.EXECUTED
    run.executed_at = timezone.now()
    run.save(update_fields=["status", "executed_at"])
    return report


def append_record(
    summary: case_services.DisposedCase,
    *,
    action: str,
    reason: str,
    approved_by: str,
    package_name: str = "",
    package_sha256: str = "",
) -> DisposalRecord:
    """Add the minimal record of a disposed case to its organisation's chain
    (inside the transaction that disposed of it)."""
    head, _created = DisposalChain.objects.get_or_create(organisation_id=summary.organisation_id)
    head = DisposalChain.objects.select_for_update().get(pk=head.pk)
    record = DisposalRecord(
        organisation_id=summary.organisation_id,
        seq=head.last_seq + 1,
        file_number=summary.file_number,
        file_plan=summary.file_plan,
        service=summary.service,
        opened_at=summary.opened_at,
        closed_at=summary.closed_at,
        disposed_at=timezone.now(),
        action=action,
        reason=reason[:300],
        approved_by=approved_by[:200],
        event_count=summary.event_count,
        last_event_hash=summary.last_event_hash,
        package_name=package_name,
        package_sha256=package_sha256,
        prev_hash=head.last_hash,
    )
    record.hash = disposal_hash(record)
    record.save()
    head.last_seq, head.last_hash = record.seq, record.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return record


def plan_all(as_of: dt.date | None = None) -> int:
    """Worker job: propose a run for every organisation with due cases and no open run."""
    created = 0
    for organisation in Organisation.objects.all():
        if open_run(organisation) is None:
            try:
                if plan(organisation, as_of=as_of) is not None:
                    created += 1
            except DisposalError:
                continue
    return created


def execute_approved() -> int:
    """Worker job: carry out runs an administrator approved."""
    count = 0
    for run in DisposalRun.objects.filter(status=DisposalRunStatus.APPROVED):
        execute(run)
        count += 1
    return count
