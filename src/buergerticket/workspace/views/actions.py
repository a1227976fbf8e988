"""Actions on one case. Each validates a form and calls one write-path service.

With htmx the response is the re-rendered case area; without JavaScript the
browser follows a redirect back to the case page. A failed form is rendered
again with what was typed and the German error next to the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case
from buergerticket.workspace import forms
from buergerticket.workspace.access import StaffRequest, case_worker_required
from buergerticket.workspace.views.cases import case_context, load_case

Apply = Callable[[Case, Actor, dict[str, Any], int], Any]


def _respond(
    request: StaffRequest, case: Case, status: int = 200, **overrides: Any
) -> HttpResponse:
    if request.headers.get("HX-Request"):
        fresh = load_case(request, case.pk)
        return render(
            request,
            "workspace/case_main.html",
            case_context(request, fresh, **overrides),
            status=status,
        )
    if overrides:
        fresh = load_case(request, case.pk)
        return render(
            request,
            "workspace/case_detail.html",
            case_context(request, fresh, **overrides),
            status=status,
        )
    return redirect("workspace:case_detail", pk=case.pk)


def _action(
    form_name: str, build: Callable[..., djforms.Form], apply: Apply, done: str
) -> Callable[[HttpRequest, int], HttpResponseBase]:
    @case_worker_required
    @require_POST
    def view(request: StaffRequest, pk: int) -> HttpResponse:
        case = load_case(request, pk)
        form = build(request.POST, case=case)
        if not form.is_valid():
            return _respond(request, case, 400, **{form_name: form})
        actor = Actor.for_staff(request.staff)
        try:
            apply(case, actor, form.cleaned_data, form.cleaned_data["version"])
        except services.CaseError as exc:
            form.add_error(None, str(exc))
            return _respond(
                request,
                case,
                409 if isinstance(exc, services.CaseConflict) else 400,
                **{form_name: form},
            )
        except services.CasePermissionDenied as exc:
            form.add_error(None, str(exc))
            return _respond(request, case, 403, **{form_name: form})
        messages.success(request, done)
        return _respond(request, case)

    return view


def _simple(form_class: type[djforms.Form]) -> Callable[..., djforms.Form]:
    return lambda data, case: form_class(data)


reply = _action(
    "reply_form",
    _simple(forms.ReplyForm),
    lambda case, actor, d, v: services.add_reply(
        case, actor=actor, body=d["body"], expected_version=v
    ),
    _("Antwort gespeichert."),
)

note = _action(
    "note_form",
    _simple(forms.NoteForm),
    lambda case, actor, d, v: services.add_note(
        case, actor=actor, text=d["text"], expected_version=v
    ),
    _("Vermerk gespeichert."),
)

status = _action(
    "status_form",
    _simple(forms.StatusForm),
    lambda case, actor, d, v: services.set_status(
        case, actor=actor, status=d["status"], reason=d["reason"], expected_version=v
    ),
    _("Status geändert."),
)

reassign = _action(
    "reassign_form",
    lambda data, case: forms.ReassignForm(data, department=case.department),
    lambda case, actor, d, v: services.reassign(
        case, actor=actor, to=d["owner"], reason=d["reason"], expected_version=v
    ),
    _("Zuständigkeit geändert."),
)

hand_over = _action(
    "handover_form",
    lambda data, case: forms.HandOverForm(data, case_department=case.department),
    lambda case, actor, d, v: services.hand_over(
        case, actor=actor, department=d["department"], reason=d["reason"], expected_version=v
    ),
    _("Vorgang abgegeben."),
)


follow_up = _action(
    "follow_up_form",
    _simple(forms.FollowUpForm),
    lambda case, actor, d, v: services.set_follow_up(
        case, actor=actor, on=d["follow_up"], expected_version=v
    ),
    _("Wiedervorlage gespeichert."),
)

priority = _action(
    "priority_form",
    _simple(forms.PriorityForm),
    lambda case, actor, d, v: services.set_priority(
        case, actor=actor, priority=d["priority"], expected_version=v
    ),
    _("Priorität geändert."),
)

deadline = _action(
    "deadline_form",
    _simple(forms.DeadlineForm),
    lambda case, actor, d, v: services.change_deadline(
        case, actor=actor, deadline=d["deadline"], reason=d["reason"], expected_version=v
    ),
    _("Frist geändert."),
)

reopen = _action(
    "reopen_form",
    _simple(forms.ReopenForm),
    lambda case, actor, d, v: services.reopen(
        case, actor=actor, reason=d["reason"], expected_version=v
    ),
    _("Vorgang wieder aufgenommen."),
)
