"""Forms of the administrators' interface pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buergerticket.api.models import Scope
from buergerticket.api.webhooks.registry import KNOWN_EVENT_TYPES
from buergerticket.org.models import Department, Organisation, Staff

INPUT = {"class": "kern-form-input__input"}
SELECT = {"class": "kern-form-input__select"}


class ClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name des Systems"), max_length=100, widget=forms.TextInput(attrs=INPUT)
    )
    scopes = forms.MultipleChoiceField(
        label=_("Berechtigungen"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.CASES_READ, Scope.CATALOG_READ, Scope.TASKS_READ],
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Beschränkt auf Fachbereiche"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ohne Auswahl: alle Fachbereiche der Organisation."),
    )
    staff = forms.ModelChoiceField(
        label=_("Handelt als Person"),
        queryset=Staff.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("Optional: der Client sieht und darf dann genau, was diese Person darf."),
    )

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["departments"].queryset = Department.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("code")
        self.fields["staff"].queryset = Staff.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, active=True
        ).order_by("name")


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Adresse (URL)"),
        max_length=500,
        widget=forms.URLInput(attrs=INPUT),
        assume_scheme="https",
    )
    description = forms.CharField(
        label=_("Beschreibung"), max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    event_types = forms.MultipleChoiceField(
        label=_("Ereignisarten"),
        choices=[(t, t) for t in KNOWN_EVENT_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ohne Auswahl: alle Ereignisse."),
    )
