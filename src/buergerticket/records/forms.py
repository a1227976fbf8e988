"""Forms of the records pages. Labels and messages are German (gettext source)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buergerticket.cases.models import Status
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Staff

INPUT = {"class": "kern-form-input__input"}
SELECT = {"class": "kern-form-input__select"}

STATUS_CHOICES = [
    ("", _("alle")),
    ("open", _("offen (nicht abgeschlossen)")),
    ("closed", _("abgeschlossen (Archiv)")),
    *Status.choices,
]
SORT_CHOICES = [
    ("relevanz", _("Relevanz")),
    ("neueste", _("neueste zuerst")),
]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Suchbegriffe"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={**INPUT, "type": "search", "autocomplete": "off"}),
        help_text=_(
            "Aktenzeichen, Name, Wörter aus Betreff, Text, Nachrichten, Vermerken oder Anhängen. "
            "„Phrase in Anführungszeichen“, Wortanfang*, -ausschließen, a ODER b."
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=STATUS_CHOICES, widget=forms.Select(attrs=SELECT)
    )
    service = forms.ModelChoiceField(
        label=_("Leistung"),
        required=False,
        queryset=Service.objects.none(),
        empty_label=_("alle"),
        widget=forms.Select(attrs=SELECT),
    )
    department = forms.ModelChoiceField(
        label=_("Fachbereich"),
        required=False,
        queryset=Department.objects.none(),
        empty_label=_("alle"),
        widget=forms.Select(attrs=SELECT),
    )
    owner = forms.ModelChoiceField(
        label=_("Zuständig"),
        required=False,
        queryset=Staff.objects.none(),
        empty_label=_("alle"),
        widget=forms.Select(attrs=SELECT),
    )
    von = forms.DateField(
        label=_("Eingang ab"),
        required=False,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
    )
    bis = forms.DateField(
        label=_("Eingang bis"),
        required=False,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
    )
    sort = forms.ChoiceField(
        label=_("Sortierung"),
        required=False,
        choices=SORT_CHOICES,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: object, staff: Staff, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        org = staff.organisation_id
        self._set_queryset("service", Service.objects.filter(organisation_id=org).order_by("name"))
        self._set_queryset(
            "department", Department.objects.filter(organisation_id=org).order_by("code")
        )
        self._set_queryset(
            "owner", Staff.objects.filter(organisation_id=org, active=True).order_by("name")
        )

    def _set_queryset(self, name: str, queryset: object) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset  # type: ignore[assignment]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("von"), data.get("bis")
        if start and end and start > end:
            self.add_error("bis", _("Das Bis-Datum liegt vor dem Ab-Datum."))
        return data


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Begründung"), max_length=500, widget=forms.TextInput(attrs=INPUT)
    )


class ExcludeForm(forms.Form):
    note = forms.CharField(
        label=_("Grund für die Ausnahme"), max_length=500, widget=forms.TextInput(attrs=INPUT)
    )


class PersonForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"), required=False, widget=forms.EmailInput(attrs=INPUT)
    )
    name = forms.CharField(
        label=_("Name"), required=False, max_length=200, widget=forms.TextInput(attrs=INPUT)
    )
    phone = forms.CharField(
        label=_("Telefon"), required=False, max_length=60, widget=forms.TextInput(attrs=INPUT)
    )
    reference = forms.CharField(
        label=_("Bezug"),
        max_length=200,
        help_text=_("Zum Beispiel das Aktenzeichen des Datenschutzantrags."),
        widget=forms.TextInput(attrs=INPUT),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not (data.get("email") or data.get("name") or data.get("phone")):
            raise forms.ValidationError(
                _("Bitte geben Sie E-Mail-Adresse, Name oder Telefon der Person an.")
            )
        return data


class ReadLogForm(forms.Form):
    aktenzeichen = forms.CharField(
        label=_("Aktenzeichen"), required=False, max_length=60, widget=forms.TextInput(attrs=INPUT)
    )
    person = forms.CharField(
        label=_("Person"), required=False, max_length=100, widget=forms.TextInput(attrs=INPUT)
    )
    von = forms.DateField(
        label=_("von"),
        required=False,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
    )
    bis = forms.DateField(
        label=_("bis"),
        required=False,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
    )


class RetentionForm(forms.Form):
    days = forms.IntegerField(
        label=_("Zugriffsprotokoll aufbewahren (Tage)"),
        min_value=1,
        max_value=3650,
        widget=forms.NumberInput(attrs=INPUT),
    )


class ServiceRuleForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Leistung"), queryset=Service.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    days = forms.IntegerField(
        label=_("Anonymisieren nach Abschluss (Tage)"),
        required=False,
        min_value=0,
        max_value=36500,
        help_text=_("Leer lassen, um die automatische Anonymisierung abzuschalten."),
        widget=forms.NumberInput(attrs=INPUT),
    )

    def __init__(self, *args: object, staff: Staff, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Service.objects.filter(organisation_id=staff.organisation_id).order_by(
            "name"
        )
