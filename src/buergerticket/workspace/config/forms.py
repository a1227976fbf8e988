"""Configuration forms for administrators; every choice is limited to their organisation."""

from __future__ import annotations

import json
from typing import Any

import yaml
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from buergerticket.catalog.forms_schema import check_form
from buergerticket.catalog.models import FilePlanEntry, Service
from buergerticket.catalog.validation import check_file_number_pattern
from buergerticket.catalog.yaml_source import Problems
from buergerticket.org.models import Department, Organisation, Role, Staff, User

INPUT = {"class": "kern-form-input__input"}


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            continue
        css = (
            "kern-form-input__select"
            if isinstance(widget, forms.Select)
            else ("kern-form-input__input")
        )
        widget.attrs.setdefault("class", css)


class ScopedModelForm(forms.ModelForm):
    """A model form whose foreign-key choices come only from ``organisation``."""

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
                model = field.queryset.model
                if model is Staff:
                    field.queryset = Staff.objects.filter(organisation=organisation).order_by(
                        "name"
                    )
                elif model is Department:
                    field.queryset = Department.objects.filter(organisation=organisation)
                elif model is FilePlanEntry:
                    field.queryset = FilePlanEntry.objects.filter(organisation=organisation)
        _style(self)


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "mailbox",
            "file_number_pattern",
            "state",
            "imprint",
            "privacy_notice",
            "accessibility_statement",
        ]

    def __init__(self, data: Any = None, *, organisation: Organisation):
        super().__init__(data, instance=organisation)
        _style(self)

    def clean_file_number_pattern(self) -> str:
        pattern = self.cleaned_data["file_number_pattern"]
        if problem := check_file_number_pattern(pattern):
            raise forms.ValidationError(_("Das Muster %(problem)s.") % {"problem": problem})
        return str(pattern)


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "triage", "internal", "lead", "intake_owner"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("code")
        others = Department.objects.filter(organisation=self.organisation, code=code)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if code and others.exists():
            self.add_error("code", _("Dieses Kürzel ist schon vergeben."))
        for key in ("lead", "intake_owner"):
            person = data.get(key)
            if person is not None and self.instance.pk and person.department_id != self.instance.pk:
                self.add_error(key, _("Die Person gehört nicht zu diesem Fachbereich."))
        return data


class StaffForm(ScopedModelForm):
    username = forms.CharField(label=_("Benutzername"), max_length=150)
    roles = forms.MultipleChoiceField(
        label=_("Rollen"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    password = forms.CharField(
        label=_("Neues Passwort"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leer lassen, um das Passwort nicht zu ändern."),
    )

    class Meta:
        model = Staff
        fields = ["name", "email", "department", "roles", "deputy", "active"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["username"].initial = self.instance.user.username
            self.fields["username"].disabled = True
        self.order_fields(
            ["username", "name", "email", "department", "roles", "deputy", "active", "password"]
        )

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"]).strip()
        if not self.instance.pk and User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("Dieser Benutzername ist schon vergeben."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        deputy = data.get("deputy")
        if deputy is not None and self.instance.pk and deputy.pk == self.instance.pk:
            self.add_error("deputy", _("Niemand vertritt sich selbst."))
        password = data.get("password")
        if password:
            user = (
                self.instance.user
                if self.instance.pk
                else User(username=str(data.get("username", "")))
            )
            try:
                validate_password(password, user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data

    def save(self, commit: bool = True) -> Staff:
        staff: Staff = super().save(commit=False)
        if not staff.pk:
            user = User(username=self.cleaned_data["username"], email=staff.email)
            user.set_unusable_password()
            user.save()
            staff.user = user
            staff.organisation = self.organisation
        if self.cleaned_data.get("password"):
            staff.user.set_password(self.cleaned_data["password"])
            staff.user.save(update_fields=["password"])
        staff.save()
        return staff


class FilePlanForm(ScopedModelForm):
    class Meta:
        model = FilePlanEntry
        fields = ["code", "title", "retention_years", "disposal"]


class ServiceForm(ScopedModelForm):
    form_definition = forms.CharField(
        label=_("Formular (YAML oder JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Liste der Formularfelder, Aufbau siehe Dokumentation (docs/catalog.md)."),
    )

    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "description",
            "requirements",
            "department",
            "owner",
            "file_plan",
            "deadline_days",
            "deadline_unit",
            "fee_eur",
            "legal_act",
            "internal",
            "public",
            "fallback",
            "open311",
            "location",
            "sensitive",
            "allow_anonymous",
            "closed_reply",
            "automation",
            "automation_enabled",
            "keywords",
            "active",
        ]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.form:
            self.fields["form_definition"].initial = yaml.safe_dump(
                self.instance.form, allow_unicode=True, sort_keys=False
            )

    def clean_form_definition(self) -> list[Any]:
        text = str(self.cleaned_data.get("form_definition") or "").strip()
        if not text:
            return []
        try:
            value = json.loads(text) if text.startswith("[") else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise forms.ValidationError(
                _("Kein gültiges YAML/JSON: %(error)s") % {"error": exc}
            ) from None
        if not isinstance(value, list):
            raise forms.ValidationError(_("Erwartet eine Liste von Formularfeldern."))
        problems = Problems(str(_("Formular")))
        check_form(value, "form", problems)
        if problems:
            raise forms.ValidationError(problems.items)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owner, department = data.get("owner"), data.get("department")
        if owner and department and owner.department_id != department.pk:
            self.add_error("owner", _("Die zuständige Person gehört nicht zum Fachbereich."))
        code = data.get("code")
        same = Service.objects.filter(organisation=self.organisation, code=code)
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        if code and same.exists():
            self.add_error("code", _("Diese Kennung ist schon vergeben."))
        if data.get("fallback"):
            other = Service.objects.filter(organisation=self.organisation, fallback=True)
            if self.instance.pk:
                other = other.exclude(pk=self.instance.pk)
            if other.exists():
                self.add_error(
                    "fallback",
                    _("Es gibt schon eine Auffangleistung: %(name)s.") % {"name": other.first()},
                )
        return data

    def save(self, commit: bool = True) -> Service:
        service: Service = super().save(commit=False)
        service.organisation = self.organisation
        service.form = self.cleaned_data.get("form_definition") or []
        service.save()
        return service
