"""Forms of the automation pages (labels German, the gettext source language)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from buergerticket.automation import handlers
from buergerticket.automation.models import RuleMatch
from buergerticket.automation.rules import schema
from buergerticket.cases.models import Channel
from buergerticket.catalog.models import Service

INPUT = {"class": "kern-form-input__input"}
SELECT = {"class": "kern-form-input__select"}
CHECK = {"class": "kern-form-check__checkbox"}


def _choices(mapping: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(key, label) for key, label in mapping.items()]


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs=INPUT))
    description = forms.CharField(
        label=_("Beschreibung"),
        required=False,
        widget=forms.Textarea(attrs={**INPUT, "rows": "2"}),
    )
    match = forms.ChoiceField(
        label=_("Die Regel greift bei"),
        choices=RuleMatch.choices,
        widget=forms.Select(attrs=SELECT),
    )
    active = forms.BooleanField(label=_("aktiv"), required=False, widget=forms.CheckboxInput(CHECK))
    stop_processing = forms.BooleanField(
        label=_("danach keine weiteren Regeln prüfen"),
        required=False,
        widget=forms.CheckboxInput(CHECK),
    )


class ConditionForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Feld"),
        choices=[("", "—"), *_choices({k: v[0] for k, v in schema.FIELDS.items()})],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    key = forms.CharField(
        label=_("Formularfeld"),
        required=False,
        max_length=40,
        help_text=_("nur bei „Formularfeld“"),
        widget=forms.TextInput(attrs=INPUT),
    )
    op = forms.ChoiceField(
        label=_("Vergleich"),
        choices=_choices(schema.OPERATORS),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    value = forms.CharField(
        label=_("Wert"),
        required=False,
        max_length=schema.MAX_VALUE,
        help_text=_("mehrere durch Komma getrennt"),
        widget=forms.TextInput(attrs=INPUT),
    )

    def as_condition(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", None) or {}
        if not data.get("field"):
            return None
        condition = {"field": data["field"], "op": data.get("op") or "", "value": data["value"]}
        if data["field"] == "form":
            condition["key"] = data.get("key", "").strip()
        return condition


class ActionForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Aktion"),
        choices=[("", "—"), *_choices(schema.ACTIONS)],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    value = forms.CharField(
        label=_("Wert"),
        required=False,
        max_length=200,
        help_text=_(
            "Kennung der Leistung oder des Fachbereichs, Priorität 1–4, Schlagwort, "
            "Nummer der Vorlage oder Name der Automatisierung"
        ),
        widget=forms.TextInput(attrs=INPUT),
    )

    def as_action(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", None) or {}
        if not data.get("type"):
            return None
        return {"type": data["type"], "value": data.get("value", "").strip()}


ConditionFormSet = formset_factory(ConditionForm, extra=0)
ActionFormSet = formset_factory(ActionForm, extra=0)


class SampleForm(forms.Form):
    """A sample request for the dry run."""

    channel = forms.ChoiceField(
        label=_("Eingangskanal"),
        choices=Channel.choices,
        initial=Channel.EMAIL,
        widget=forms.Select(attrs=SELECT),
    )
    sender = forms.CharField(
        label=_("Absenderadresse"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs=INPUT),
    )
    service = forms.ModelChoiceField(
        label=_("Leistung (wie im Formular gewählt)"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("— keine, wird ermittelt —"),
        widget=forms.Select(attrs=SELECT),
    )
    subject = forms.CharField(
        label=_("Betreff"), max_length=300, widget=forms.TextInput(attrs=INPUT)
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={**INPUT, "rows": "6"}),
    )
    form_values = forms.CharField(
        label=_("Formularwerte"),
        required=False,
        help_text=_("eine Angabe je Zeile: name=wert"),
        widget=forms.Textarea(attrs={**INPUT, "rows": "2"}),
    )
    received_at = forms.DateTimeField(
        label=_("Eingang am"),
        required=False,
        widget=forms.DateTimeInput(attrs={**INPUT, "type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M"],
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Service.objects.filter(
            organisation_id=organisation_id, active=True
        ).order_by("name")

    def clean_form_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["form_values"].splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise forms.ValidationError(
                    _("Zeile %(n)s: bitte als name=wert angeben.") % {"n": number}
                )
            values[name.strip()] = value.strip()
        return values


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs=INPUT))
    subject = forms.CharField(
        label=_("Betreff"),
        required=False,
        max_length=200,
        help_text=_("leer: Betreff des Vorgangs"),
        widget=forms.TextInput(attrs=INPUT),
    )
    body = forms.CharField(
        label=_("Text"),
        help_text=_(
            "Platzhalter: {aktenzeichen}, {name}, {leistung}, {betreff}, {frist}, {organisation}"
        ),
        widget=forms.Textarea(attrs={**INPUT, "rows": "8"}),
    )
    active = forms.BooleanField(
        label=_("aktiv"), required=False, initial=True, widget=forms.CheckboxInput(CHECK)
    )


class ContractSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Vertragsnummer, E-Mail-Adresse oder Name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={**INPUT, "type": "search"}),
    )


class LinkAccountForm(forms.Form):
    account = forms.CharField(
        label=_("Kundenkonto (Benutzername oder E-Mail-Adresse)"),
        max_length=254,
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off"}),
    )


class InstallmentForm(forms.Form):
    """A clerk changes the installment by hand (after the automation stopped)."""

    contract = forms.RegexField(
        label=_("Vertragsnummer"),
        regex=r"^\d{8}$",
        error_messages={"invalid": _("Die Vertragsnummer hat 8 Ziffern.")},
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "numeric"}),
    )
    amount = forms.DecimalField(
        label=_("Neuer Abschlag (EUR)"),
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}),
    )
    effective_from = forms.DateField(
        label=_("gültig ab"),
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
    )


def handler_names() -> str:
    return ", ".join(h.name for h in handlers.available())
