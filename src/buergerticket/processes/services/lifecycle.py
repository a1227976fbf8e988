"""A case's process over its life: start, follow the case, timers, errors, end.

Starting is split in two. Inside the transaction that opens the case (our
event subscriber) only the process row is written, with the version the case
keeps and ``wake_at`` = now: it commits or rolls back with the case, and intake
stays fast. The engine then runs right after commit — in the worker, or at once
when someone opens the case (:func:`start_pending`) — outside anyone else's
case write, so service-task handlers may act on the case too (an asynchronous
continuation, as BPM engines call it).
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
from buergerticket.cases.services import lock_case
from buergerticket.org.models import Absence
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
    if in_case_write:
        # The engine runs after commit (state "" = not started yet, see module doc).
        instance.wake_at = now
        instance.save(force_insert=True)
        return instance
    workflow = engine.new_workflow(engine.spec_for(version), runtime.initial_data(case))
    instance.save(force_insert=True)  # handlers may look for the instance's rows
    runtime.drive(instance, workflow)
    runtime.save(instance, workflow)
    return instance


def _run_first_steps(instance: ProcessInstance, case: Case) -> None:
    """Start the engine of a process row written at intake (caller holds the case lock)."""
    assert instance.version is not None
    workflow = engine.new_workflow(engine.spec_for(instance.version), runtime.initial_data(case))
    with runtime.driving(case.pk):
        runtime.drive(instance, workflow, case=case)
        runtime.save(instance, workflow)


def _stop_with_error(instance: ProcessInstance, message: str, now: dt.datetime) -> None:
    """The process cannot go on (no start, unreadable state): show it on the case, where a
    lead can restart the process once the model is fixed; the case itself carries on."""
    runtime.set_error(instance, "", message, now)
    instance.save(update_fields=["status", "error", "error_element", "error_at", "wake_at"])
    case_services.record_event(
        instance.case_id,
        actor=runtime.process_actor(instance),
        type="process_error",
        details={"element": ""},
        reason=message[:500],
    )


def start_pending(case: Case | int) -> bool:
    """Run the first steps of the case's process now if it has not started yet.

    Called where people look at a case's tasks, so nobody waits for the worker.
    """
    case_id = case if isinstance(case, int) else case.pk
    pending = (
        ProcessInstance.objects.filter(case_id=case_id, status=InstanceStatus.RUNNING, state="")
        .values_list("pk", flat=True)
        .first()
    )
    return pending is not None and wake(pending, case_id)


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
        case = lock_case(case_id)
        instance = runtime.lock_instance(instance_id)
        now = now or timezone.now()
        if (
            instance.status != InstanceStatus.RUNNING
            or instance.wake_at is None
            or instance.wake_at > now
        ):
            return False
        if not instance.state:
            try:
                with transaction.atomic():
                    _run_first_steps(instance, case)
            except Exception as exc:
                log.exception("Prozessstart für Vorgang %s fehlgeschlagen", case_id)
                _stop_with_error(
                    instance,
                    f"Der Prozess konnte nicht gestartet werden: {type(exc).__name__}: {exc}",
                    now,
                )
            return True
        try:
            workflow, _built = engine.load(instance)
        except engine.ProcessStateError as exc:
            _stop_with_error(instance, str(exc), now)
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
