"""What a rule may say: condition fields and operators, action types, and their validation.

A condition is ``{"field", "op", "value", "key"}`` (``key`` names the form
field for ``form``); an action is ``{"type", "value"}``.
"""

from __future__ import annotations

import re
from typing import Any

import regex
from django.utils.translation import gettext_lazy as _

from buergerticket.automation import handlers
from buergerticket.automation.models import ReplyTemplate
from buergerticket.cases.models import Channel, Priority
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Organisation

TEXT, CHOICE, WEEKDAY, TIME, FLAG = "text", "choice", "weekday", "time", "flag"

FIELDS: dict[str, tuple[Any, str]] = {
    "channel": (_("Eingangskanal"), CHOICE),
    "service": (_("Leistung"), CHOICE),
    "sender_email": (_("Absenderadresse"), TEXT),
    "sender_domain": (_("Absenderdomain"), TEXT),
    "subject": (_("Betreff"), TEXT),
    "text": (_("Text"), TEXT),
    "subject_or_text": (_("Betreff oder Text"), TEXT),
    "form": (_("Formularfeld"), TEXT),
    "weekday": (_("Wochentag des Eingangs"), WEEKDAY),
    "time": (_("Uhrzeit des Eingangs"), TIME),
    "working_day": (_("Eingang an einem Arbeitstag"), FLAG),
}
OPERATORS: dict[str, Any] = {
    "contains": _("enthält eines von"),
    "not_contains": _("enthält keines von"),
    "equals": _("ist gleich"),
    "not_equals": _("ist nicht gleich"),
    "starts_with": _("beginnt mit"),
    "ends_with": _("endet mit"),
    "regex": _("passt zum regulären Ausdruck"),
    "in": _("ist eines von"),
    "not_in": _("ist keines von"),
    "greater": _("ist größer als"),
    "less": _("ist kleiner als"),
    "between": _("liegt zwischen"),
    "not_between": _("liegt nicht zwischen"),
    "is_empty": _("ist leer"),
    "not_empty": _("ist nicht leer"),
    "is_true": _("ja"),
    "is_false": _("nein"),
}
OPERATORS_BY_KIND = {
    TEXT: (
        "contains",
        "not_contains",
        "equals",
        "not_equals",
        "starts_with",
        "ends_with",
        "regex",
        "greater",
        "less",
        "is_empty",
        "not_empty",
    ),
    CHOICE: ("equals", "not_equals", "in", "not_in", "is_empty", "not_empty"),
    WEEKDAY: ("in", "not_in"),
    TIME: ("between", "not_between"),
    FLAG: ("is_true", "is_false"),
}
NO_VALUE = {"is_empty", "not_empty", "is_true", "is_false"}
WEEKDAYS = ("mo", "di", "mi", "do", "fr", "sa", "so")
ACTIONS: dict[str, Any] = {
    "set_service": _("Leistung setzen"),
    "set_priority": _("Priorität setzen"),
    "set_department": _("an Fachbereich leiten"),
    "add_tag": _("Schlagwort hinzufügen"),
    "send_reply": _("Antwortvorlage senden"),
    "run_handler": _("Automatisierung ausführen"),
}
# Applied before the case exists (they shape it) or after it is committed (they act on it).
PRE_ACTIONS = ("set_service", "set_priority", "set_department", "add_tag")
POST_ACTIONS = ("send_reply", "run_handler")
MAX_PATTERN = 300
MAX_VALUE = 500
_TIME_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]|24):([0-5]\d)$")


def split_list(value: str) -> list[str]:
    return [part.strip() for part in str(value).split(",") if part.strip()]


