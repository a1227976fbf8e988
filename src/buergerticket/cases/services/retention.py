"""Legal holds and the disposal (Aussonderung) of cases after their retention period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import ProtectedError

from buergerticket.cases.history import Actor, History, verify_chain
from buergerticket.cases.models import Case, CaseEvent, Document, Status
from buergerticket.org.models import Role

from ._common import CaseError, lock_case, save_change
from .erasure import _delete_files, check_records_officer


def set_legal_hold(case: Case | int, *, actor: Actor, hold: bool, reason: str) -> Case:
    """Aufbewahrungssperre: while set, the case is neither disposed of nor anonymised."""
    if not reason.strip():
        raise CaseError("Bitte begründen Sie die Änderung der Aufbewahrungssperre.")
    with transaction.atomic():
        case = lock_case(case)
        check_records_officer(actor, case, (Role.ADMIN, Role.DATA_PROTECTION, Role.LEAD))
        if case.legal_hold == hold:
            return case
        history = History(case)
        case.legal_hold = hold
        history.record("legal_hold_set" if hold else "legal_hold_released", actor, {}, reason[:500])
        save_change(case, history, ["legal_hold"])
    return case


@dataclass(frozen=True)
class DisposedCase:
    """What the caller keeps of a disposed case (a minimal disposal record)."""

    organisation_id: int
    file_number: str
    service: str
    file_plan: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    event_count: int
    last_event_hash: str


def dispose_case(case: Case | int, *, actor: Actor) -> DisposedCase:
    """Delete a closed case with its history, messages and documents.

    The caller (the records app's disposal run or erasure) must be inside a
    transaction and store the returned summary as the disposal record in it;
    document files are removed from storage only after that commits. A case
    whose history does not verify is not disposed of: the break must be
    examined while the evidence exists.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dispose_case must run inside the caller's transaction.")
    case = lock_case(case)
    check_records_officer(actor, case, (Role.ADMIN, Role.DATA_PROTECTION))
    if case.status != Status.CLOSED:
        raise CaseError(
            f"{case.file_number}: nur abgeschlossene Vorgänge können ausgesondert werden."
        )
    if case.legal_hold:
        raise CaseError(f"{case.file_number}: für den Vorgang besteht eine Aufbewahrungssperre.")
    problem = verify_chain(case, CaseEvent.objects.filter(case=case).order_by("seq"))
    if problem:
        raise CaseError(f"{case.file_number}: Historie nicht intakt – {problem}")
    summary = DisposedCase(
        organisation_id=case.organisation_id,
        file_number=case.file_number,
        service=case.service.code,
        file_plan=case.service.file_plan.code,
        opened_at=case.created_at,
        closed_at=case.closed_at,
        event_count=case.last_event_seq,
        last_event_hash=case.last_event_hash,
    )
    files = list(Document.objects.filter(case=case).exclude(file="").values_list("file", flat=True))
    try:
        with transaction.atomic():
            Case.objects.filter(pk=case.pk).delete()
    except ProtectedError as exc:
        kinds = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
        raise CaseError(
            f"{case.file_number}: wird noch verwendet ({', '.join(str(k) for k in kinds)})."
        ) from None
    transaction.on_commit(lambda: _delete_files(files))
    return summary


__all__ = ["DisposedCase", "dispose_case", "set_legal_hold"]
