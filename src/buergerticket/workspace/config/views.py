"""Configuration pages for administrators: organisation, departments, staff, services, file plan.

Every change is written to ``ConfigChange`` (who, when, old → new), so the
configuration has an audit trail like the cases.
"""

from __future__ import annotations

from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.db import transaction
from django.db.models import Model
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from buergerticket.org.models import ConfigChange
from buergerticket.workspace.access import StaffRequest, role_required
from buergerticket.workspace.config.forms import OrganisationForm
from buergerticket.workspace.config.sections import SECTIONS, Section

admin_required = role_required("administration")


def _snapshot(obj: Model, fields: list[str]) -> dict[str, Any]:
    data = model_to_dict(obj, fields=fields)
    return {
        k: (v if isinstance(v, bool | int | str | list | dict | type(None)) else str(v))
        for k, v in data.items()
    }


def _log(
    request: StaffRequest, obj: Model, before: dict[str, Any], form: djforms.ModelForm
) -> None:
    after = _snapshot(obj, list(before) or list(form._meta.fields or []))
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if "password" in form.changed_data:
        changes["password"] = ["***", "***"]
    if changes:
        ConfigChange.objects.create(
            organisation=request.staff.organisation,
            actor=request.staff,
            actor_label=request.staff.name,
            entity=obj._meta.model_name or "",
            entity_id=str(obj.pk),
            label=str(obj),
            changes=changes,
        )


@admin_required
def overview(request: StaffRequest) -> HttpResponse:
    changes = ConfigChange.objects.filter(organisation=request.staff.organisation)[:20]
    return render(
        request,
        "workspace/config/overview.html",
        {"sections": SECTIONS.values(), "changes": changes},
    )


@admin_required
def organisation(request: StaffRequest) -> HttpResponse:
    org = request.staff.organisation
    # Snapshot before validation: a valid ModelForm writes into its instance.
    before = _snapshot(org, list(OrganisationForm.Meta.fields))
    form = OrganisationForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            _log(request, org, before, form)
        messages.success(request, _("Einstellungen gespeichert."))
        return redirect("workspace:config_organisation")
    return render(
        request,
        "workspace/config/edit.html",
        {"form": form, "title": _("Organisation"), "back": "workspace:config"},
        status=400 if form.errors else 200,
    )


def _section(slug: str) -> Section:
    try:
        return SECTIONS[slug]
    except KeyError:
        raise Http404 from None


@admin_required
def section_list(request: StaffRequest, section: str) -> HttpResponse:
    sec = _section(section)
    rows = [
        (obj, [fn(obj) for _, fn in sec.columns])
        for obj in sec.queryset(request.staff.organisation)
    ]
    return render(
        request,
        "workspace/config/list.html",
        {"section": sec, "headers": [label for label, _ in sec.columns], "rows": rows},
    )


@admin_required
def section_edit(request: StaffRequest, section: str, pk: int | None = None) -> HttpResponse:
    sec = _section(section)
    org = request.staff.organisation
    instance: Model | None = (
        sec.model(organisation=org) if pk is None else sec.queryset(org).filter(pk=pk).first()
    )
    if instance is None:
        raise Http404
    before = _snapshot(instance, list(sec.form._meta.fields or [])) if pk else {}
    form = sec.form(request.POST or None, instance=instance, organisation=org)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            obj = form.save()
            _log(request, obj, before, form)
        messages.success(request, _("Gespeichert: %(name)s") % {"name": obj})
        return redirect("workspace:config_section", section=sec.slug)
    title = (_("%(what)s bearbeiten") if pk else _("%(what)s anlegen")) % {"what": sec.singular}
    return render(
        request,
        "workspace/config/edit.html",
        {"form": form, "title": title, "section": sec},
        status=400 if form.errors else 200,
    )
