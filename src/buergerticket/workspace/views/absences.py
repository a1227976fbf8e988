"""Absences: people record their own, leads those of their department, admins everyone's."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.cases import services
from buergerticket.org.models import Absence, Role, Staff
from buergerticket.workspace.access import StaffRequest, staff_required
from buergerticket.workspace.forms import AbsenceForm


def _manageable(staff: Staff) -> QuerySet[Staff]:
    people = Staff.objects.filter(organisation_id=staff.organisation_id, active=True)
    if Role.ADMIN in staff.roles:
        return people.order_by("name")
    if Role.LEAD in staff.roles:
        return people.filter(department_id=staff.department_id).order_by("name")
    return people.filter(pk=staff.pk)


@staff_required
def absences(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    people = _manageable(staff)
    form = AbsenceForm(request.POST or None, choices=people, initial={"staff": staff.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_absence(
                staff=data["staff"],
                start=data["start"],
                end=data["end"],
                actor=staff,
                note=data["note"],
            )
        except (services.CaseError, services.CasePermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Abwesenheit gespeichert. Offene Vorgänge gehen für "
                    "diesen Zeitraum an die Vertretung."
                ),
            )
            return redirect("workspace:absences")
    listed = (
        Absence.objects.filter(
            staff__in=people, cancelled_at__isnull=True, end__gte=timezone.localdate()
        )
        .select_related("staff", "staff__deputy")
        .order_by("start")
    )
    return render(
        request,
        "workspace/absences.html",
        {"form": form, "absences": listed},
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def cancel_absence(request: StaffRequest, pk: int) -> HttpResponse:
    staff = request.staff
    absence = Absence.objects.filter(pk=pk, staff__in=_manageable(staff)).first()
    if absence is None:
        raise Http404
    services.cancel_absence(absence, actor=staff)
    messages.success(request, _("Abwesenheit beendet."))
    return redirect("workspace:absences")
