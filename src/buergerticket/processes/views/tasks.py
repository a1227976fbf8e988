"""Meine Aufgaben, one task's page, and the process actions on a case."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.cases import services as case_services
from buergerticket.cases.permissions import can_view, can_work
from buergerticket.cases.signals import case_read
from buergerticket.processes import selectors
from buergerticket.processes.models import Decision, HumanTask, ProcessInstance, TaskKind
from buergerticket.processes.services import decision_edit, recovery, signoff
from buergerticket.processes.services.tasks import (
    TaskDataInvalid,
    complete_task,
    load_task,
    may_complete,
)
from buergerticket.processes.task_forms import task_form
from buergerticket.workspace.access import StaffRequest, staff_required


@staff_required
def my_tasks(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    return render(
        request,
        "processes/my_tasks.html",
        {
            "tasks": selectors.my_tasks(staff),
            "pool": selectors.tasks_for_my_roles(staff),
            "now": timezone.now(),
        },
    )


def _task_or_404(request: StaffRequest, pk: int) -> HumanTask:
    try:
        task = load_task(pk, request.staff.organisation_id)
    except case_services.CaseError:
        raise Http404 from None
    if not selectors.may_view_task(request.staff, task):
        raise Http404
    return task


def _task_context(request: StaffRequest, task: HumanTask, form: Any = None) -> dict[str, Any]:
    decision = signoff.current_decision(task.case) if task.kind != TaskKind.TASK else None
    return {
        "task": task,
        "case": task.case,
        "form": form or task_form(task, decision=decision),
        "decision": decision,
        "signatures": list(decision.signatures.select_related("signer")) if decision else [],
        "refusal": may_complete(task, request.staff) if task.state == "open" else "",
        "can_open_case": can_view(request.staff, task.case),
    }


@staff_required
def task_detail(request: StaffRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    case_read.send(
        sender=task_detail,
        case=task.case,
        staff=request.staff,
        user=request.user,
        document=None,
        channel="workspace",
    )
    if request.method != "POST":
        return render(request, "processes/task_detail.html", _task_context(request, task))
    decision = signoff.current_decision(task.case) if task.kind != TaskKind.TASK else None
    form = task_form(task, request.POST, decision=decision)
    try:
        complete_task(task.pk, staff=request.staff, data=request.POST)
    except TaskDataInvalid as exc:
        return render(
            request,
            "processes/task_detail.html",
            _task_context(request, task, exc.form),
            status=400,
        )
    except case_services.CasePermissionDenied as exc:
        form.is_valid()
        form.add_error(None, str(exc))
        return render(
            request, "processes/task_detail.html", _task_context(request, task, form), status=403
        )
    except case_services.CaseError as exc:
        form.is_valid()
        form.add_error(None, str(exc))
        return render(
            request, "processes/task_detail.html", _task_context(request, task, form), status=409
        )
    messages.success(request, _("Aufgabe „%(name)s“ erledigt.") % {"name": task.name})
    if can_view(request.staff, task.case):
        return redirect("workspace:case_detail", pk=task.case_id)
    return redirect("processes:my_tasks")


def _decision_allowed(request: StaffRequest, decision: Decision) -> bool:
    staff = request.staff
    if decision.organisation_id != staff.organisation_id:
        return False
    if can_view(staff, decision.case):
        return True
    return any(
        selectors.may_view_task(staff, t)
        for t in HumanTask.objects.filter(case=decision.case, state="open").select_related("case")
    )


@staff_required
def decision_pdf(request: StaffRequest, pk: int) -> FileResponse:
    decision = Decision.objects.select_related("case", "case__organisation").filter(pk=pk).first()
    if decision is None or not _decision_allowed(request, decision):
        raise Http404
    case_read.send(
        sender=decision_pdf,
        case=decision.case,
        staff=request.staff,
        user=request.user,
        document=None,
        channel="workspace",
    )
    return FileResponse(
        decision.file.open("rb"),
        as_attachment=True,
        filename=decision.file_name,
        content_type="application/pdf",
    )


def _back(case_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("workspace:case_detail", args=[case_id]) + "#process")


@staff_required
@require_POST
def retry(request: StaffRequest, pk: int) -> HttpResponse:
    instance = ProcessInstance.objects.filter(
        pk=pk, organisation_id=request.staff.organisation_id
    ).first()
    if instance is None:
        raise Http404
    try:
        recovery.retry(instance.pk, staff=request.staff)
    except (case_services.CaseError, case_services.CasePermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Der Prozessschritt wurde erneut ausgeführt."))
    return _back(instance.case_id)


@staff_required
@require_POST
def restart(request: StaffRequest, case_id: int) -> HttpResponse:
    try:
        recovery.restart(case_id, staff=request.staff, reason=request.POST.get("reason", ""))
    except (case_services.CaseError, case_services.CasePermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Der Prozess wurde neu gestartet."))
    return _back(case_id)


@staff_required
@require_POST
def change_decision(request: StaffRequest, case_id: int) -> HttpResponse:
    from buergerticket.cases.models import Case

    case = Case.objects.filter(pk=case_id, organisation_id=request.staff.organisation_id).first()
    if case is None or not can_work(request.staff, case):
        raise Http404
    try:
        decision_edit.change_decision(
            case_id,
            staff=request.staff,
            tenor=request.POST.get("tenor", ""),
            reasoning=request.POST.get("begruendung", ""),
        )
    except (case_services.CaseError, case_services.CasePermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Bescheid geändert."))
    return _back(case_id)
