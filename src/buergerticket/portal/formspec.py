"""From a service's catalog form (``Service.form``) to Django form fields.

The catalog holds the shape (``catalog.forms_schema`` checks it on load); this
module turns each entry into a field with German labels (English where the
catalog provides ``label_en``/``help_en`` and the visitor reads English), and
decides which conditional fields apply to a submission.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

INPUT = {"class": "kern-form-input__input"}
TRUE_VALUES = {"on", "true", "1", "ja", "yes"}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: str
    help: str
    required: bool
    choices: tuple[tuple[str, str], ...]
    max_length: int | None
    min: int | None
    max: int | None
    show_if_field: str = ""
    show_if_value: Any = None

    @property
    def conditional(self) -> bool:
        return bool(self.show_if_field)


class GermanDecimalField(forms.DecimalField):
    """Accepts "55,00", "1.234,50", "55.00" and "55 €" alike."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace("€", "").replace("EUR", "").replace(" ", "").strip()
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
        return super().to_python(value)


def _english() -> bool:
    return (get_language() or "de").startswith("en")


def _choice(choice: Any, english: bool) -> tuple[str, str]:
    if isinstance(choice, str):
        return choice, choice
    label = choice.get("label_en") if english and choice.get("label_en") else choice["label"]
    return str(choice["value"]), str(label)


def specs(form: list[dict[str, Any]]) -> list[FieldSpec]:
    english = _english()
    result = []
    for raw in form or []:
        show_if = raw.get("show_if") or {}
        result.append(
            FieldSpec(
                name=raw["name"],
                type=raw["type"],
                label=str(raw["label_en"] if english and raw.get("label_en") else raw["label"]),
                help=str(raw["help_en"] if english and raw.get("help_en") else raw.get("help", "")),
                required=bool(raw.get("required", False)),
                choices=tuple(_choice(c, english) for c in raw.get("choices") or ()),
                max_length=raw.get("max_length"),
                min=raw.get("min"),
                max=raw.get("max"),
                show_if_field=show_if.get("field", ""),
                show_if_value=show_if.get("equals"),
            )
        )
    return result


def build_field(spec: FieldSpec) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "help_text": spec.help, "required": False}
    attrs = dict(INPUT)
    kind = spec.type
    field: forms.Field
    if kind == "textarea":
        field = forms.CharField(
            max_length=spec.max_length or 5000,
            widget=forms.Textarea(attrs={**attrs, "rows": "4"}),
            **common,
        )
    elif kind == "email":
        field = forms.EmailField(widget=forms.EmailInput(attrs=attrs), **common)
    elif kind == "tel":
        field = forms.CharField(
            max_length=spec.max_length or 60,
            widget=forms.TextInput(attrs={**attrs, "type": "tel", "autocomplete": "tel"}),
            **common,
        )
    elif kind == "number":
        field = GermanDecimalField(
            min_value=spec.min,
            max_value=spec.max,
            max_digits=15,
            decimal_places=3,
            # A text field with a decimal keyboard: type=number rejects "55,00" in
            # some browsers and mangles input (GOV.UK and KERN advise against it).
            widget=forms.TextInput(attrs={**attrs, "inputmode": "decimal"}),
            **common,
        )
    elif kind == "date":
        field = forms.DateField(
            widget=forms.DateInput(attrs={**attrs, "type": "date"}, format="%Y-%m-%d"), **common
        )
    elif kind == "select":
        field = forms.ChoiceField(
            choices=[("", _("Bitte wählen")), *spec.choices],
            widget=forms.Select(attrs={"class": "kern-form-input__select"}),
            **common,
        )
    elif kind == "radio":
        field = forms.ChoiceField(
            choices=list(spec.choices),
            widget=forms.RadioSelect(attrs={"class": "kern-form-check__radio"}),
            **common,
        )
    elif kind == "checkbox":
        field = forms.BooleanField(
            widget=forms.CheckboxInput(attrs={"class": "kern-form-check__checkbox"}), **common
        )
    elif kind == "file":
        field = forms.FileField(
            widget=forms.ClearableFileInput(
                attrs={
                    **attrs,
                    "accept": "image/jpeg,image/png,image/webp,image/heic,application/pdf",
                }
            ),
            **common,
        )
    else:  # text
        field = forms.CharField(
            max_length=spec.max_length or 300, widget=forms.TextInput(attrs=attrs), **common
        )
    marked: Any = field
    # Read by the field template: the wrapper is shown only while the condition holds.
    marked.show_if = spec.show_if_field
    marked.show_value = _condition_text(spec.show_if_value)
    # File fields are checked in the form's clean() (a kept upload counts), not by Django.
    marked.portal_required = spec.required and spec.type == "file"
    return field


def _condition_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def applies(spec: FieldSpec, data: Any, all_specs: dict[str, FieldSpec]) -> bool:
    """Whether a conditional field is part of this submission (raw POST data)."""
    if not spec.conditional:
        return True
    target = all_specs.get(spec.show_if_field)
    if target is not None and not applies(target, data, all_specs):
        return False
    raw = data.get(spec.show_if_field, "") if data is not None else ""
    if target is not None and target.type == "checkbox":
        checked = str(raw).lower() in TRUE_VALUES
        expected = spec.show_if_value if spec.show_if_value is not None else True
        return checked == (str(expected).lower() in TRUE_VALUES or expected is True)
    return str(raw) == _condition_text(spec.show_if_value)


def plain(value: Any) -> Any:
    """A cleaned value as stored in ``Case.form_data`` (JSON, stable)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def display(spec: FieldSpec, value: Any) -> str:
    """The value as a person reads it (choice labels, Ja/Nein, German dates)."""
    if isinstance(value, bool):
        return str(_("Ja") if value else _("Nein"))
    if spec.choices:
        return dict(spec.choices).get(str(value), str(value))
    if spec.type == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
