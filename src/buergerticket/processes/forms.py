"""Forms of the process register."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buergerticket.catalog.models import Service
from buergerticket.org.models import Organisation, Staff
from buergerticket.processes.models import VersionKind

INPUT = {"class": "kern-form-input__input"}
SELECT = {"class": "kern-form-input__select"}
MAX_UPLOAD = 25 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("BPMN-Datei oder Bibliothekspaket"),
        help_text=_(
            "Eine .bpmn-Datei (BPMN 2.0, aus jedem Modellierungswerkzeug) oder ein "
            ".zip-Paket aus einer Prozessbibliothek."
        ),
        widget=forms.ClearableFileInput(attrs={**INPUT, "accept": ".bpmn,.xml,.zip"}),
    )
    kind = forms.ChoiceField(
        label=_("Art der Version"),
        choices=VersionKind.choices,
        initial=VersionKind.TO_BE,
        widget=forms.Select(attrs=SELECT),
    )
    service = forms.ModelChoiceField(
        label=_("Leistung"),
        required=False,
        queryset=Service.objects.none(),
        help_text=_("Nur für einzelne BPMN-Dateien; Pakete bringen ihre Zuordnung mit."),
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Service.objects.filter(organisation=organisation).order_by("name")

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Die Datei ist größer als 25 MB."))
        return upload


class VersionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("BPMN-Datei der neuen Version"),
        widget=forms.ClearableFileInput(attrs={**INPUT, "accept": ".bpmn,.xml"}),
    )
    kind = forms.ChoiceField(
        label=_("Art der Version"),
        choices=VersionKind.choices,
        initial=VersionKind.TO_BE,
        widget=forms.Select(attrs=SELECT),
    )
    note = forms.CharField(
        label=_("Änderungsnotiz"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs=INPUT),
    )


class ModelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs=INPUT))
    description = forms.CharField(
        label=_("Beschreibung"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={**INPUT, "rows": "3"}),
    )
    service = forms.ModelChoiceField(
        label=_("Leistung"),
        required=False,
        queryset=Service.objects.none(),
        widget=forms.Select(attrs=SELECT),
    )
    owner = forms.ModelChoiceField(
        label=_("Prozessverantwortlich"),
        required=False,
        queryset=Staff.objects.none(),
        widget=forms.Select(attrs=SELECT),
    )
    attributes = forms.CharField(
        label=_("Merkmale"),
        required=False,
        max_length=10000,
        help_text=_(
            "Eine Angabe je Zeile: „Merkmal: Wert“, z. B. „Rechtsgrundlage: "
            "Hundesteuersatzung § 2“."
        ),
        widget=forms.Textarea(attrs={**INPUT, "rows": "4"}),
    )

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        service = self.fields["service"]
        owner = self.fields["owner"]
        assert isinstance(service, forms.ModelChoiceField)
        assert isinstance(owner, forms.ModelChoiceField)
        service.queryset = Service.objects.filter(organisation=organisation).order_by("name")
        owner.queryset = Staff.objects.filter(organisation=organisation, active=True).order_by(
            "name"
        )

    def clean_attributes(self) -> dict[str, str]:
        result: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["attributes"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.partition(":")
            if not sep or not key.strip():
                raise forms.ValidationError(
                    _("Zeile %(n)s: bitte „Merkmal: Wert“ schreiben.") % {"n": number}
                )
            result[key.strip()[:100]] = value.strip()[:1000]
        return result


def attributes_text(attributes: dict[str, str]) -> str:
    return "\n".join(f"{k}: {v}" for k, v in attributes.items())


class VersionSettingsForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Art der Version"), choices=VersionKind.choices, widget=forms.Select(attrs=SELECT)
    )
    four_eyes = forms.BooleanField(
        label=_("Vier-Augen-Prinzip für Zeichnungen"),
        required=False,
        help_text=_("Bei Leistungen mit Verwaltungsakt gilt es immer."),
        widget=forms.CheckboxInput(attrs={"class": "kern-form-check__checkbox"}),
    )
