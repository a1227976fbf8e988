"""The dashboard page and its exports.

Leads see their department, administrators the whole organisation.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from buergerticket.org.models import Role
from buergerticket.workspace.access import StaffRequest, role_required
from buergerticket.workspace.dashboard import exports
from buergerticket.workspace.dashboard.forms import FilterForm
from buergerticket.workspace.dashboard.selectors import Figures, Period, Scope, figures


def _figures(request: StaffRequest) -> tuple[Figures, FilterForm, bool]:
    staff = request.staff
    organisation = staff.organisation
    today = timezone.localdate()
    default = Period.last_weeks(today)
    params = {"von": default.start.isoformat(), "bis": default.end.isoformat()}
    for name in ("von", "bis", "fachbereich"):
        if value := request.GET.get(name, ""):
            params[name] = value
    form = FilterForm(params, organisation=organisation)
    period = default
    department = None
    if form.is_valid():
        period = Period(form.cleaned_data["von"], form.cleaned_data["bis"])
        department = form.cleaned_data["fachbereich"]
    organisation_wide = staff.has_role(Role.ADMIN)
    if organisation_wide:
        scope = Scope(organisation, (department.pk,) if department else ())
    else:
        # A lead steers their own department; other departments' figures stay theirs.
        scope = Scope(organisation, (staff.department_id,))
    return figures(scope, period, today), form, organisation_wide


def _chart_data(f: Figures) -> dict[str, Any]:
    return {
        "departments": {
            "labels": [r.code for r in f.departments],
            "series": [
                {"label": _("offen"), "data": [r.open for r in f.departments]},
                {"label": _("überfällig"), "data": [r.overdue for r in f.departments]},
                {"label": _("bald fällig"), "data": [r.due_soon for r in f.departments]},
            ],
        },
        "intake": {
            "labels": [w.strftime("%d.%m.") for w in f.intake.weeks],
            "stacked": True,
            "series": [
                {"label": label, "data": f.intake.counts[code]}
                for code, label in f.intake.channels
                if any(f.intake.counts[code])
            ],
        },
        "services": {
            "labels": [r.name for r in f.services],
            "series": [
                {
                    "label": _("Median (Tage)"),
                    "data": [round(r.median_days or 0, 2) for r in f.services],
                },
                {
                    "label": _("90. Perzentil (Tage)"),
                    "data": [round(r.p90_days or 0, 2) for r in f.services],
                },
            ],
        },
        "automatic": {
            "labels": [r.name for r in f.services],
            "percent": True,
            "series": [
                {
                    "label": _("Anteil automatisch erledigt (%)"),
                    "data": [round((r.automatic_share or 0) * 100, 1) for r in f.services],
                }
            ],
        },
        "clerks": {
            "labels": [r.name for r in f.clerks[:20]],
            "series": [
                {"label": _("offen"), "data": [r.open for r in f.clerks[:20]]},
                {"label": _("überfällig"), "data": [r.overdue for r in f.clerks[:20]]},
            ],
        },
    }


@role_required(Role.LEAD, Role.ADMIN)
def index(request: StaffRequest) -> HttpResponse:
    f, form, organisation_wide = _figures(request)
    query = request.GET.urlencode()
    return render(
        request,
        "workspace/dashboard/index.html",
        {
            "f": f,
            "form": form,
            "organisation_wide": organisation_wide,
            "department": request.staff.department,
            "charts": _chart_data(f),
            "intake_rows": [
                {
                    "week": week,
                    "values": [f.intake.counts[code][i] for code, _label in f.intake.channels],
                    "total": f.intake.totals[i],
                }
                for i, week in enumerate(f.intake.weeks)
            ],
            "query": query,
            "tables": exports.TABLES,
        },
    )


@role_required(Role.LEAD, Role.ADMIN)
def export_csv(request: StaffRequest, table: str) -> HttpResponse:
    if table not in exports.TABLES:
        raise Http404
    f, _form, _wide = _figures(request)
    return exports.csv_response(f, table)


@role_required(Role.LEAD, Role.ADMIN)
def export_xlsx(request: StaffRequest) -> HttpResponse:
    f, _form, _wide = _figures(request)
    return exports.xlsx_response(f)
