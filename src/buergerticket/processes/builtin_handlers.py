"""Handlers every installation offers to service tasks. Each acts through the case
services, as automation that names the process and step (``ctx.actor``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone

from buergerticket.cases import services as case_services
from buergerticket.cases.assignment import department_lead, resolve_holder
from buergerticket.cases.models import Case, Priority, Status
from buergerticket.processes.handlers import HandlerError, ServiceContext, register
from buergerticket.processes.models import HumanTask, TaskState
from buergerticket.processes.services import signoff


def _case(ctx: ServiceContext) -> Case:
    return Case.objects.select_related("service", "department").get(pk=ctx.case_id)


@register("case.close", label="Vorgang abschließen", params=("reason",))
def close(ctx: ServiceContext) -> None:
    if _case(ctx).status == Status.CLOSED:
        return
    case_services.set_status(
        ctx.case_id, actor=ctx.actor, status=Status.CLOSED, reason=ctx.param("reason")
    )


@register("case.set_status", label="Status setzen", params=("status", "reason"))
def set_status(ctx: ServiceContext) -> None:
    status = ctx.require("status")
    if status not in Status.values:
        raise HandlerError(f"Unbekannter Status „{status}“ (erlaubt: {', '.join(Status.values)}).")
    case_services.set_status(
        ctx.case_id, actor=ctx.actor, status=status, reason=ctx.param("reason")
    )


@register("case.reply", label="Antwort an die antragstellende Person", params=("text",))
def reply(ctx: ServiceContext) -> None:
    case_services.add_reply(ctx.case_id, actor=ctx.actor, body=ctx.require("text"))


@register("case.note", label="Vermerk schreiben", params=("text",))
def note(ctx: ServiceContext) -> None:
    case_services.add_note(ctx.case_id, actor=ctx.actor, text=ctx.require("text"))


@register("case.follow_up", label="Wiedervorlage setzen", params=("days", "on"))
def follow_up(ctx: ServiceContext) -> None:
    if ctx.param("on"):
        try:
            on = dt.date.fromisoformat(ctx.param("on"))
        except ValueError:
            raise HandlerError(f"„{ctx.param('on')}“ ist kein Datum (JJJJ-MM-TT).") from None
    else:
        days = ctx.require("days")
        if not re.fullmatch(r"\d{1,4}", days):
            raise HandlerError(f"„{days}“ ist keine Anzahl von Tagen.")
        on = timezone.localdate() + dt.timedelta(days=int(days))
    case_services.set_follow_up(ctx.case_id, actor=ctx.actor, on=on, reason=ctx.name)


@register("case.priority", label="Priorität setzen", params=("priority",))
def priority(ctx: ServiceContext) -> None:
    value = ctx.require("priority")
    names = {str(p.label): p.value for p in Priority} | {str(p.value): p.value for p in Priority}
    if value not in names:
        raise HandlerError(f"Unbekannte Priorität „{value}“.")
    case_services.set_priority(ctx.case_id, actor=ctx.actor, priority=names[value], reason=ctx.name)


@register("task.escalate", label="Aufgabe an die Leitung eskalieren", params=("task",))
def escalate_task(ctx: ServiceContext) -> dict[str, Any]:
    """Hand the (named) open task(s) of this process to the department lead."""
    tasks = HumanTask.objects.filter(instance=ctx.instance, state=TaskState.OPEN).select_related(
        "department", "assignee", "assignee__user"
    )
    if ctx.param("task"):
        tasks = tasks.filter(element_id=ctx.param("task"))
    now = timezone.now()
    escalated = []
    for task in tasks:
        lead = department_lead(task.department)
        if lead is None:
            raise HandlerError(f"Der Fachbereich {task.department.name} hat keine Leitung.")
        holder = resolve_holder(lead, timezone.localdate(now))
        previous = task.assignee
        HumanTask.objects.filter(pk=task.pk).update(
            assignee=holder.staff,
            regular_assignee=holder.standing_in_for,
            assignment_rule="escalation",
            escalated_at=now,
        )
        case_services.record_event(
            ctx.case_id,
            actor=ctx.actor,
            type="task_escalated",
            details={
                "task": task.pk,
                "name": task.name,
                "from": previous.username,
                "to": holder.staff.username,
            },
            reason=ctx.name,
        )
        escalated.append(task.pk)
    return {"escalated": len(escalated)}


@register("decision.send", label="Bescheid versenden (nach Schlusszeichnung)", params=("text",))
def send_decision(ctx: ServiceContext) -> dict[str, Any]:
    decision = signoff.send(ctx.case_id, actor=ctx.actor, cover_text=ctx.param("text"))
    return {"decision_sha256": decision.sha256}
