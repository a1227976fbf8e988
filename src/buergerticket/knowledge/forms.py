"""Article form (German labels; gettext source language)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buergerticket.catalog.models import Service
from buergerticket.knowledge.models import ArticleKind
from buergerticket.knowledge.placeholders import NAMES
from buergerticket.org.models import Staff

INPUT = {"class": "kern-form-input__input"}


class ArticleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Titel"), max_length=200, widget=forms.TextInput(attrs=INPUT))
    kind = forms.ChoiceField(
        label=_("Art"),
        choices=ArticleKind.choices,
        widget=forms.Select(attrs={"class": "kern-form-input__select"}),
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=50_000,
        widget=forms.Textarea(attrs={**INPUT, "rows": "12"}),
        help_text=_("Platzhalter für Antwortvorlagen: %(names)s")
        % {"names": ", ".join("{" + n + "}" for n in NAMES)},
    )
    keywords = forms.CharField(
        label=_("Suchbegriffe"), required=False, max_length=300, widget=forms.TextInput(attrs=INPUT)
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Leistungen"),
        required=False,
        queryset=Service.objects.none(),
        widget=forms.SelectMultiple(attrs={"class": "kern-form-input__select", "size": "6"}),
        help_text=_("Der Artikel wird bei Vorgängen dieser Leistungen vorgeschlagen."),
    )
    public = forms.BooleanField(
        label=_("Im Bürgerportal als Frage und Antwort zeigen"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "kern-form-check__input"}),
    )
    note = forms.CharField(
        label=_("Änderungsnotiz"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=INPUT),
    )

    def __init__(self, *args: object, staff: Staff, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["services"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Service.objects.filter(organisation_id=staff.organisation_id).order_by(
            "name"
        )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Suchbegriffe"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={**INPUT, "type": "search"}),
    )
