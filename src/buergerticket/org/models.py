"""Organisations (tenants), departments, staff with roles and deputies, absences."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Path segments the portal cannot use as organisation slugs because other parts
# of the site live there.
RESERVED_SLUGS = frozenset(
    {"api", "open311", "static", "media", "arbeitsplatz", "konto", "i18n", "admin", "healthz"}
)


class Role(models.TextChoices):
    CLERK = "sachbearbeitung", _("Sachbearbeitung")
    LEAD = "leitung", _("Leitung")
    SIGNER = "schlusszeichnung", _("Schlusszeichnung")
    ADMIN = "administration", _("Administration")
    DATA_PROTECTION = "datenschutz", _("Datenschutz")


class FederalState(models.TextChoices):
    """Subdivision codes as used by the ``holidays`` library for Germany."""

    BW = "BW", "Baden-Württemberg"
    BY = "BY", "Bayern"
    BE = "BE", "Berlin"
    BB = "BB", "Brandenburg"
    HB = "HB", "Bremen"
    HH = "HH", "Hamburg"
    HE = "HE", "Hessen"
    MV = "MV", "Mecklenburg-Vorpommern"
    NI = "NI", "Niedersachsen"
    NW = "NW", "Nordrhein-Westfalen"
    RP = "RP", "Rheinland-Pfalz"
    SL = "SL", "Saarland"
    SN = "SN", "Sachsen"
    ST = "ST", "Sachsen-Anhalt"
    SH = "SH", "Schleswig-Holstein"
    TH = "TH", "Thüringen"


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("Die Kennung „%(slug)s“ ist reserviert."), params={"slug": value})


class Organisation(models.Model):
    slug = models.SlugField(_("Kennung"), unique=True, validators=[validate_slug_not_reserved])
    name = models.CharField(_("Name"), max_length=200)
    mailbox = models.EmailField(_("Sammelpostfach"), blank=True)
    file_number_pattern = models.CharField(
        _("Aktenzeichen-Muster"), max_length=100, default="{file_plan}-{seq:05d}/{year}"
    )
    state = models.CharField(
        _("Bundesland"), max_length=2, choices=FederalState.choices, default=FederalState.NW
    )
    # Free-form texts for the portal's legal pages, configured per organisation.
    imprint = models.TextField(_("Impressum"), blank=True)
    privacy_notice = models.TextField(_("Datenschutzhinweise"), blank=True)
    accessibility_statement = models.TextField(_("Erklärung zur Barrierefreiheit"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="departments"
    )
    code = models.CharField(_("Kürzel"), max_length=20)
    name = models.CharField(_("Name"), max_length=200)
    triage = models.BooleanField(_("Eingangssteuerung"), default=False)
    internal = models.BooleanField(_("intern"), default=False)
    lead = models.ForeignKey(
        "Staff",
        verbose_name=_("Leitung"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who receives cases handed over (Abgabe) to this department without a
    # service of its own; defaults to the lead.
    intake_owner = models.ForeignKey(
        "Staff",
        verbose_name=_("Eingang bei Abgabe"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Fachbereich")
        verbose_name_plural = _("Fachbereiche")
        ordering = ["organisation", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="department_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class User(AbstractUser):
    """Login identity for staff and citizen accounts.

    Usernames are unique in the installation; what a person may do comes from
    their :class:`Staff` record (tenant, department, roles), never from this row.
    """

    language = models.CharField(_("Sprache"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("Benutzerkonto")
        verbose_name_plural = _("Benutzerkonten")


class Staff(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail"), blank=True)
    roles = models.JSONField(_("Rollen"), default=list)
    deputy = models.ForeignKey(
        "self",
        verbose_name=_("Vertretung"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputising_for",
    )
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Mitarbeiter:in")
        verbose_name_plural = _("Mitarbeitende")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def username(self) -> str:
        return self.user.username

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_lead(self) -> bool:
        return Role.LEAD in self.roles

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def works_cases(self) -> bool:
        return Role.CLERK in self.roles or Role.LEAD in self.roles


class Absence(models.Model):
    """A date range (inclusive) in which a staff member does not work cases."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="absences")
    start = models.DateField(_("von"))
    end = models.DateField(_("bis"))
    note = models.CharField(_("Hinweis"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the worker when the person's open cases moved to the deputy and
    # when they came back; both make the moves happen exactly once.
    applied_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Abwesenheit")
        verbose_name_plural = _("Abwesenheiten")
        ordering = ["start"]
        indexes = [models.Index(fields=["staff", "start", "end"], name="absence_staff_range")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="absence_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff}: {self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}"

    def covers(self, day: dt.date) -> bool:
        return self.cancelled_at is None and self.start <= day <= self.end


class ConfigChange(models.Model):
    """Who changed which configuration entry, when, from what to what (append-only)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="config_changes"
    )
    actor = models.ForeignKey(Staff, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)
    entity = models.CharField(max_length=60)
    entity_id = models.CharField(max_length=60)
    label = models.CharField(max_length=300)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["organisation", "-at"], name="config_change_org_at")]

    def __str__(self) -> str:
        return f"{self.entity} {self.label} ({self.at:%d.%m.%Y %H:%M})"
