"""The form of a human task: fields from the model plus the sign-off fields.

One definition serves the workspace (POST data) and the CLI (JSON): JSON
values are turned into the strings a browser would send, then validated by
the same Django form, so both get the same German messages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buergerticket.processes.models import Decision, HumanTask, TaskKind

INPUT = {"class": "kern-form-input__input"}
SELECT = {"class": "kern-form-input__select"}
YES_NO = (("ja", _("Ja")), ("nein", _("Nein")))


def _yes_no(value: str) -> bool:
    return value == "ja"


class TaskForm(forms.Form):
    """Built per task by :func:`task_form`."""

    task: HumanTask

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.task.is_sign_off
            and data.get("approved") is False
            and not (data.get("anmerkung") or "").strip()
        ):
            self.add_error("anmerkung", _("Bitte begründen Sie, warum Sie nicht zeichnen."))
        return data


def _field(spec: dict[str, Any]) -> forms.Field:
    label = spec.get("label") or spec["id"]
    required = bool(spec.get("required"))
    kind = spec.get("type", "string")
    initial = spec.get("default") or None
    if kind == "boolean":
        return forms.TypedChoiceField(
            label=label,
            choices=YES_NO,
            coerce=_yes_no,
            required=required,
            widget=forms.RadioSelect(attrs={"class": "kern-radio__input"}),
            empty_value=None,
        )
    if kind == "long":
        return forms.IntegerField(
            label=label, required=required, initial=initial, widget=forms.NumberInput(attrs=INPUT)
        )
    if kind == "date":
        return forms.DateField(
            label=label,
            required=required,
            initial=initial,
            widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
        )
    if kind == "enum":
        return forms.ChoiceField(
            label=label,
            required=required,
            initial=initial,
            choices=[("", "—"), *[tuple(o) for o in spec.get("options", [])]],
            widget=forms.Select(attrs=SELECT),
        )
    if kind == "text":
        return forms.CharField(
            label=label,
            required=required,
            initial=initial,
            max_length=20000,
            widget=forms.Textarea(attrs={**INPUT, "rows": "4"}),
        )
    return forms.CharField(
        label=label,
        required=required,
        initial=initial,
        max_length=2000,
        widget=forms.TextInput(attrs=INPUT),
    )


def task_form(task: HumanTask, data: Any = None, *, decision: Decision | None = None) -> TaskForm:
    fields: dict[str, forms.Field] = {}
    if task.kind == TaskKind.DRAFT:
        fields["tenor"] = forms.CharField(
            label=_("Entscheidung (Tenor)"),
            max_length=20000,
            initial=decision.tenor if decision else "",
            help_text=_("Was entschieden wird, z. B. Steuer, Betrag und Beginn."),
            widget=forms.Textarea(attrs={**INPUT, "rows": "4"}),
        )
        fields["begruendung"] = forms.CharField(
            label=_("Begründung"),
            required=False,
            max_length=20000,
            initial=decision.reasoning if decision else "",
            widget=forms.Textarea(attrs={**INPUT, "rows": "6"}),
        )
    if task.is_sign_off:
        fields["approved"] = forms.TypedChoiceField(
            label=_("Zeichnen Sie den Bescheid?"),
            choices=(("ja", _("Ja, ich zeichne")), ("nein", _("Nein, zurück an die Verfassung"))),
            coerce=_yes_no,
            empty_value=None,
            widget=forms.RadioSelect(attrs={"class": "kern-radio__input"}),
        )
        fields["anmerkung"] = forms.CharField(
            label=_("Anmerkung"),
            required=False,
            max_length=2000,
            help_text=_("Pflicht, wenn Sie nicht zeichnen."),
            widget=forms.Textarea(attrs={**INPUT, "rows": "3"}),
        )
    for spec in task.form:
        if spec.get("id") and spec["id"] not in fields:
            fields[spec["id"]] = _field(spec)
    form_class = type("TaskForm", (TaskForm,), dict(fields))
    form = form_class(data, prefix=f"t{task.pk}")
    form.task = task
    return form


def post_data_from_json(task: HumanTask, values: dict[str, Any]) -> dict[str, str]:
    """JSON values (``true``, ``3``, ``"2026-01-31"``) as the form's POST strings."""
    prefix = f"t{task.pk}-"
    result: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, bool):
            value = "ja" if value else "nein"
        elif value is None:
            value = ""
        result[prefix + str(key)] = str(value)
    return result


def cleaned_for_process(form: TaskForm) -> dict[str, Any]:
    """Form values as task data (dates as ISO text: conditions compare strings)."""
    data: dict[str, Any] = {}
    for key, value in form.cleaned_data.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        data[key] = value
    return data
