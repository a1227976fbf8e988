"""Aussonderung: administrators review due cases, exclude some, approve the list."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.records import selectors
from buergerticket.records.forms import ExcludeForm
from buergerticket.records.models import DisposalItem, DisposalRun
from buergerticket.records.services import disposal
from buergerticket.workspace.access import StaffRequest, role_required


def _run(request: StaffRequest, pk: int) -> DisposalRun:
    return get_object_or_404(DisposalRun, pk=pk, organisation_id=request.staff.organisation_id)


@role_required("administration")
def overview(request: StaffRequest) -> HttpResponse:
    organisation = request.staff.organisation
    records = Paginator(selectors.disposal_records(organisation), 50).get_page(
        request.GET.get("seite")
    )
    return render(
        request,
        "records/disposal.html",
        {
            "runs": selectors.disposal_runs(organisation)[:20],
            "open_run": disposal.open_run(organisation),
            "records_page": records,
        },
    )


@role_required("administration")
@require_POST
def plan(request: StaffRequest) -> HttpResponse:
    try:
        run = disposal.plan(request.staff.organisation)
    except disposal.DisposalError as exc:
        messages.error(request, str(exc))
        return redirect("records:disposal")
    if run is None:
        messages.info(request, _("Zurzeit ist kein Vorgang zur Aussonderung fällig."))
        return redirect("records:disposal")
    return redirect("records:disposal_run", pk=run.pk)


@role_required("administration")
def run_detail(request: StaffRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    items = Paginator(run.items.all(), 100).get_page(request.GET.get("seite"))
    return render(
        request,
        "records/disposal_run.html",
        {"run": run, "items_page": items, "exclude_form": ExcludeForm()},
    )


@role_required("administration")
@require_POST
def exclude(request: StaffRequest, pk: int, item_id: int) -> HttpResponse:
    run = _run(request, pk)
    item = get_object_or_404(DisposalItem, pk=item_id, run=run)
    include = request.POST.get("include") == "1"
    form = ExcludeForm(request.POST)
    if not include and not form.is_valid():
        messages.error(request, _("Bitte begründen Sie, warum der Vorgang ausgenommen wird."))
        return redirect("records:disposal_run", pk=run.pk)
    try:
        disposal.set_excluded(
            item,
            staff=request.staff,
            excluded=not include,
            note=form.cleaned_data.get("note", "") if not include else "",
        )
    except disposal.DisposalError as exc:
        messages.error(request, str(exc))
    return redirect("records:disposal_run", pk=run.pk)


@role_required("administration")
@require_POST
def decide(request: StaffRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    action = request.POST.get("action")
    try:
        if action == "approve":
            disposal.approve(run, staff=request.staff)
            messages.success(
                request,
                _(
                    "Aussonderung freigegeben. Sie wird im Hintergrund durchgeführt; "
                    "die Nachweise erscheinen danach hier."
                ),
            )
        elif action == "cancel":
            disposal.cancel(run, staff=request.staff)
            messages.info(request, _("Aussonderungsliste verworfen."))
        else:
            raise Http404
    except disposal.DisposalError as exc:
        messages.error(request, str(exc))
    return redirect("records:disposal_run", pk=run.pk)
