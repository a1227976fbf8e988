"""Plain-language history lines for the automation's event types."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buergerticket.automation.money import format_eur
from buergerticket.workspace import timeline

CHECK_LABELS = {
    "recognised": gettext_lazy("Antrag auf Abschlagsänderung erkannt"),
    "change_requested": gettext_lazy("Änderung gewünscht"),
    "contract_number": gettext_lazy("Vertragsnummer angegeben"),
    "contract_exists": gettext_lazy("Vertrag vorhanden"),
    "contract_active": gettext_lazy("Vertrag aktiv"),
    "requester": gettext_lazy("Antragsteller:in ist Vertragsinhaber:in"),
    "amount": gettext_lazy("genau ein neuer Monatsbetrag"),
    "pending_change": gettext_lazy("keine unbestätigte frühere Änderung"),
    "arrears": gettext_lazy("kein Zahlungsrückstand"),
    "limits": gettext_lazy("mindestens 15,00 € und 70 % des bisherigen Abschlags"),
}


def _eur(value: Any) -> str:
    try:
        return format_eur(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def _check(d: dict[str, Any]) -> str:
    label = str(CHECK_LABELS.get(d.get("check", ""), d.get("check", "")))
    if d.get("ok") is True:
        state = _("erfüllt")
    elif d.get("ok") is False:
        state = _("nicht erfüllt")
    else:
        state = _("nicht geprüft")
    return _("Prüfung „%(check)s“: %(state)s") % {"check": label, "state": state}


def _decision(d: dict[str, Any]) -> str:
    if d.get("automated"):
        return _("Entscheidung: automatisch erledigen (Abschlag %(old)s → %(new)s ab %(date)s)") % {
            "old": _eur(d.get("old")),
            "new": _eur(d.get("new")),
            "date": d.get("effective_from"),
        }
    return _("Entscheidung: an Sachbearbeitung übergeben (%(reasons)s)") % {
        "reasons": ", ".join(d.get("reasons") or []) or "—"
    }


def _routed(d: dict[str, Any]) -> str:
    if d.get("by") == "model":
        if d.get("fallback"):
            return _(
                "Zugeordnet an die Auffangleistung %(service)s (Vorhersage %(predicted)s, "
                "Sicherheit %(confidence)s %%)"
            ) % {
                "service": d.get("service"),
                "predicted": d.get("predicted"),
                "confidence": d.get("confidence"),
            }
        return _("Zugeordnet an %(service)s (Sicherheit %(confidence)s %%)") % {
            "service": d.get("service"),
            "confidence": d.get("confidence"),
        }
    return _("Zugeordnet an %(service)s") % {"service": d.get("service")}


def _contract_changed(d: dict[str, Any]) -> str:
    return _("Vertrag geändert: Abschlag %(old)s → %(new)s ab %(date)s") % {
        "old": _eur(d.get("old")),
        "new": _eur(d.get("new")),
        "date": d.get("effective_from"),
    }


def connect() -> None:
    timeline.register("automation_check", _check)
    timeline.register("automation_decision", _decision)
    timeline.register("routed", _routed)
    timeline.register("rule_fired", lambda d: _("Regel angewandt"))
    timeline.register("contract_changed", _contract_changed)
    timeline.register(
        "contract_writeback_failed",
        lambda d: _("Übermittlung der Vertragsänderung an die Abrechnung fehlgeschlagen"),
    )
    timeline.register("automation_skipped", lambda d: _("Automatisierung nicht ausgeführt"))
