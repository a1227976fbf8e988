"""Evaluating rules against a request on its way in (a ``Draft``).

Rules run in their order; each rule that matches applies its actions at once,
so a later rule sees the service, priority or tags an earlier one set. Actions
that act on the case (template reply, automation handler) are noted on the
draft and carried out after the case is committed. A rule with "danach keine
weiteren Regeln" ends the evaluation.

A service chosen by a person or a form is never overridden; a service chosen
by the router or the Abschlag recognition may be.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import regex
from django.utils import timezone

from buergerticket.automation.models import ReplyTemplate, Rule
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Priority
from buergerticket.catalog.deadlines import is_working_day
from buergerticket.catalog.models import Service
from buergerticket.core.memo import Memo
from buergerticket.org.models import Department

from . import schema

if TYPE_CHECKING:
    from buergerticket.intake.pipeline import Draft

REGEX_TIMEOUT = 0.05  # seconds; a pathological pattern must not stall the intake
MAX_TEXT = 50_000
POST_KEY = "automation_post"
SKIPPED_KEY = "automation_disabled_for"


@dataclass
class ConditionOutcome:
    description: str
    matched: bool
    note: str = ""


@dataclass
class RuleOutcome:
    rule: Rule
    matched: bool
    conditions: list[ConditionOutcome] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    stopped: bool = False


def describe_condition(condition: dict[str, Any]) -> str:
    label = schema.FIELDS.get(condition.get("field", ""), (condition.get("field"), ""))[0]
    key = f" „{condition['key']}“" if condition.get("field") == "form" else ""
    op = schema.OPERATORS.get(condition.get("op", ""), condition.get("op"))
    value = "" if condition.get("op") in schema.NO_VALUE else f" „{condition.get('value', '')}“"
    return f"{label}{key} {op}{value}"


def describe_action(action: dict[str, Any]) -> str:
    label = schema.ACTIONS.get(action.get("type", ""), action.get("type"))
    value = str(action.get("value", ""))
    if action.get("type") == "set_priority" and value.isdigit():
        with contextlib.suppress(ValueError):
            value = str(Priority(int(value)).label)
    if action.get("type") == "send_reply" and value.isdigit():
        name = ReplyTemplate.objects.filter(pk=int(value)).values_list("name", flat=True).first()
        value = name or value
    return f"{label}: {value}"


def _received(draft: Draft) -> dt.datetime:
    return timezone.localtime(draft.received_at or timezone.now())


def _field_value(draft: Draft, condition: dict[str, Any]) -> Any:
    name = condition.get("field")
    email = (draft.requester.email or "").strip().lower()
    if name == "channel":
        return draft.channel
    if name == "service":
        return draft.service.code if draft.service else ""
    if name == "sender_email":
        return email
    if name == "sender_domain":
        return email.rpartition("@")[2] if "@" in email else ""
    if name == "subject":
        return draft.subject
    if name == "text":
        return draft.text[:MAX_TEXT]
    if name == "subject_or_text":
        return f"{draft.subject}\n{draft.text[:MAX_TEXT]}"
    if name == "form":
        value = draft.form_data.get(condition.get("key") or "")
        return "" if value is None else str(value)
    received = _received(draft)
    if name == "weekday":
        return schema.WEEKDAYS[received.weekday()]
    if name == "time":
        return received.time()
    if name == "working_day":
        return is_working_day(received.date(), draft.organisation.state)
    return ""


def _number(value: str) -> float | None:
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return None


def _in_time_range(now: dt.time, spec: str) -> bool:
    start_text, end_text = (part.strip() for part in spec.split("-", 1))
    start = dt.time.fromisoformat(start_text)
    end = dt.time.max if end_text.startswith("24") else dt.time.fromisoformat(end_text)
    if start <= end:
        return start <= now < end
    return now >= start or now < end  # over midnight, e.g. 16:00-08:00


def condition_matches(condition: dict[str, Any], draft: Draft) -> tuple[bool, str]:
    """Whether one condition holds; the note explains a failure to evaluate (regex timeout)."""
    op = condition.get("op")
    raw = str(condition.get("value") or "").strip()
    value = _field_value(draft, condition)
    if op == "is_true":
        return bool(value), ""
    if op == "is_false":
        return not bool(value), ""
    if op in ("between", "not_between"):
        inside = _in_time_range(value, raw)
        return inside if op == "between" else not inside, ""
    text = str(value)
    hay = text.casefold()
    needle = raw.casefold()
    terms = [t.casefold() for t in schema.split_list(raw)]
    if op == "is_empty":
        return not hay.strip(), ""
    if op == "not_empty":
        return bool(hay.strip()), ""
    if op == "contains":
        return any(t in hay for t in terms), ""
    if op == "not_contains":
        return not any(t in hay for t in terms), ""
    if op == "equals":
        return hay.strip() == needle, ""
    if op == "not_equals":
        return hay.strip() != needle, ""
    if op == "starts_with":
        return hay.startswith(needle), ""
    if op == "ends_with":
        return hay.rstrip().endswith(needle), ""
    if op == "in":
        return hay in terms, ""
    if op == "not_in":
        return hay not in terms, ""
    if op in ("greater", "less"):
        left, right = _number(text), _number(raw)
        if left is None or right is None:
            return False, ""
        return (left > right) if op == "greater" else (left < right), ""
    if op == "regex":
        try:
            return bool(regex.search(raw, text, regex.IGNORECASE, timeout=REGEX_TIMEOUT)), ""
        except TimeoutError:
            return False, "regulärer Ausdruck abgebrochen (Zeitlimit)"
        except regex.error as exc:
            return False, f"regulärer Ausdruck ungültig: {exc}"
    return False, f"unbekannter Operator {op}"


def rule_matches(rule: Rule, draft: Draft) -> tuple[bool, list[ConditionOutcome]]:
    outcomes = []
    for condition in rule.conditions or []:
        matched, note = condition_matches(condition, draft)
        outcomes.append(ConditionOutcome(describe_condition(condition), matched, note))
    if not outcomes:
        return False, outcomes
    results = [o.matched for o in outcomes]
    matched = all(results) if rule.match == "all" else any(results)
    return matched, outcomes


_rules: Memo[list[Rule]] = Memo("automation.active_rules")


def active_rules(draft: Draft) -> list[Rule]:
    organisation = draft.organisation
    return _rules.get(
        organisation.pk,
        lambda: list(
            Rule.objects.filter(organisation=organisation, active=True).order_by("position", "id")
        ),
    )


def _apply(rule: Rule, action: dict[str, Any], draft: Draft, outcome: RuleOutcome) -> None:
    kind, value = action.get("type"), str(action.get("value") or "").strip()
    text = describe_action(action)
    organisation = draft.organisation
    if kind == "set_service":
        if draft.service is not None and draft.meta.get("service_source") == "given":
            outcome.skipped.append(f"{text} (Leistung wurde bei der Antragstellung gewählt)")
            return
        service = (
            Service.objects.select_related("department")
            .filter(organisation=organisation, code=value, active=True)
            .first()
        )
        if service is None:
            outcome.skipped.append(f"{text} (Leistung nicht aktiv)")
            return
        draft.service = service
        draft.meta["service_source"] = "rule"
    elif kind == "set_priority":
        draft.priority = int(value)
    elif kind == "set_department":
        department = Department.objects.filter(organisation=organisation, code=value).first()
        if department is None:
            outcome.skipped.append(f"{text} (Fachbereich unbekannt)")
            return
        draft.department = department
    elif kind == "add_tag":
        if value not in draft.tags:
            draft.tags.append(value)
    elif kind in schema.POST_ACTIONS:
        draft.meta.setdefault(POST_KEY, []).append(
            {"type": kind, "value": value, "rule": rule.pk, "label": rule.label}
        )
    else:
        outcome.skipped.append(f"{text} (unbekannte Aktion)")
        return
    outcome.applied.append(text)


def evaluate(draft: Draft, rules: Iterable[Rule], *, record: bool = True) -> list[RuleOutcome]:
    """Evaluate ``rules`` in order against ``draft``, applying matching rules' actions.

    With ``record`` each firing is noted as a decision for the case's history.
    """
    from buergerticket.intake.pipeline import Decision

    outcomes: list[RuleOutcome] = []
    # The router and the Abschlag recognition note when they chose the service;
    # a service without such a note came with the request (person or form).
    draft.meta.setdefault("service_source", "given" if draft.service is not None else None)
    for rule in rules:
        service = draft.service
        if service is not None and not service.automation_enabled:
            draft.meta[SKIPPED_KEY] = service.code
            break
        matched, conditions = rule_matches(rule, draft)
        outcome = RuleOutcome(rule=rule, matched=matched, conditions=conditions)
        outcomes.append(outcome)
        if not matched:
            continue
        for action in rule.actions or []:
            _apply(rule, action, draft, outcome)
        outcome.stopped = rule.stop_processing
        if record:
            draft.decide(
                Decision(
                    type="rule_fired",
                    actor=Actor.automation(rule.label),
                    details={
                        "rule": rule.pk,
                        "version": rule.version,
                        "actions": [
                            {"type": a.get("type"), "value": str(a.get("value", ""))}
                            for a in rule.actions or []
                        ],
                        "skipped": len(outcome.skipped),
                    },
                    reason="; ".join(outcome.applied + outcome.skipped)[:500],
                )
            )
        if rule.stop_processing:
            break
    return outcomes


def apply_rules(draft: Draft) -> None:
    """Preprocessor: the organisation's active rules."""
    rules = active_rules(draft)
    if rules:
        evaluate(draft, rules)
