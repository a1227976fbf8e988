"""How a case looks to its requester: status in plain language, dates, fields with labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from buergerticket.cases.models import Case, Status
from buergerticket.portal import formspec


@dataclass(frozen=True)
class StatusText:
    title: str | Promise
    explanation: str | Promise
    badge: str  # KERN badge variant


STATUS_TEXTS: dict[str, StatusText] = {
    Status.NEW: StatusText(
        _("Eingegangen"),
        _("Ihr Anliegen ist eingegangen und wird einer zuständigen Person zugeordnet."),
        "info",
    ),
    Status.IN_PROGRESS: StatusText(
        _("In Bearbeitung"), _("Eine zuständige Person bearbeitet Ihr Anliegen."), "info"
    ),
    Status.WAITING: StatusText(
        _("Wartet auf Ihre Rückmeldung"),
        _(
            "Wir brauchen noch etwas von Ihnen. Bitte lesen Sie die letzte Nachricht und "
            "antworten Sie unten. Solange wir warten, ruht die Bearbeitungsfrist."
        ),
        "warning",
    ),
    Status.DECIDED: StatusText(
        _("Entschieden"),
        _("Über Ihr Anliegen ist entschieden. Die Entscheidung finden Sie in Ihrem Postfach."),
        "success",
    ),
    Status.CLOSED: StatusText(_("Abgeschlossen"), _("Ihr Anliegen ist abgeschlossen."), "success"),
}


def status_text(case: Case) -> StatusText:
    return STATUS_TEXTS.get(case.status, STATUS_TEXTS[Status.NEW])


def form_answers(case: Case) -> list[tuple[str, str]]:
    """The catalog fields of the submission with their labels, in form order."""
    specs = formspec.specs(case.service.form)
    values: dict[str, Any] = case.form_data or {}
    rows = [
        (spec.label, formspec.display(spec, values[spec.name]))
        for spec in specs
        if spec.name in values
    ]
    known = {spec.name for spec in specs}
    # Fields the form no longer has (the catalog changed since) still show, by name.
    rows += [(name, str(value)) for name, value in values.items() if name not in known]
    return rows