def check_condition(condition: dict[str, Any], organisation: Organisation) -> list[str]:
    """German problems with one condition (empty list: fine)."""
    field, op = str(condition.get("field") or ""), str(condition.get("op") or "")
    value = str(condition.get("value") or "").strip()
    if field not in FIELDS:
        return [f"Unbekanntes Feld „{field}“."]
    label, kind = FIELDS[field]
    if op not in OPERATORS_BY_KIND[kind]:
        return [f"„{OPERATORS.get(op, op)}“ passt nicht zum Feld „{label}“."]
    problems = []
    if field == "form" and not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", condition.get("key") or ""):
        problems.append("Bitte den Namen des Formularfelds angeben (z. B. vertragsnummer).")
    if op in NO_VALUE:
        return problems
    if not value:
        return [*problems, f"Für „{label}“ fehlt der Vergleichswert."]
    if len(value) > MAX_VALUE:
        problems.append(f"Der Vergleichswert ist länger als {MAX_VALUE} Zeichen.")
    if op == "regex":
        if len(value) > MAX_PATTERN:
            problems.append(f"Der reguläre Ausdruck ist länger als {MAX_PATTERN} Zeichen.")
        else:
            try:
                regex.compile(value)
            except regex.error as exc:
                problems.append(f"Der reguläre Ausdruck ist ungültig: {exc}.")
    if op in ("greater", "less"):
        try:
            float(value.replace(",", "."))
        except ValueError:
            problems.append("Für größer/kleiner bitte eine Zahl angeben.")
    if field == "channel":
        unknown = [v for v in split_list(value) if v not in Channel.values]
        if unknown:
            problems.append(
                f"Unbekannter Kanal {', '.join(unknown)} (möglich: {', '.join(Channel.values)})."
            )
    if field == "service":
        codes = set(
            Service.objects.filter(organisation=organisation).values_list("code", flat=True)
        )
        unknown = [v for v in split_list(value) if v not in codes]
        if unknown:
            problems.append(f"Unbekannte Leistung {', '.join(unknown)}.")
    if kind == WEEKDAY:
        unknown = [v for v in split_list(value.lower()) if v not in WEEKDAYS]
        if unknown:
            problems.append("Wochentage bitte als mo, di, mi, do, fr, sa, so angeben.")
    if kind == TIME and not _TIME_RANGE.match(value):
        problems.append("Uhrzeit bitte als Bereich angeben, z. B. 16:00-08:00.")
    return problems


def check_action(action: dict[str, Any], organisation: Organisation) -> list[str]:
    kind = action.get("type")
    value = str(action.get("value") or "").strip()
    if kind not in ACTIONS:
        return [f"Unbekannte Aktion „{kind}“."]
    label = ACTIONS[kind]
    if not value:
        return [f"Für „{label}“ fehlt der Wert."]
    if (
        kind == "set_service"
        and not Service.objects.filter(organisation=organisation, code=value, active=True).exists()
    ):
        return [f"Leistung „{value}“ gibt es nicht (oder sie ist nicht aktiv)."]
    if (
        kind == "set_department"
        and not Department.objects.filter(organisation=organisation, code=value).exists()
    ):
        return [f"Fachbereich „{value}“ gibt es nicht."]
    if kind == "set_priority" and (not value.isdigit() or int(value) not in Priority.values):
        return ["Priorität bitte als 1 (niedrig) bis 4 (dringend) angeben."]
    if kind == "add_tag" and len(value) > 60:
        return ["Schlagwörter dürfen höchstens 60 Zeichen lang sein."]
    if kind == "send_reply" and not (
        value.isdigit()
        and ReplyTemplate.objects.filter(organisation=organisation, pk=int(value)).exists()
    ):
        return ["Die Antwortvorlage gibt es nicht."]
    if kind == "run_handler" and handlers.get(value) is None:
        known = ", ".join(h.name for h in handlers.available())
        return [f"Automatisierung „{value}“ gibt es nicht (vorhanden: {known})."]
    return []


def check_rule(
    conditions: list[dict[str, Any]], actions: list[dict[str, Any]], organisation: Organisation
) -> list[str]:
    problems: list[str] = []
    if not conditions:
        problems.append("Eine Regel braucht mindestens eine Bedingung.")
    if not actions:
        problems.append("Eine Regel braucht mindestens eine Aktion.")
    for i, condition in enumerate(conditions, start=1):
        problems += [f"Bedingung {i}: {p}" for p in check_condition(condition, organisation)]
    for i, action in enumerate(actions, start=1):
        problems += [f"Aktion {i}: {p}" for p in check_action(action, organisation)]
    return problems
