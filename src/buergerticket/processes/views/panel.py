"""The process panel on the case page: the model, its tasks, errors, the decision."""

from __future__ import annotations

from django.template.loader import render_to_string

from buergerticket.cases.models import Case, Status
from buergerticket.cases.permissions import can_work
from buergerticket.org.models import Role
from buergerticket.processes import engine, selectors
from buergerticket.processes.models import InstanceStatus, TaskState
from buergerticket.processes.services import lifecycle, recovery
from buergerticket.processes.services.tasks import may_complete
from buergerticket.workspace.access import StaffRequest


def case_panel(request: StaffRequest, case: Case) -> list[str]:
    staff = request.staff
    instances = selectors.instances(case)
    # A case opened a moment ago: run its process's first steps now rather than
    # show an empty task list until the worker gets to it.
    pending = any(i.status == InstanceStatus.RUNNING and not i.state for i in instances)
    if pending and lifecycle.start_pending(case):
        instances = selectors.instances(case)
    active = next(
        (i for i in instances if i.status in (InstanceStatus.RUNNING, InstanceStatus.ERROR)),
        None,
    )
    shown = active or (instances[0] if instances else None)
    state_error = ""
    if active is not None and active.status == InstanceStatus.RUNNING:
        # A corrupt stored state must show here, on its case, not as a server error later.
        try:
            engine.load(active)
        except engine.ProcessStateError as exc:
            state_error = str(exc)
    tasks = selectors.case_tasks(case)
    open_tasks = [t for t in tasks if t.state == TaskState.OPEN]
    for task in open_tasks:
        task.case = case  # avoid a query per task in may_complete
        task.refusal = may_complete(task, staff)  # type: ignore[attr-defined]
    done = [t for t in tasks if t.state != TaskState.OPEN][-8:]
    decisions = selectors.decisions(case)
    current = decisions[0] if decisions and decisions[0].superseded_at is None else None
    steer = recovery.may_steer(staff, case)
    html = render_to_string(
        "processes/_case_panel.html",
        {
            "case": case,
            "instance": shown,
            "earlier_runs": len(instances) - 1 if instances else 0,
            "state_error": state_error,
            "open_tasks": open_tasks,
            "done_tasks": done,
            "decision": current,
            "decisions": decisions,
            "can_change_decision": bool(
                current
                and current.sent_at is None
                and can_work(staff, case)
                and case.status != Status.CLOSED
            ),
            "may_retry": steer
            and shown is not None
            and shown.status == InstanceStatus.ERROR
            and not state_error,
            "may_restart": steer
            and (staff.has_role(Role.LEAD) or staff.has_role(Role.ADMIN))
            and case.status != Status.CLOSED,
        },
        request=request,
    )
    return [html]
