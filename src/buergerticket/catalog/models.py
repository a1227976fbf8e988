"""The service catalog: file plan entries and the services an organisation offers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from buergerticket.org.models import Department, Organisation, Staff


class DisposalAction(models.TextChoices):
    DELETE = "delete", _("vernichten")
    ARCHIVE = "archive", _("dem Archiv anbieten")


class FilePlanEntry(models.Model):
    """An Aktenplan entry; it carries the retention rules of its records."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="file_plan"
    )
    code = models.CharField(_("Aktenplankennzeichen"), max_length=40)
    title = models.CharField(_("Bezeichnung"), max_length=200, blank=True)
    retention_years = models.PositiveSmallIntegerField(_("Aufbewahrungsfrist (Jahre)"), default=10)
    disposal = models.CharField(
        _("Aussonderung"),
        max_length=10,
        choices=DisposalAction.choices,
        default=DisposalAction.DELETE,
    )

    class Meta:
        verbose_name = _("Aktenplaneintrag")
        verbose_name_plural = _("Aktenplan")
        ordering = ["organisation", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="file_plan_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working", _("Arbeitstage")
    CALENDAR_DAYS = "calendar", _("Kalendertage")


class Location(models.TextChoices):
    NONE = "none", _("kein Ort")
    OPTIONAL = "optional", _("Ort freiwillig")
    REQUIRED = "required", _("Ort erforderlich")


class ClosedReply(models.TextChoices):
    REOPEN = "reopen", _("Vorgang wieder öffnen")
    FOLLOW_UP = "follow_up", _("Folgevorgang anlegen")


class Service(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services"
    )
    code = models.SlugField(_("Kennung"), max_length=60)
    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    requirements = models.TextField(_("Was wird benötigt?"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="services")
    owner = models.ForeignKey(
        Staff, verbose_name=_("Zuständig"), on_delete=models.PROTECT, related_name="owned_services"
    )
    file_plan = models.ForeignKey(FilePlanEntry, on_delete=models.PROTECT, related_name="services")
    deadline_days = models.PositiveSmallIntegerField(_("Frist"), default=10)
    deadline_unit = models.CharField(
        _("Fristart"),
        max_length=10,
        choices=DeadlineUnit.choices,
        default=DeadlineUnit.WORKING_DAYS,
    )
    fee_eur = models.DecimalField(
        _("Gebühr (EUR)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    legal_act = models.BooleanField(_("Verwaltungsakt"), default=False)
    internal = models.BooleanField(_("intern"), default=False)
    public = models.BooleanField(_("im Portal sichtbar"), default=True)
    fallback = models.BooleanField(_("Auffangleistung"), default=False)
    open311 = models.BooleanField(_("Open311"), default=False)
    location = models.CharField(
        _("Ortsangabe"), max_length=10, choices=Location.choices, default=Location.NONE
    )
    sensitive = models.BooleanField(
        _("vertraulich"),
        default=False,
        help_text=_("Benachrichtigungen enthalten keine Inhalte."),
    )
    allow_anonymous = models.BooleanField(_("ohne Konto möglich"), default=True)
    closed_reply = models.CharField(
        _("Antwort auf abgeschlossene Vorgänge"),
        max_length=10,
        choices=ClosedReply.choices,
        default=ClosedReply.REOPEN,
    )
    automation = models.CharField(_("Automatisierung"), max_length=60, blank=True)
    automation_enabled = models.BooleanField(_("Automatisierung aktiv"), default=True)
    # Portal form definition: a list of field dicts (see docs/catalog.md).
    form = models.JSONField(_("Formular"), default=list, blank=True)
    keywords = models.CharField(_("Suchbegriffe"), max_length=500, blank=True)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Leistung")
        verbose_name_plural = _("Leistungen")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="service_code_unique"),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(fallback=True),
                name="one_fallback_service_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name
