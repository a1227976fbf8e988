"""Forms of the workspace. Labels and messages are German (gettext source language)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buergerticket.cases.models import Channel, Priority, Status
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Staff

INPUT = {"class": "kern-form-input__input"}
SELECT = {"class": "kern-form-input__select"}


def _text(**attrs: str) -> forms.TextInput:
    return forms.TextInput(attrs={**INPUT, **attrs})


def _area(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={**INPUT, "rows": str(rows)})


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d")


def _select() -> forms.Select:
    return forms.Select(attrs=SELECT)


class VersionedForm(forms.Form):
    """Carries the case version the user saw, so two editors cannot overwrite each other."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ReplyForm(VersionedForm):
    body = forms.CharField(
        label=_("Antwort an die antragstellende Person"), widget=_area(6), max_length=20000
    )


class NoteForm(VersionedForm):
    text = forms.CharField(
        label=_("Interner Vermerk"),
        widget=_area(4),
        max_length=20000,
        help_text=_("Nur intern sichtbar, nie für die antragstellende Person."),
    )


class StatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Neuer Status"), choices=Status.choices, widget=_select())
    reason = forms.CharField(label=_("Begründung"), required=False, max_length=500, widget=_text())


class ReassignForm(VersionedForm):
    owner = forms.ModelChoiceField(
        label=_("Zuständig"), queryset=Staff.objects.none(), widget=_select()
    )
    reason = forms.CharField(label=_("Begründung"), required=False, max_length=500, widget=_text())

    def __init__(self, *args: object, department: Department, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Staff.objects.filter(department=department, active=True).order_by("name")


class HandOverForm(VersionedForm):
    department = forms.ModelChoiceField(
        label=_("An Fachbereich"), queryset=Department.objects.none(), widget=_select()
    )
    reason = forms.CharField(label=_("Begründung der Abgabe"), max_length=500, widget=_text())

    def __init__(self, *args: object, case_department: Department, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Department.objects.filter(organisation_id=case_department.organisation_id)
            .exclude(pk=case_department.pk)
            .order_by("code")
        )


class FollowUpForm(VersionedForm):
    follow_up = forms.DateField(
        label=_("Wiedervorlage am"),
        required=False,
        widget=_date(),
        help_text=_("Leer lassen, um die Wiedervorlage zu entfernen."),
    )

    def clean_follow_up(self) -> dt.date | None:
        value = self.cleaned_data["follow_up"]
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(
                _("Die Wiedervorlage darf nicht in der Vergangenheit liegen.")
            )
        return value


class PriorityForm(VersionedForm):
    priority = forms.TypedChoiceField(
        label=_("Priorität"), choices=Priority.choices, coerce=int, widget=_select()
    )


class DeadlineForm(VersionedForm):
    deadline = forms.DateField(label=_("Neue Frist"), widget=_date())
    reason = forms.CharField(label=_("Begründung"), max_length=500, widget=_text())


class ReopenForm(VersionedForm):
    reason = forms.CharField(label=_("Grund der Wiederaufnahme"), max_length=500, widget=_text())


class PhoneNoteForm(forms.Form):
    """Telefonnotiz: a contact by phone, at the counter or by letter, entered by staff."""

    service = forms.ModelChoiceField(
        label=_("Leistung"), queryset=Service.objects.none(), widget=_select()
    )
    channel = forms.ChoiceField(
        label=_("Eingangskanal"),
        widget=_select(),
        choices=[
            (Channel.PHONE, _("Telefon")),
            (Channel.COUNTER, _("Schalter")),
            (Channel.LETTER, _("Brief")),
        ],
    )
    subject = forms.CharField(label=_("Betreff"), max_length=300, widget=_text())
    text = forms.CharField(label=_("Anliegen"), widget=_area(5), max_length=20000)
    requester_name = forms.CharField(
        label=_("Name"), required=False, max_length=200, widget=_text(autocomplete="off")
    )
    requester_email = forms.EmailField(
        label=_("E-Mail"), required=False, widget=forms.EmailInput(attrs=INPUT)
    )
    requester_phone = forms.CharField(
        label=_("Telefon"), required=False, max_length=60, widget=_text(autocomplete="off")
    )
    requester_address = forms.CharField(
        label=_("Anschrift"), required=False, max_length=300, widget=_text(autocomplete="off")
    )
    priority = forms.TypedChoiceField(
        label=_("Priorität"),
        choices=Priority.choices,
        coerce=int,
        initial=Priority.NORMAL,
        widget=_select(),
    )

    def __init__(self, *args: object, organisation_id: int, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Service.objects.filter(
            organisation_id=organisation_id, active=True
        ).order_by("name")


class AbsenceForm(forms.Form):
    staff = forms.ModelChoiceField(
        label=_("Mitarbeiter:in"), queryset=Staff.objects.none(), widget=_select()
    )
    start = forms.DateField(label=_("von"), widget=_date())
    end = forms.DateField(label=_("bis einschließlich"), widget=_date())
    note = forms.CharField(label=_("Hinweis"), required=False, max_length=200, widget=_text())

    def __init__(self, *args: object, choices: object, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["staff"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = choices  # type: ignore[assignment]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("end", _("Das Ende liegt vor dem Beginn."))
        return data
