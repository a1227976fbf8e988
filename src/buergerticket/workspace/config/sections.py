"""The configuration sections administrators edit: what model, which form, which columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from buergerticket.catalog.models import FilePlanEntry, Service
from buergerticket.org.models import Department, Organisation, Staff
from buergerticket.workspace.config import forms


@dataclass(frozen=True)
class Section:
    slug: str
    title: str | Promise
    singular: str | Promise
    model: type[Model]
    form: type[forms.ScopedModelForm]
    queryset: Callable[[Organisation], QuerySet[Any]]
    columns: tuple[tuple[str | Promise, Callable[[Any], Any]], ...]


def _roles(staff: Staff) -> str:
    return ", ".join(staff.roles)


SECTIONS = {
    section.slug: section
    for section in (
        Section(
            "fachbereiche",
            _("Fachbereiche"),
            _("Fachbereich"),
            Department,
            forms.DepartmentForm,
            lambda org: Department.objects.filter(organisation=org).select_related("lead"),
            (
                (_("Kürzel"), lambda d: d.code),
                (_("Name"), lambda d: d.name),
                (_("Leitung"), lambda d: d.lead or "—"),
            ),
        ),
        Section(
            "mitarbeitende",
            _("Mitarbeitende"),
            _("Mitarbeiter:in"),
            Staff,
            forms.StaffForm,
            lambda org: Staff.objects.filter(organisation=org).select_related(
                "user", "department", "deputy"
            ),
            (
                (_("Name"), lambda s: s.name),
                (_("Benutzername"), lambda s: s.user.username),
                (_("Fachbereich"), lambda s: s.department.code),
                (_("Rollen"), _roles),
                (_("Vertretung"), lambda s: s.deputy or "—"),
                (_("aktiv"), lambda s: _("ja") if s.active else _("nein")),
            ),
        ),
        Section(
            "leistungen",
            _("Leistungen"),
            _("Leistung"),
            Service,
            forms.ServiceForm,
            lambda org: Service.objects.filter(organisation=org).select_related(
                "department", "owner", "file_plan"
            ),
            (
                (_("Name"), lambda s: s.name),
                (_("Kennung"), lambda s: s.code),
                (_("Fachbereich"), lambda s: s.department.code),
                (_("Zuständig"), lambda s: s.owner),
                (_("Frist"), lambda s: f"{s.deadline_days} {s.get_deadline_unit_display()}"),
            ),
        ),
        Section(
            "aktenplan",
            _("Aktenplan"),
            _("Aktenplaneintrag"),
            FilePlanEntry,
            forms.FilePlanForm,
            lambda org: FilePlanEntry.objects.filter(organisation=org),
            (
                (_("Kennzeichen"), lambda e: e.code),
                (_("Bezeichnung"), lambda e: e.title),
                (_("Aufbewahrung"), lambda e: _("%(years)s Jahre") % {"years": e.retention_years}),
                (_("Aussonderung"), lambda e: e.get_disposal_display()),
            ),
        ),
    )
}
