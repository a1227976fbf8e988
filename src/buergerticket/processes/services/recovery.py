"""Staff acting on a case's process: run a failed step again, or start over."""

from __future__ import annotations

from django.db import transaction

from buergerticket.cases import services as case_services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case
from buergerticket.cases.permissions import can_work
from buergerticket.cases.services import check_open, lock_case
from buergerticket.org.models import Role, Staff
from buergerticket.processes import engine
from buergerticket.processes.models import InstanceStatus, ProcessInstance
from buergerticket.processes.services import lifecycle, runtime


def may_steer(staff: Staff, case: Case) -> bool:
    """Who may retry or restart a case's process: its workers, leads, administration."""
    return staff.organisation_id == case.organisation_id and (
        can_work(staff, case) or staff.has_role(Role.ADMIN)
    )


def retry(instance_id: int, *, staff: Staff) -> ProcessInstance:
    """Run the failed step again (after its cause was fixed)."""
    instance = ProcessInstance.objects.select_related("case").get(
        pk=instance_id, organisation_id=staff.organisation_id
    )
    with transaction.atomic():
        case = lock_case(instance.case_id)
        instance = runtime.lock_instance(instance_id)
        if not may_steer(staff, case):
            raise case_services.CasePermissionDenied("Sie dürfen diesen Prozess nicht steuern.")
        if instance.status != InstanceStatus.ERROR:
            raise case_services.CaseError("Der Prozess steht nicht wegen eines Fehlers.")
        try:
            workflow, _built = engine.load(instance)
        except engine.ProcessStateError as exc:
            raise case_services.CaseError(
                f"{exc} Starten Sie den Prozess neu, um ihn zu beheben."
            ) from exc
        failed = instance.error_element
        instance.status = InstanceStatus.RUNNING
        instance.error = ""
        instance.error_element = ""
        instance.error_at = None
        case_services.record_event(
            case.pk,
            actor=Actor.for_staff(staff),
            type="process_retried",
            details={"element": failed},
        )
        with runtime.driving(case.pk):
            runtime.drive(instance, workflow)
            runtime.save(instance, workflow)
    return instance


def restart(case_id: int, *, staff: Staff, reason: str) -> ProcessInstance:
    """Give up the current run (e.g. a corrupt state) and start over.

    Uses the version the case started with, so the rule "a running case keeps
    its version" holds across the restart.
    """
    if not reason.strip():
        raise case_services.CaseError("Bitte begründen Sie den Neustart.")
    with transaction.atomic():
        case = lock_case(case_id)
        if not may_steer(staff, case) or not (
            staff.has_role(Role.LEAD) or staff.has_role(Role.ADMIN)
        ):
            raise case_services.CasePermissionDenied(
                "Einen Prozess neu starten dürfen Leitung und Administration."
            )
        check_open(case)
        current = lifecycle.active_instance(case)
        version = current.version if current and current.version else None
        if current is not None:
            lifecycle.cancel(case, reason)
        case_services.record_event(
            case.pk,
            actor=Actor.for_staff(staff),
            type="process_restarted",
            details={"version": version.pk if version else None},
            reason=reason.strip()[:500],
        )
        with runtime.driving(case.pk):
            instance = lifecycle.start(case, version, in_case_write=False)
    return instance
