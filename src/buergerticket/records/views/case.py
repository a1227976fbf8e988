"""The records panel on the case page (retention, legal hold) and the package download."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Status
from buergerticket.records.export.package import build
from buergerticket.records.forms import LegalHoldForm
from buergerticket.records.services.disposal import retention_until
from buergerticket.workspace.access import StaffRequest, role_required
from buergerticket.workspace.views.cases import load_case


def case_panel(request: StaffRequest, case: Case) -> list[str]:
    file_plan = case.service.file_plan
    context = {
        "case": case,
        "file_plan": file_plan,
        "retention_until": (
            retention_until(case.closed_at, file_plan.retention_years)
            if case.status == Status.CLOSED and case.closed_at
            else None
        ),
        "is_lead": request.staff.is_lead,
        "hold_form": LegalHoldForm(),
    }
    return [render_to_string("records/_case_panel.html", context, request=request)]


@role_required("leitung")
@require_POST
def legal_hold(request: StaffRequest, pk: int) -> HttpResponse:
    case = load_case(request, pk)
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte begründen Sie die Änderung der Aufbewahrungssperre."))
        return redirect("workspace:case_detail", pk=case.pk)
    try:
        services.set_legal_hold(
            case,
            actor=Actor.for_staff(request.staff),
            hold=request.POST.get("hold") == "1",
            reason=form.cleaned_data["reason"],
        )
    except (services.CaseError, services.CasePermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Aufbewahrungssperre geändert."))
    return redirect("workspace:case_detail", pk=case.pk)


@role_required("leitung")
def export(request: StaffRequest, pk: int) -> HttpResponse:
    case = load_case(request, pk)
    package = build(case)
    response = HttpResponse(package.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.name}"'
    return response
