"""Suche und Archiv: full-text search over the cases a clerk may see."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from buergerticket.cases.selectors import deadline_bounds, deadline_state
from buergerticket.records.forms import SearchForm
from buergerticket.records.search.engine import Filters, Results, search
from buergerticket.workspace.access import StaffRequest, case_worker_required


def _page(request: StaffRequest) -> int:
    try:
        return max(1, min(500, int(request.GET.get("seite", "1"))))
    except ValueError:
        return 1


@case_worker_required
def search_view(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    form = SearchForm(request.GET or None, staff=staff)
    results: Results | None = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = Filters(
            services=(data["service"].pk,) if data.get("service") else (),
            department=data["department"].pk if data.get("department") else None,
            status=data.get("status") or "",
            owner=data["owner"].pk if data.get("owner") else None,
            created_from=data.get("von"),
            created_to=data.get("bis"),
        )
        results = search(
            organisation=staff.organisation,
            staff=staff,
            text=data.get("q") or "",
            filters=filters,
            page=_page(request),
            sort=data.get("sort") or "relevanz",
        )
        today, soon = deadline_bounds(staff.organisation)
        for hit in results.hits:
            hit.case.deadline_state = deadline_state(hit.case, today, soon)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("seite", None)
    context = {"form": form, "results": results, "querystring": query.urlencode()}
    template = (
        "records/_search_results.html"
        if request.headers.get("HX-Request")
        and request.headers.get("HX-Target") == "search-results"
        else "records/search.html"
    )
    return render(request, template, context)
