"""Administrator rules (conditions → actions), reply templates and the audit of their changes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from buergerticket.org.models import Organisation, Staff


class RuleMatch(models.TextChoices):
    ALL = "all", _("alle Bedingungen")
    ANY = "any", _("mindestens eine Bedingung")


class Rule(models.Model):
    """An ordered rule. ``conditions``/``actions`` are lists of dicts (see ``rules.schema``).

    ``version`` grows with every change; the history of a case names the version
    that fired, and ``RuleRevision`` keeps what that version said.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(_("Name"), max_length=120)
    description = models.TextField(_("Beschreibung"), blank=True)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    active = models.BooleanField(_("aktiv"), default=True)
    match = models.CharField(
        _("Auslösen bei"), max_length=3, choices=RuleMatch.choices, default=RuleMatch.ALL
    )
    stop_processing = models.BooleanField(_("danach keine weiteren Regeln"), default=False)
    conditions = models.JSONField(default=list)
    actions = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("Regel")
        verbose_name_plural = _("Regeln")
        ordering = ["organisation", "position", "id"]
        indexes = [models.Index(fields=["organisation", "active", "position"], name="rule_order")]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """How the rule appears as the actor in a case's history."""
        return f"Regel „{self.name}“ v{self.version}"


class RuleRevision(models.Model):
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    staff = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["rule", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="rule_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"


class ReplyTemplate(models.Model):
    """A text a rule can send as the reply to a new case (placeholders see docs/automation.md)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reply_templates"
    )
    name = models.CharField(_("Name"), max_length=120)
    subject = models.CharField(_("Betreff"), max_length=200, blank=True)
    body = models.TextField(_("Text"))
    active = models.BooleanField(_("aktiv"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Antwortvorlage")
        verbose_name_plural = _("Antwortvorlagen")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="reply_template_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AutomationSettings(models.Model):
    """Per-organisation switches that are not part of the catalog."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="automation_settings"
    )
    router_enabled = models.BooleanField(_("Zuordnung per Modell aktiv"), default=True)
    # Set by the "train now" button; the worker trains and clears it.
    training_requested_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the worker that trains, so two workers never train the same organisation.
    training_started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.organisation}"


class AutomationChange(models.Model):
    """Audit trail of configuration changes (rules, templates, switches, training)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    details = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "-at"], name="automation_change_org_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"
