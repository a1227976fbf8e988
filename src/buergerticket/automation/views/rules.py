"""Editing one rule, with a dry run of the edited (unsaved) version."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.automation import forms
from buergerticket.automation.dryrun import Sample, dry_run
from buergerticket.automation.models import ReplyTemplate, Rule
from buergerticket.automation.rules import schema
from buergerticket.automation.rules import services as rule_services
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department
from buergerticket.workspace.access import StaffRequest, role_required

ADMIN = "administration"


def _rule(request: StaffRequest, pk: int | None) -> Rule | None:
    if pk is None:
        return None
    rule = Rule.objects.filter(organisation=request.staff.organisation, pk=pk).first()
    if rule is None:
        raise Http404
    return rule


def _rows(formset: Any, blank: int = 0) -> list[dict[str, Any]]:
    """The rows as typed (blank ones included) plus ``blank`` new ones."""
    rows = [dict(getattr(f, "cleaned_data", None) or {}) for f in formset.forms]
    return rows + [{} for _ in range(blank)]


def _reference(request: StaffRequest) -> dict[str, Any]:
    organisation = request.staff.organisation
    return {
        "ref_services": Service.objects.filter(organisation=organisation, active=True).order_by(
            "code"
        ),
        "ref_departments": Department.objects.filter(organisation=organisation),
        "ref_templates": ReplyTemplate.objects.filter(organisation=organisation),
        "ref_handlers": forms.handler_names(),
        "ref_fields": schema.FIELDS,
        "ref_operators": schema.OPERATORS_BY_KIND,
    }


@role_required(ADMIN)
def edit_rule(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    staff = request.staff
    rule = _rule(request, pk)
    organisation = staff.organisation
    # The sample is only validated for a dry run; otherwise it just keeps what was typed.
    dry = request.method == "POST" and "dry_run" in request.POST
    kept = {
        key.removeprefix("probe-"): value
        for key, value in request.POST.items()
        if key.startswith("probe-")
    }
    sample = forms.SampleForm(
        request.POST if dry else None,
        initial=kept,
        prefix="probe",
        organisation_id=organisation.pk,
    )
    status = 200
    result = None
    if request.method == "POST":
        form = forms.RuleForm(request.POST)
        conditions = forms.ConditionFormSet(request.POST, prefix="c")
        actions = forms.ActionFormSet(request.POST, prefix="a")
        valid = form.is_valid() & conditions.is_valid() & actions.is_valid()
        adding = "add_condition" in request.POST or "add_action" in request.POST
        if valid and adding:
            conditions = forms.ConditionFormSet(
                initial=_rows(conditions, int("add_condition" in request.POST)), prefix="c"
            )
            actions = forms.ActionFormSet(
                initial=_rows(actions, int("add_action" in request.POST)), prefix="a"
            )
        elif valid:
            data = {
                **form.cleaned_data,
                "conditions": [c for f in conditions.forms if (c := f.as_condition())],
                "actions": [a for f in actions.forms if (a := f.as_action())],
            }
            if dry:
                problems = schema.check_rule(data["conditions"], data["actions"], organisation)
                if problems:
                    form.add_error(None, " ".join(problems))
                    status = 400
                elif sample.is_valid():
                    draft_rule = Rule(
                        organisation=organisation,
                        pk=rule.pk if rule else None,
                        name=data["name"],
                        match=data["match"],
                        stop_processing=data["stop_processing"],
                        conditions=data["conditions"],
                        actions=data["actions"],
                        version=(rule.version + 1) if rule else 1,
                    )
                    result = dry_run(organisation, _sample(sample), rules=[draft_rule])
                else:
                    status = 400
            else:
                try:
                    saved = rule_services.save_rule(organisation, staff=staff, data=data, rule=rule)
                except rule_services.RuleError as exc:
                    for problem in exc.problems:
                        form.add_error(None, problem)
                    status = 400
                else:
                    messages.success(
                        request,
                        _("Regel „%(name)s“ gespeichert (Version %(version)s).")
                        % {"name": saved.name, "version": saved.version},
                    )
                    return redirect("automation:overview")
        else:
            status = 400
    else:
        initial = {"active": True, "match": "all"}
        if rule is not None:
            initial = {
                "name": rule.name,
                "description": rule.description,
                "match": rule.match,
                "active": rule.active,
                "stop_processing": rule.stop_processing,
            }
        form = forms.RuleForm(initial=initial)
        conditions = forms.ConditionFormSet(
            initial=(rule.conditions if rule else []) + [{}], prefix="c"
        )
        actions = forms.ActionFormSet(initial=(rule.actions if rule else []) + [{}], prefix="a")
    return render(
        request,
        "automation/rule_edit.html",
        {
            "rule": rule,
            "form": form,
            "conditions": conditions,
            "actions": actions,
            "sample": sample,
            "result": result,
            **_reference(request),
        },
        status=status,
    )


def _sample(form: forms.SampleForm) -> Sample:
    data = form.cleaned_data
    return Sample(
        channel=data["channel"],
        subject=data["subject"],
        text=data["text"],
        sender=data["sender"] or "",
        service=data["service"],
        form_data=data["form_values"],
        received_at=data["received_at"],
    )


@role_required(ADMIN)
@require_POST
def delete_rule(request: StaffRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    assert rule is not None
    rule_services.delete_rule(rule, staff=request.staff)
    messages.success(request, _("Regel „%(name)s“ gelöscht.") % {"name": rule.name})
    return redirect("automation:overview")


@role_required(ADMIN)
def dry_run_page(request: StaffRequest) -> HttpResponse:
    organisation = request.staff.organisation
    form = forms.SampleForm(request.POST or None, organisation_id=organisation.pk)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = dry_run(organisation, _sample(form))
        else:
            status = 400
    return render(
        request,
        "automation/dry_run.html",
        {"form": form, "result": result},
        status=status,
    )


@role_required(ADMIN)
def edit_template(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    organisation = request.staff.organisation
    template = None
    if pk is not None:
        template = ReplyTemplate.objects.filter(organisation=organisation, pk=pk).first()
        if template is None:
            raise Http404
    initial = (
        {
            "name": template.name,
            "subject": template.subject,
            "body": template.body,
            "active": template.active,
        }
        if template
        else {"active": True}
    )
    form = forms.TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = rule_services.save_template(
                organisation, staff=request.staff, data=form.cleaned_data, template=template
            )
        except rule_services.RuleError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, _("Vorlage „%(name)s“ gespeichert.") % {"name": saved.name})
            return redirect("automation:overview")
    return render(
        request,
        "automation/template_edit.html",
        {"form": form, "template": template},
        status=400 if form.errors else 200,
    )
