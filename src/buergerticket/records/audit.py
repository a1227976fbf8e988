"""``audit verify``: every case history and the disposal records, hash by hash.

Case events are hash-chained per case (``cases.history``); disposal records
per organisation. A changed, deleted or reordered row breaks its chain, and
the report names the case (file number) and the event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from buergerticket.cases.history import verify_chain
from buergerticket.cases.models import Case, CaseEvent
from buergerticket.org.models import Organisation
from buergerticket.records.models import DisposalChain, DisposalRecord

BATCH = 500


@dataclass(frozen=True)
class Problem:
    organisation: str
    file_number: str
    message: str

    def __str__(self) -> str:
        return f"{self.organisation} {self.file_number}: {self.message}"


@dataclass
class Report:
    cases: int = 0
    events: int = 0
    disposal_records: int = 0
    problems: list[Problem] | None = None

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(
    organisation: Organisation | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Check every chain (of one organisation or all)."""
    report = Report(problems=[])
    assert report.problems is not None
    organisations = [organisation] if organisation else list(Organisation.objects.order_by("pk"))
    for org in organisations:
        for problem in _verify_cases(org, report, progress):
            report.problems.append(problem)
        for problem in _verify_disposals(org, report):
            report.problems.append(problem)
    return report


def _verify_cases(
    org: Organisation, report: Report, progress: Callable[[int], None] | None
) -> Iterator[Problem]:
    last_pk = 0
    cases = (
        Case.objects.filter(organisation=org)
        .order_by("pk")
        .only("pk", "organisation_id", "file_number", "last_event_seq", "last_event_hash")
    )
    while True:
        batch = list(cases.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            return
        last_pk = batch[-1].pk
        events: dict[int, list[CaseEvent]] = {case.pk: [] for case in batch}
        # Events by their case and seq as stored: a reordering shows up as a
        # broken link, a gap as a missing number.
        for event in CaseEvent.objects.filter(case_id__in=list(events)).order_by(
            "case_id", "seq", "pk"
        ):
            events[event.case_id].append(event)
        for case in batch:
            report.cases += 1
            report.events += len(events[case.pk])
            message = verify_chain(case, events[case.pk])
            if message:
                yield Problem(org.slug, case.file_number, message)
        if progress:
            progress(report.cases)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def disposal_hash(record: DisposalRecord) -> str:
    payload = {
        "organisation": record.organisation_id,
        "seq": record.seq,
        "file_number": record.file_number,
        "file_plan": record.file_plan,
        "service": record.service,
        "opened_at": _utc(record.opened_at),
        "closed_at": _utc(record.closed_at) if record.closed_at else None,
        "disposed_at": _utc(record.disposed_at),
        "action": record.action,
        "reason": record.reason,
        "approved_by": record.approved_by,
        "event_count": record.event_count,
        "last_event_hash": record.last_event_hash,
        "package_sha256": record.package_sha256,
        "prev": record.prev_hash,
    }
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def _verify_disposals(org: Organisation, report: Report) -> Iterator[Problem]:
    expected_prev, expected_seq = "", 1
    for record in DisposalRecord.objects.filter(organisation=org).order_by("seq", "pk"):
        report.disposal_records += 1
        if record.seq != expected_seq:
            yield Problem(
                org.slug,
                record.file_number,
                f"Aussonderungsnachweis {expected_seq} fehlt oder ist verschoben "
                f"(gefunden: {record.seq}).",
            )
        elif record.prev_hash != expected_prev:
            yield Problem(
                org.slug,
                record.file_number,
                f"Aussonderungsnachweis {record.seq}: Verkettung unterbrochen.",
            )
        elif disposal_hash(record) != record.hash:
            yield Problem(
                org.slug,
                record.file_number,
                f"Aussonderungsnachweis {record.seq} wurde nachträglich verändert.",
            )
        expected_prev, expected_seq = record.hash, record.seq + 1
    head = DisposalChain.objects.filter(organisation=org).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        yield Problem(
            org.slug,
            "–",
            f"Aussonderungsnachweis {expected_seq} und folgende fehlen (gelöscht?).",
        )
