"""Plain-language lines for the events processes write into case histories."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from buergerticket.workspace import timeline


def _hash(d: dict[str, Any]) -> str:
    value = str(d.get("sha256") or "")
    return value[:12] + "…" if value else "—"


def _name(d: dict[str, Any]) -> str:
    return str(d.get("name") or d.get("element") or "?")


TEXTS = {
    "task_completed": lambda d: _("Aufgabe „%(name)s“ erledigt") % {"name": _name(d)},
    "decision_drafted": lambda d: (
        _("Bescheidentwurf Fassung %(number)s erstellt (SHA-256 %(hash)s)")
        % {"number": d.get("number"), "hash": _hash(d)}
    ),
    "signatures_voided": lambda d: (
        _("Bescheid geändert: Zeichnungen der Fassung %(number)s ungültig")
        % {"number": d.get("number")}
    ),
    "co_signature": lambda d: (
        _("Mitgezeichnet: Fassung %(number)s (SHA-256 %(hash)s)")
        % {"number": d.get("number"), "hash": _hash(d)}
    ),
    "final_signature": lambda d: (
        _("Schlussgezeichnet: Fassung %(number)s (SHA-256 %(hash)s)")
        % {"number": d.get("number"), "hash": _hash(d)}
    ),
    "signature_refused": lambda d: (
        _("Zeichnung der Fassung %(number)s verweigert") % {"number": d.get("number")}
    ),
    "decision_sent": lambda d: (
        _("Bescheid Fassung %(number)s versandt (SHA-256 %(hash)s)")
        % {"number": d.get("number"), "hash": _hash(d)}
    ),
    "process_timer": lambda d: _("Zeitereignis „%(name)s“ ausgelöst") % {"name": _name(d)},
    "process_step": lambda d: _("Prozessschritt „%(name)s“ ausgeführt") % {"name": _name(d)},
    "process_error": lambda d: _("Fehler im Prozessschritt „%(name)s“") % {"name": _name(d)},
    "process_retried": lambda d: _("Fehlgeschlagener Prozessschritt wird wiederholt"),
    "process_restarted": lambda d: _("Prozess neu gestartet"),
    "process_rewound": lambda d: _("Prozess zurück zu „%(name)s“") % {"name": _name(d)},
    "task_escalated": lambda d: (
        _("Aufgabe „%(name)s“ an die Leitung eskaliert (%(to)s)")
        % {"name": _name(d), "to": d.get("to")}
    ),
    "task_reassigned": lambda d: (
        _("Aufgabe „%(name)s“ an %(to)s übertragen (Vertretung)")
        % {"name": _name(d), "to": d.get("to")}
    ),
}


def register_all() -> None:
    for event_type, describer in TEXTS.items():
        timeline.register(event_type, describer)
