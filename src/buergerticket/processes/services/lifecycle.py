"""A case's process over its life: start, follow the case, timers, errors, end.

Starting happens inside the transaction that opens the case (our event
subscriber): the process row commits or rolls back with the case. There we
only write our own tables — handlers that would change the case are left for
the worker (``wake_at`` = now), because a subscriber must not change the case
whose event it is handling.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from buergerticket.cases import services as case_services
from buergerticket.cases.assignment import absent_ids
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case
from buergerticket.cases.permissions import can_work
from buergerticket.cases.services._common import check_open, lock_case
from buergerticket.org.models import Absence, Role, Staff
from buergerticket.processes import assignment, engine
from buergerticket.processes.models import (
    HumanTask,
    InstanceStatus,
    ProcessInstance,
    ProcessVersion,
    TaskState,
)
from buergerticket.processes.services import register, runtime
from buergerticket.processes.services.task_sync import (
    deadline_due,
    excluded_for,
    load_case,
    sync_tasks,
)

log = logging.getLogger("buergerticket.processes")
ACTIVE = (InstanceStatus.RUNNING, InstanceStatus.ERROR)


def active_instance(case: Case | int) -> ProcessInstance | None:
    case_id = case if isinstance(case, int) else case.pk
    return (
        ProcessInstance.objects.select_related("version", "version__model")
        .filter(case_id=case_id, status__in=ACTIVE)
        .first()
    )


def start(
    case: Case, version: ProcessVersion | None = None, *, in_case_write: bool = True
) -> ProcessInstance:
    """Start ``version`` (default: the service's published model) for ``case``."""
    now = timezone.now()
    if version is None:
        version = register.version_for_new_case(case.service)
    instance = ProcessInstance(
        organisation_id=case.organisation_id,
        case=case,
        version=version,
        status=InstanceStatus.RUNNING,
        started_at=now,
        updated_at=now,
    )
    workflow = engine.new_workflow(engine.spec_for(version), runtime.initial_data(case))
    if in_case_write:
        # Inside the case's own write: no handlers run, so one insert does it.
        runtime.drive(instance, workflow, allow_services=False, sync=False)
        runtime.save(instance, workflow)
        sync_tasks(instance, workflow, now, case=case, fresh=True)
    else:
        instance.save(force_insert=True)  # handlers may look for the instance's rows
        runtime.drive(instance, workflow)
        runtime.save(instance, workflow)
    return instance


def start_safely(case: Case) -> ProcessInstance | None:
    """Start the case's process; a failure never stops the case from opening.

    The process is set up in a savepoint; if anything goes wrong, the case
    still opens and carries an error instance that says what happened.
    """
    try:
        with transaction.atomic():
            return start(case)
    except Exception as exc:
        log.exception("Prozessstart für Vorgang %s fehlgeschlagen", case.file_number)
        now = timezone.now()
        try:
            with transaction.atomic():
                return ProcessInstance.objects.create(
                    organisation_id=case.organisation_id,
                    case=case,
                    version=None,
                    status=InstanceStatus.ERROR,
                    error=f"Der Prozess konnte nicht gestartet werden: {type(exc).__name__}: {exc}",
                    error_at=now,
                    started_at=now,
                    updated_at=now,
                )
        except Exception:
            log.exception("Auch die Fehlermarkierung für %s schlug fehl", case.file_number)
            return None


def cancel(case: Case, reason: str) -> None:
    """The case was closed by hand: its process ends, open tasks lapse."""
    now = timezone.now()
    for instance in ProcessInstance.objects.filter(case=case, status__in=ACTIVE):
        instance.status = InstanceStatus.CANCELLED
        instance.finished_at = now
        instance.updated_at = now
        instance.wake_at = None
        instance.save(update_fields=["status", "finished_at", "updated_at", "wake_at"])
        instance.tasks.filter(state=TaskState.OPEN).update(
            state=TaskState.CANCELLED, completed_at=now
        )


def restart_after_reopen(case: Case) -> ProcessInstance | None:
    """A reopened case gets a fresh run of the version its last run used."""
    if active_instance(case) is not None:
        return None
    last = (
        ProcessInstance.objects.filter(case=case, version__isnull=False)
        .select_related("version")
        .order_by("-started_at")
        .first()
    )
    try:
        with transaction.atomic():
            return start(case, last.version if last else None)
    except Exception:
        log.exception("Prozess-Neustart für %s fehlgeschlagen", case.file_number)
        return None


def follow_case(case: Case, *, old_department: str | None = None) -> None:
    """Open tasks follow the case: to its new owner, or to its new department
    after an Abgabe (tasks meant for another department stay there)."""
    now = timezone.now()
    case = load_case(case.pk)
    for task in HumanTask.objects.filter(case=case, state=TaskState.OPEN).select_related(
        "department", "instance", "instance__version"
    ):
        if old_department is not None:
            if task.department.code != old_department:
                continue
        elif not task.follows_owner:
            continue
        chosen = assignment.resolve(
            case,
            role=task.role,
            department=case.department,
            exclude=excluded_for(task.kind, case, task.instance),
            day=timezone.localdate(now),
        )
        task.department = case.department
        task.assignee = chosen.staff
        task.regular_assignee = chosen.standing_in_for
        task.assignment_rule = chosen.rule
        task.assignment_note = chosen.note[:300]
        task.save(
            update_fields=[
                "department",
                "assignee",
                "regular_assignee",
                "assignment_rule",
                "assignment_note",
            ]
        )


def deadline_moved(case: Case) -> None:
    case = load_case(case.pk)
    HumanTask.objects.filter(case=case, state=TaskState.OPEN, due_from_timer=False).update(
        due=deadline_due(case)
    )


# --- worker -----------------------------------------------------------------------


def wake(instance_id: int, case_id: int, now: dt.datetime | None = None) -> bool:
    """Fire due timers and run deferred service tasks of one instance.

    Safe to call twice, from two workers, or after a restart: under the case
    lock we re-check that the instance is still due, and a fired timer is
    saved as fired in the same transaction as its consequences.
    """
    with transaction.atomic():
        lock_case(case_id)
        instance = runtime.lock_instance(instance_id)
        now = now or timezone.now()
        if (
            instance.status != InstanceStatus.RUNNING
            or instance.wake_at is None
            or instance.wake_at > now
        ):
            return False
        try:
            workflow, _built = engine.load(instance)
        except engine.ProcessStateError as exc:
            runtime.set_error(instance, "", str(exc), now)
            instance.save(update_fields=["status", "error", "error_element", "error_at", "wake_at"])
            case_services.record_event(
                case_id,
                actor=runtime.process_actor(instance),
                type="process_error",
                details={"element": ""},
                reason=str(exc)[:500],
            )
            return True
        with runtime.driving(case_id):
            fired = engine.fire_due_timers(workflow, now)
            for timer in fired:
                spec = timer.task_spec
                case_services.record_event(
                    case_id,
                    actor=runtime.process_actor(instance, spec.bpmn_name or spec.bpmn_id),
                    type="process_timer",
                    details={"element": spec.bpmn_id, "name": spec.bpmn_name or spec.bpmn_id},
                )
            runtime.drive(instance, workflow)
            runtime.save(instance, workflow)
    return True


def wake_due(now: dt.datetime | None = None, limit: int = 500) -> int:
    """The worker job: every instance whose ``wake_at`` has come."""
    now = now or timezone.now()
    due = list(
        ProcessInstance.objects.filter(status=InstanceStatus.RUNNING, wake_at__lte=now)
        .order_by("wake_at")
        .values_list("pk", "case_id")[:limit]
    )
    count = 0
    for instance_id, case_id in due:
        try:
            if wake(instance_id, case_id, now):
                count += 1
        except Exception:
            # One broken instance must not hold up the others.
            log.exception("Prozessinstanz %s: Wecken fehlgeschlagen", instance_id)
    return count


def reroute_absent(day: dt.date | None = None) -> int:
    """Open tasks of people absent today go to whoever stands in (worker job)."""
    day = day or timezone.localdate()
    absent = set(
        Absence.objects.filter(start__lte=day, end__gte=day, cancelled_at__isnull=True).values_list(
            "staff_id", flat=True
        )
    )
    if not absent:
        return 0
    moved = 0
    for task in HumanTask.objects.filter(
        state=TaskState.OPEN, assignee_id__in=absent
    ).select_related(
        "case", "department", "instance", "instance__version", "instance__version__model"
    ):
        with transaction.atomic():
            lock_case(task.case_id)
            case = load_case(task.case_id)
            chosen = assignment.resolve(
                case,
                role=task.role,
                department=task.department,
                exclude=excluded_for(task.kind, case, task.instance),
                day=day,
                use_case_holder=False,  # the case may still wait for its own re-routing
            )
            if chosen.staff.pk == task.assignee_id or chosen.staff.pk in absent_ids(
                [chosen.staff], day
            ):
                continue
            previous = task.assignee
            HumanTask.objects.filter(pk=task.pk).update(
                assignee=chosen.staff,
                regular_assignee=previous,
                assignment_rule=chosen.rule,
                assignment_note=chosen.note[:300],
            )
            case_services.record_event(
                task.case_id,
                actor=Actor.system("Abwesenheitsvertretung"),
                type="task_reassigned",
                details={
                    "task": task.pk,
                    "name": task.name,
                    "from": previous.username,
                    "to": chosen.staff.username,
                    "rule": chosen.rule,
                },
            )
            moved += 1
    return moved


# --- people acting on a process -----------------------------------------------------


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
        current = active_instance(case)
        version = current.version if current and current.version else None
        if current is not None:
            cancel(case, reason)
        case_services.record_event(
            case.pk,
            actor=Actor.for_staff(staff),
            type="process_restarted",
            details={"version": version.pk if version else None},
            reason=reason.strip()[:500],
        )
        with runtime.driving(case.pk):
            instance = start(case, version, in_case_write=False)
    return instance
