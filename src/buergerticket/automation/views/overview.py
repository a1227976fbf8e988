"""The automation overview: rules in order, per-service switches, router status, templates."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from buergerticket.automation import handlers
from buergerticket.automation.contracts.selectors import last_import
from buergerticket.automation.models import AutomationChange, ReplyTemplate, RouterModel, Rule
from buergerticket.automation.rules import services as rule_services
from buergerticket.automation.rules.engine import describe_action, describe_condition
from buergerticket.catalog.models import Service
from buergerticket.workspace.access import StaffRequest, role_required

ADMIN = "administration"
CHANGE_KINDS = {  # gettext_lazy: evaluated in the request's language
    "rule_created": gettext_lazy("Regel angelegt"),
    "rule_changed": gettext_lazy("Regel geändert"),
    "rule_deleted": gettext_lazy("Regel gelöscht"),
    "rule_moved": gettext_lazy("Reihenfolge geändert"),
    "service_automation": gettext_lazy("Automatisierung je Leistung"),
    "router_switched": gettext_lazy("Zuordnung geschaltet"),
    "training_requested": gettext_lazy("Training angefordert"),
    "router_trained": gettext_lazy("Modell trainiert"),
    "template_saved": gettext_lazy("Vorlage gespeichert"),
}


@role_required(ADMIN)
def overview(request: StaffRequest) -> HttpResponse:
    organisation = request.staff.organisation
    rules = list(Rule.objects.filter(organisation=organisation).order_by("position", "id"))
    for rule in rules:
        rule.condition_texts = [describe_condition(c) for c in rule.conditions]  # type: ignore[attr-defined]
        rule.action_texts = [describe_action(a) for a in rule.actions]  # type: ignore[attr-defined]
    model = RouterModel.objects.filter(organisation=organisation, active=True).first()
    services = list(Service.objects.filter(organisation=organisation, active=True).order_by("name"))
    return render(
        request,
        "automation/overview.html",
        {
            "rules": rules,
            "services": services,
            "handlers": {h.name: h.label for h in handlers.available()},
            "model": model,
            "settings": rule_services.settings_for(organisation),
            "templates": ReplyTemplate.objects.filter(organisation=organisation),
            "last_import": last_import(organisation),
            "changes": [
                (change, CHANGE_KINDS.get(change.kind, change.kind))
                for change in AutomationChange.objects.filter(organisation=organisation)[:15]
            ],
        },
    )


@role_required(ADMIN)
@require_POST
def move_rule(request: StaffRequest, pk: int, direction: str) -> HttpResponse:
    rule = Rule.objects.filter(organisation=request.staff.organisation, pk=pk).first()
    if rule is None or direction not in ("hoch", "runter"):
        raise Http404
    rule_services.move_rule(rule, staff=request.staff, up=direction == "hoch")
    messages.success(request, _("Reihenfolge geändert."))
    return redirect("automation:overview")


@role_required(ADMIN)
@require_POST
def toggle_service(request: StaffRequest, pk: int) -> HttpResponse:
    service = Service.objects.filter(organisation=request.staff.organisation, pk=pk).first()
    if service is None:
        raise Http404
    enabled = not service.automation_enabled
    rule_services.set_service_automation(service, enabled=enabled, staff=request.staff)
    if enabled:
        messages.success(
            request, _("Automatisierung für „%(name)s“ eingeschaltet.") % {"name": service.name}
        )
    else:
        messages.success(
            request, _("Automatisierung für „%(name)s“ ausgeschaltet.") % {"name": service.name}
        )
    return redirect("automation:overview")


@role_required(ADMIN)
@require_POST
def toggle_router(request: StaffRequest) -> HttpResponse:
    organisation = request.staff.organisation
    enabled = not rule_services.settings_for(organisation).router_enabled
    rule_services.set_router_enabled(organisation, enabled=enabled, staff=request.staff)
    messages.success(
        request,
        _("Zuordnung per Modell eingeschaltet.")
        if enabled
        else _("Zuordnung per Modell ausgeschaltet."),
    )
    return redirect("automation:overview")


@role_required(ADMIN)
@require_POST
def request_training(request: StaffRequest) -> HttpResponse:
    rule_services.request_training(request.staff.organisation, staff=request.staff)
    messages.success(
        request,
        _("Training angefordert; die Hintergrundverarbeitung trainiert das Modell in Kürze."),
    )
    return redirect("automation:overview")
