"""The dashboard's filter: period and (for administrators) department."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buergerticket.org.models import Department, Organisation
from buergerticket.workspace.dashboard.selectors import MAX_PERIOD_DAYS

INPUT = {"class": "kern-form-input__input"}


class FilterForm(forms.Form):
    von = forms.DateField(
        label=_("Von"), widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d")
    )
    bis = forms.DateField(
        label=_("Bis"), widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d")
    )
    fachbereich = forms.ModelChoiceField(
        label=_("Fachbereich"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("alle Fachbereiche"),
        to_field_name="code",
        widget=forms.Select(attrs={"class": "kern-form-input__select"}),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["fachbereich"].queryset = Department.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("von")
        end: dt.date | None = data.get("bis")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("Das Ende des Zeitraums liegt vor seinem Anfang."))
            if (end - start).days + 1 > MAX_PERIOD_DAYS:
                raise forms.ValidationError(
                    _("Der Zeitraum darf höchstens %(days)s Tage umfassen.")
                    % {"days": MAX_PERIOD_DAYS}
                )
        return data
