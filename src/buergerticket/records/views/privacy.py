"""Datenschutz: requests of data subjects, automatic anonymisation, the read log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.records import selectors
from buergerticket.records.forms import PersonForm, ReadLogForm, RetentionForm, ServiceRuleForm
from buergerticket.records.models import ServicePrivacyRule
from buergerticket.records.services import privacy, readlog
from buergerticket.workspace.access import StaffRequest, role_required

OFFICERS = ("datenschutz", "administration")


def _person(form: PersonForm) -> privacy.Person:
    data = form.cleaned_data
    return privacy.Person(email=data["email"], name=data["name"], phone=data["phone"])


@role_required(*OFFICERS)
def overview(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    organisation = staff.organisation
    form = PersonForm(request.GET or None)
    outcomes: list[tuple[privacy.Outcome, privacy.Outcome]] | None = None
    if form.is_bound and form.is_valid():
        anonymise_plan = privacy.plan(organisation, _person(form), privacy.ANONYMISE)
        erase_plan = {
            o.file_number: o for o in privacy.plan(organisation, _person(form), privacy.ERASE)
        }
        outcomes = [(o, erase_plan[o.file_number]) for o in anonymise_plan]
    return render(
        request,
        "records/privacy.html",
        {
            "form": form,
            "outcomes": outcomes,
            "requests": selectors.privacy_requests(organisation)[:20],
            "rules": ServicePrivacyRule.objects.filter(service__organisation=organisation)
            .select_related("service")
            .order_by("service__name"),
            "rule_form": ServiceRuleForm(staff=staff),
            "retention_form": RetentionForm(initial={"days": readlog.retention_days(organisation)}),
        },
    )


@role_required(*OFFICERS)
@require_POST
def act(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    form = PersonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("records:privacy")
    person = _person(form)
    action = request.POST.get("action", "")
    reference = form.cleaned_data["reference"]
    try:
        if action == "export":
            data, _request = privacy.access_export(
                staff.organisation, person, staff=staff, reference=reference
            )
            response = HttpResponse(data, content_type="application/zip")
            response["Content-Disposition"] = 'attachment; filename="auskunft-art15.zip"'
            return response
        if action not in (privacy.ANONYMISE, privacy.ERASE):
            messages.error(request, _("Unbekannte Aktion."))
            return redirect("records:privacy")
        selected = set(request.POST.getlist("case"))
        done = privacy.erase(
            staff.organisation, person, mode=action, staff=staff, reference=reference, only=selected
        )
    except privacy.PrivacyError as exc:
        messages.error(request, str(exc))
        return redirect("records:privacy")
    handled = sum(1 for o in done.outcomes if o.get("done"))
    kept = len(done.outcomes) - handled
    messages.success(
        request,
        _("Erledigt: %(handled)s Vorgänge bearbeitet, %(kept)s aufbewahrt (Gründe im Protokoll).")
        % {"handled": handled, "kept": kept},
    )
    return redirect("records:privacy")


@role_required(*OFFICERS)
@require_POST
def settings_view(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    if "days" in request.POST and "service" not in request.POST:
        retention = RetentionForm(request.POST)
        if retention.is_valid():
            readlog.set_retention(staff.organisation, retention.cleaned_data["days"])
            messages.success(request, _("Aufbewahrung des Zugriffsprotokolls gespeichert."))
        else:
            messages.error(request, _("Bitte geben Sie eine Anzahl Tage zwischen 1 und 3650 an."))
        return redirect("records:privacy")
    form = ServiceRuleForm(request.POST, staff=staff)
    if form.is_valid():
        privacy.set_rule(form.cleaned_data["service"], form.cleaned_data["days"])
        messages.success(request, _("Regel gespeichert."))
    else:
        messages.error(request, _("Bitte wählen Sie eine Leistung und eine Anzahl Tage."))
    return redirect("records:privacy")


@role_required("datenschutz")
def read_log(request: StaffRequest) -> HttpResponse:
    form = ReadLogForm(request.GET or None)
    entries = selectors.read_log(request.staff.organisation)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        entries = selectors.read_log(
            request.staff.organisation,
            file_number=data["aktenzeichen"],
            reader=data["person"],
            start=data["von"],
            end=data["bis"],
        )
    page = Paginator(entries.select_related("case"), 50).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    return render(
        request,
        "records/read_log.html",
        {
            "form": form,
            "page_obj": page,
            "querystring": query.urlencode(),
            "retention_days": readlog.retention_days(request.staff.organisation),
        },
    )
