"""Case lists (mine, department queue, escalations) and the case detail page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from buergerticket.cases import selectors
from buergerticket.cases.models import Case, Message, Priority, Status
from buergerticket.cases.signals import case_read
from buergerticket.org.models import Role
from buergerticket.workspace import forms, timeline
from buergerticket.workspace.access import (
    StaffRequest,
    case_worker_required,
    role_required,
    staff_required,
)


@dataclass(frozen=True)
class Row:
    """One line of a case list, formatted once in Python: a 50-row table rendered
    through template lookups per cell cost more than the queries behind it."""

    pk: int
    file_number: str
    subject: str
    service: str
    status: str
    owner: str
    deadline: str
    deadline_state: str
    created: str
    urgent: str
    attention: bool
    follow_up_due: bool
    escalated: bool


def _rows(cases: list[Case], organisation: Any) -> list[Row]:
    today, soon = selectors.deadline_bounds(organisation)
    status_labels = dict(Status.choices)
    priority_labels = dict(Priority.choices)
    acting_for = _("i. V. für")
    rows = []
    for case in cases:
        owner = case.owner.name
        if case.regular_owner is not None:
            owner += f" ({acting_for} {case.regular_owner.name})"
        rows.append(
            Row(
                pk=case.pk,
                file_number=case.file_number,
                subject=case.subject[:80],
                service=case.service.name,
                status=str(status_labels.get(case.status, case.status)),
                owner=owner,
                deadline=case.deadline.strftime("%d.%m.%Y"),
                deadline_state=selectors.deadline_state(case, today, soon),
                created=timezone.localtime(case.created_at).strftime("%d.%m.%Y %H:%M"),
                urgent=str(priority_labels[case.priority])
                if case.priority >= Priority.HIGH
                else "",
                attention=bool(case.attention),
                follow_up_due=case.follow_up is not None and case.follow_up <= today,
                escalated=case.escalated_at is not None,
            )
        )
    return rows


def _decorate(cases: list[Case], organisation: Any) -> list[Case]:
    today, soon = selectors.deadline_bounds(organisation)
    for case in cases:
        case.deadline_state = selectors.deadline_state(case, today, soon)  # type: ignore[attr-defined]
    return cases


def _page(request: StaffRequest) -> int:
    try:
        return max(1, int(request.GET.get("seite", "1")))
    except ValueError:
        return 1


@staff_required
def home(request: StaffRequest) -> HttpResponse:
    """Where a login lands: the case list for those who work cases, else their tools."""
    staff = request.staff
    if staff.works_cases:
        return redirect("workspace:my_cases")
    if Role.ADMIN in staff.roles:
        return redirect("workspace:config")
    return redirect("workspace:phone_note")


@case_worker_required
def my_cases(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    page = _page(request)
    rows, counts = selectors.my_cases(staff, page)
    return render(
        request,
        "workspace/case_list.html",
        {
            "title": _("Meine Vorgänge"),
            "rows": _rows(rows, staff.organisation),
            "counts": counts,
            "page": page,
            "has_next": len(rows) == selectors.PAGE_SIZE,
            "show_owner": False,
        },
    )


@case_worker_required
def queue(request: StaffRequest, code: str | None = None) -> HttpResponse:
    staff = request.staff
    department = staff.department
    if code is not None and code != department.code:
        # Only one's own department queue; others are not visible (tenant and role scope).
        raise Http404
    page = _page(request)
    rows, counts = selectors.department_queue(department, page)
    return render(
        request,
        "workspace/case_list.html",
        {
            "title": _("Fachbereich %(code)s – %(name)s")
            % {"code": department.code, "name": department.name},
            "rows": _rows(rows, staff.organisation),
            "counts": counts,
            "page": page,
            "has_next": len(rows) == selectors.PAGE_SIZE,
            "show_owner": True,
            "department": department,
        },
    )


@role_required("leitung")
def escalations(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    paginator = Paginator(selectors.escalated_for_lead(staff), selectors.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("seite"))
    return render(
        request,
        "workspace/escalations.html",
        {
            "page_obj": page,
            "rows": _rows(list(page.object_list), staff.organisation),
        },
    )


def case_context(request: StaffRequest, case: Case, **form_overrides: Any) -> dict[str, Any]:
    """Everything the case page shows; ``form_overrides`` keep a failed form's input."""
    staff = request.staff
    _decorate([case], case.organisation)
    events = selectors.timeline(case)
    messages = {m.pk: m for m in Message.objects.filter(case=case)}
    entries = []
    for event in events:
        message = (
            messages.get(event.details.get("message"))
            if isinstance(event.details.get("message"), int)
            else None
        )
        entries.append({"event": event, "text": timeline.describe(event), "message": message})
    initial = {"version": case.version}
    context = {
        "case": case,
        "entries": entries,
        "documents": list(case.documents.all()),
        "links": list(case.links_out.select_related("to_case"))
        + list(case.links_in.select_related("from_case")),
        "reply_form": forms.ReplyForm(initial=initial),
        "note_form": forms.NoteForm(initial=initial),
        "status_form": forms.StatusForm(initial={**initial, "status": case.status}),
        "reassign_form": forms.ReassignForm(
            initial={**initial, "owner": case.owner_id}, department=case.department
        ),
        "handover_form": forms.HandOverForm(initial=initial, case_department=case.department),
        "follow_up_form": forms.FollowUpForm(initial={**initial, "follow_up": case.follow_up}),
        "priority_form": forms.PriorityForm(initial={**initial, "priority": case.priority}),
        "deadline_form": forms.DeadlineForm(initial={**initial, "deadline": case.deadline}),
        "reopen_form": forms.ReopenForm(initial=initial),
        "is_open": case.status != "abgeschlossen",
        "staff": staff,
        "extra_panels": case_panels(request, case),
    }
    context.update(form_overrides)
    return context


# Other apps contribute panels to the case page (tasks, suggested articles, …).
_panel_providers: list[Any] = []


def register_panel(provider: Any) -> None:
    """``provider(request, case) -> list[str]`` of rendered HTML fragments."""
    if provider not in _panel_providers:
        _panel_providers.append(provider)


def case_panels(request: StaffRequest, case: Case) -> list[str]:
    panels: list[str] = []
    for provider in _panel_providers:
        panels.extend(provider(request, case))
    return panels


def load_case(request: StaffRequest, pk: int) -> Case:
    staff = request.staff
    try:
        return selectors.case_for_staff(staff, pk)
    except Case.DoesNotExist:
        raise Http404 from None


@case_worker_required
def case_detail(request: StaffRequest, pk: int) -> HttpResponse:
    case = load_case(request, pk)
    case_read.send(
        sender=case_detail,
        case=case,
        staff=request.staff,
        user=request.user,
        document=None,
        channel="workspace",
    )
    return render(request, "workspace/case_detail.html", case_context(request, case))


@case_worker_required
def document_download(request: StaffRequest, pk: int, document_id: int) -> FileResponse:
    case = load_case(request, pk)
    document = get_object_or_404(case.documents, pk=document_id)
    case_read.send(
        sender=document_download,
        case=case,
        staff=request.staff,
        user=request.user,
        document=document,
        channel="workspace",
    )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type,
    )
