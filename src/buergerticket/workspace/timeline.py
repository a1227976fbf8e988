"""Plain-language lines for history events. Apps register texts for their own event types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from buergerticket.cases.models import CaseEvent, Priority, Status

Describer = Callable[[dict[str, Any]], str]
_describers: dict[str, Describer] = {}


def register(event_type: str, describer: Describer) -> None:
    _describers[event_type] = describer


def _status(value: str) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value


def _priority(value: int) -> str:
    try:
        return str(Priority(value).label)
    except ValueError:
        return str(value)


def _assigned(d: dict[str, Any]) -> str:
    rules = {
        "owner": _("zuständig laut Leistung"),
        "deputy": _("Vertretung"),
        "lead": _("Leitung"),
        "return": _("Rückkehr aus der Abwesenheit"),
    }
    text = _("Zuständig: %(owner)s") % {"owner": d.get("owner")}
    if d.get("rule") in rules:
        text += f" ({rules[d['rule']]})"
    if d.get("standing_in_for"):
        text += " – " + _("i. V. für %(person)s") % {"person": d["standing_in_for"]}
    return text


_builtin: dict[str, Describer] = {
    "intake": lambda d: (
        _("Eingang über %(channel)s, Leistung %(service)s, Frist %(deadline)s")
        % {"channel": d.get("channel"), "service": d.get("service"), "deadline": d.get("deadline")}
    ),
    "assigned": _assigned,
    "status_changed": lambda d: (
        _("Status: %(old)s → %(new)s")
        % {"old": _status(d.get("old", "")), "new": _status(d.get("new", ""))}
    ),
    "message_received": lambda d: _("Nachricht eingegangen"),
    "reply": lambda d: _("Antwort an die antragstellende Person"),
    "note": lambda d: _("Vermerk"),
    "document_added": lambda d: _("Dokument hinzugefügt"),
    "document_published": lambda d: _("Dokument im Postfach veröffentlicht"),
    "message_shared": lambda d: _("Nachricht ins Postfach gestellt"),
    "deadline_suspended": lambda d: _("Frist gehemmt (wartet auf Rückmeldung)"),
    "deadline_resumed": lambda d: (
        _("Fristhemmung beendet, Frist %(old)s → %(new)s")
        % {"old": d.get("old"), "new": d.get("new")}
    ),
    "deadline_changed": lambda d: (
        _("Frist geändert: %(old)s → %(new)s") % {"old": d.get("old"), "new": d.get("new")}
    ),
    "follow_up_set": lambda d: (
        (_("Wiedervorlage am %(on)s") % {"on": d["on"]})
        if d.get("on")
        else _("Wiedervorlage entfernt")
    ),
    "priority_changed": lambda d: (
        _("Priorität: %(old)s → %(new)s")
        % {"old": _priority(d.get("old", 0)), "new": _priority(d.get("new", 0))}
    ),
    "handed_over": lambda d: (
        _("Abgabe von %(from)s an %(to)s") % {"from": d.get("from"), "to": d.get("to")}
    ),
    "service_changed": lambda d: (
        _("Leistung geändert: %(old)s → %(new)s") % {"old": d.get("old"), "new": d.get("new")}
    ),
    "escalated": lambda d: (
        _("Eskaliert an die Leitung (Frist %(deadline)s überschritten)")
        % {"deadline": d.get("deadline")}
    ),
    "reopened": lambda d: (
        _("Wieder aufgenommen, neue Frist %(deadline)s") % {"deadline": d.get("deadline")}
    ),
    "tag_added": lambda d: _("Schlagwort „%(tag)s“") % {"tag": d.get("tag")},
    "attention_set": lambda d: _("Hinweis für die Zuständigen gesetzt"),
    "attention_cleared": lambda d: _("Hinweis erledigt"),
    "delivery_failed": lambda d: _("Zustellung der Nachricht fehlgeschlagen"),
}


def describe(event: CaseEvent) -> str:
    describer = _describers.get(event.type) or _builtin.get(event.type)
    if describer is None:
        return event.type
    try:
        return describer(event.details)
    except (KeyError, TypeError, ValueError):
        return event.type
