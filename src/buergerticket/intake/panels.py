"""What the e-mail channel adds to the case page: history texts and a mail panel."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from buergerticket.cases.models import Case
from buergerticket.intake import selectors
from buergerticket.workspace import timeline


def _linked(d: dict[str, Any]) -> str:
    number = d.get("file_number", "")
    if d.get("kind") == "follow_up":
        if d.get("direction") == "to":
            return _("Folgevorgang %(number)s angelegt") % {"number": number}
        return _("Folgevorgang zu %(number)s") % {"number": number}
    return _("Verknüpft mit Vorgang %(number)s") % {"number": number}


def _bounced(d: dict[str, Any]) -> str:
    if d.get("permanent"):
        return _("E-Mail kam als unzustellbar zurück (Rückläufer als Dokument abgelegt)")
    return _("Zustellung einer E-Mail verzögert (Meldung als Dokument abgelegt)")


def register_timeline() -> None:
    timeline.register("case_linked", _linked)
    timeline.register(
        "mail_auto_reply",
        lambda d: _("Automatische Antwort eingegangen (als Dokument abgelegt, keine Rückmeldung)"),
    )
    timeline.register("mail_bounced", _bounced)
    timeline.register(
        "mail_forward_recognised",
        lambda d: (
            _("Weitergeleitete E-Mail von %(staff)s erkannt") % {"staff": d.get("forwarded_by", "")}
        ),
    )
    timeline.register(
        "routed",
        lambda d: _("Leistung zugeordnet: %(service)s") % {"service": d.get("service", "")},
    )


def mail_panel(request: Any, case: Case) -> list[str]:
    rows = selectors.case_receipts(case.pk)
    if not rows:
        return []
    return [render_to_string("intake/_case_mail.html", {"receipts": rows, "case": case}, request)]
