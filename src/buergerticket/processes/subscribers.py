"""How the processes app follows its cases: the event subscriber and the status guard.

The subscriber runs inside every case write (``cases.history.subscribe``) and
only ever writes our own tables. Events our own process runs cause are ignored
(:func:`runtime.is_driving`): the process already knows what it did.
"""

from __future__ import annotations

import logging

from django.db import transaction

from buergerticket.cases import services as case_services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, CaseEvent, Status
from buergerticket.processes.models import Decision
from buergerticket.processes.services import lifecycle, runtime, signoff

log = logging.getLogger("buergerticket.processes")


def on_case_event(event: CaseEvent, case: Case) -> None:
    if runtime.is_driving(case.pk):
        return
    kind = event.type
    if kind == "intake":
        lifecycle.start_safely(case)
        return
    handler = _HANDLERS.get(kind)
    if handler is None or (kind == "assigned" and "old" not in event.details):
        # (The first assignment when a case opens: its process just started with it.)
        return
    try:
        # A savepoint: whatever goes wrong here must not undo the case's own change.
        with transaction.atomic():
            handler(event, case)
    except Exception:
        log.exception("Prozess folgt Ereignis %s von %s nicht", kind, case.file_number)


def _status_changed(event: CaseEvent, case: Case) -> None:
    if event.details.get("new") == Status.CLOSED:
        lifecycle.cancel(case, event.reason or "Vorgang abgeschlossen")


def _reopened(event: CaseEvent, case: Case) -> None:
    lifecycle.restart_after_reopen(case)


def _assigned(event: CaseEvent, case: Case) -> None:
    lifecycle.follow_case(case)


def _handed_over(event: CaseEvent, case: Case) -> None:
    lifecycle.follow_case(case, old_department=str(event.details.get("from") or ""))


def _deadline(event: CaseEvent, case: Case) -> None:
    lifecycle.deadline_moved(case)


_HANDLERS = {
    "status_changed": _status_changed,
    "reopened": _reopened,
    "assigned": _assigned,
    "handed_over": _handed_over,
    "deadline_changed": _deadline,
    "deadline_resumed": _deadline,
}


def delete_decision_file(sender: object, instance: Decision, **kwargs: object) -> None:
    if instance.file:
        instance.file.delete(save=False)


def guard_decided(case: Case, status: str, actor: Actor) -> None:
    """A legal act becomes *entschieden* only with a valid final signature."""
    if status != Status.DECIDED or not case.service.legal_act:
        return
    decision = signoff.current_decision(case)
    if not signoff.has_valid_final_signature(decision):
        raise case_services.CaseError(
            "Dieser Vorgang ist ein Verwaltungsakt: Er kann erst als entschieden gelten, wenn "
            "der Bescheid schlussgezeichnet ist."
            + (f" (Fassung {decision.number} ist nicht schlussgezeichnet.)" if decision else "")
        )
