"""Changing the automation configuration: rules, templates, switches — each change audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from buergerticket.automation.models import (
    AutomationChange,
    AutomationSettings,
    ReplyTemplate,
    Rule,
    RuleRevision,
)
from buergerticket.catalog.models import Service
from buergerticket.core import memo
from buergerticket.org.models import Organisation, Staff

from .schema import check_rule


class RuleError(Exception):
    """The configuration change is not possible; ``problems`` are German messages."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _audit(
    organisation: Organisation, staff: Staff | None, kind: str, subject: str, **details: Any
) -> None:
    AutomationChange.objects.create(
        organisation=organisation,
        staff=staff,
        actor_label=staff.name if staff else "System",
        kind=kind,
        subject=subject[:200],
        details=details,
    )


def _snapshot(rule: Rule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "description": rule.description,
        "active": rule.active,
        "match": rule.match,
        "stop_processing": rule.stop_processing,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "position": rule.position,
    }


def save_rule(
    organisation: Organisation,
    *,
    staff: Staff | None,
    data: dict[str, Any],
    rule: Rule | None = None,
) -> Rule:
    """Create or change a rule; every saved change is a new version with a revision."""
    conditions = list(data.get("conditions") or [])
    actions = list(data.get("actions") or [])
    problems = check_rule(conditions, actions, organisation)
    name = str(data.get("name") or "").strip()
    if not name:
        problems.insert(0, "Bitte einen Namen angeben.")
    if problems:
        raise RuleError(problems)
    with transaction.atomic():
        if rule is None:
            last = Rule.objects.filter(organisation=organisation).aggregate(p=Max("position"))
            rule = Rule(organisation=organisation, position=(last["p"] or 0) + 10, version=0)
        elif rule.organisation_id != organisation.pk:
            raise RuleError(["Die Regel gehört zu einer anderen Organisation."])
        else:
            rule = Rule.objects.select_for_update().get(pk=rule.pk)
        rule.name = name[:120]
        rule.description = str(data.get("description") or "")
        rule.active = bool(data.get("active", True))
        rule.match = "any" if data.get("match") == "any" else "all"
        rule.stop_processing = bool(data.get("stop_processing", False))
        rule.conditions = conditions
        rule.actions = actions
        rule.version += 1
        rule.updated_by = staff
        rule.save()
        RuleRevision.objects.create(
            rule=rule, version=rule.version, snapshot=_snapshot(rule), staff=staff
        )
        _audit(
            organisation,
            staff,
            "rule_created" if rule.version == 1 else "rule_changed",
            rule.name,
            rule=rule.pk,
            version=rule.version,
        )
    return rule


def delete_rule(rule: Rule, *, staff: Staff | None) -> None:
    with transaction.atomic():
        _audit(
            rule.organisation,
            staff,
            "rule_deleted",
            rule.name,
            rule=rule.pk,
            version=rule.version,
            snapshot=_snapshot(rule),
        )
        rule.delete()


def move_rule(rule: Rule, *, staff: Staff | None, up: bool) -> None:
    """Swap the rule with its neighbour; positions are renumbered 10, 20, …"""
    with transaction.atomic():
        rules = list(
            Rule.objects.select_for_update()
            .filter(organisation_id=rule.organisation_id)
            .order_by("position", "id")
        )
        index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(rules):
            return
        rules[index], rules[other] = rules[other], rules[index]
        for position, item in enumerate(rules, start=1):
            if item.position != position * 10:
                Rule.objects.filter(pk=item.pk).update(position=position * 10)
        memo.clear_all()  # queryset updates send no post_save
        _audit(rule.organisation, staff, "rule_moved", rule.name, rule=rule.pk, up=up)


def set_service_automation(service: Service, *, enabled: bool, staff: Staff | None) -> None:
    """The per-service switch (``Service.automation_enabled``)."""
    if service.automation_enabled == enabled:
        return
    with transaction.atomic():
        Service.objects.filter(pk=service.pk).update(automation_enabled=enabled)
        memo.clear_all()  # queryset updates send no post_save
        service.automation_enabled = enabled
        _audit(
            service.organisation,
            staff,
            "service_automation",
            service.name,
            service=service.code,
            enabled=enabled,
        )


def settings_for(organisation: Organisation) -> AutomationSettings:
    settings, _ = AutomationSettings.objects.get_or_create(organisation=organisation)
    return settings


def set_router_enabled(organisation: Organisation, *, enabled: bool, staff: Staff | None) -> None:
    with transaction.atomic():
        settings = settings_for(organisation)
        if settings.router_enabled == enabled:
            return
        settings.router_enabled = enabled
        settings.save(update_fields=["router_enabled"])
        _audit(organisation, staff, "router_switched", "Zuordnungsmodell", enabled=enabled)


def request_training(organisation: Organisation, *, staff: Staff | None) -> None:
    with transaction.atomic():
        settings = settings_for(organisation)
        settings.training_requested_at = timezone.now()
        settings.save(update_fields=["training_requested_at"])
        _audit(organisation, staff, "training_requested", "Zuordnungsmodell")


def save_template(
    organisation: Organisation,
    *,
    staff: Staff | None,
    data: dict[str, Any],
    template: ReplyTemplate | None = None,
) -> ReplyTemplate:
    name = str(data.get("name") or "").strip()
    body = str(data.get("body") or "").strip()
    problems = []
    if not name:
        problems.append("Bitte einen Namen angeben.")
    if not body:
        problems.append("Der Text der Vorlage ist leer.")
    clash = ReplyTemplate.objects.filter(organisation=organisation, name=name)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if name and clash.exists():
        problems.append(f"Eine Vorlage „{name}“ gibt es schon.")
    if problems:
        raise RuleError(problems)
    with transaction.atomic():
        template = template or ReplyTemplate(organisation=organisation)
        template.name = name[:120]
        template.subject = str(data.get("subject") or "").strip()[:200]
        template.body = body
        template.active = bool(data.get("active", True))
        template.save()
        _audit(organisation, staff, "template_saved", template.name, template=template.pk)
    return template
