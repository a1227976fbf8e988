"""A dry run: what automation would do with a sample request — without writing anything.

It runs the same steps as the intake (Abschlag recognition, router, rules)
on a draft that is never submitted, and evaluates the handlers' checks with
read-only lookups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from buergerticket.automation import handlers
from buergerticket.automation.abschlag import handler as abschlag
from buergerticket.automation.abschlag.analysis import Analysis, analyse
from buergerticket.automation.abschlag.checks import Verdict
from buergerticket.automation.models import Rule
from buergerticket.automation.router.routing import Prediction
from buergerticket.automation.router.routing import route as route_draft
from buergerticket.automation.rules import engine
from buergerticket.cases.services import Requester
from buergerticket.catalog.models import Service
from buergerticket.intake.pipeline import Decision, Draft, fallback_service
from buergerticket.org.models import Organisation


@dataclass
class Sample:
    channel: str = "email"
    subject: str = ""
    text: str = ""
    sender: str = ""
    service: Service | None = None
    form_data: dict[str, Any] = field(default_factory=dict)
    received_at: dt.datetime | None = None


@dataclass
class DryRun:
    draft: Draft
    rules: list[engine.RuleOutcome]
    decisions: list[Decision]
    prediction: Prediction | None
    service: Service
    handlers: list[str]
    replies: list[dict[str, Any]]
    disabled: bool
    abschlag: Verdict | None = None
    analysis: Analysis | None = None


def dry_run(organisation: Organisation, sample: Sample, rules: list[Rule] | None = None) -> DryRun:
    draft = Draft(
        organisation=organisation,
        channel=sample.channel,
        subject=sample.subject,
        text=sample.text,
        service=sample.service,
        requester=Requester(email=sample.sender.strip().lower()),
        form_data=dict(sample.form_data),
        received_at=sample.received_at,
    )
    abschlag.recognise(draft)
    route_draft(draft)
    candidates = rules if rules is not None else engine.active_rules(draft)
    outcomes = engine.evaluate(draft, candidates)
    service = draft.service or fallback_service(organisation)
    post = draft.meta.get(engine.POST_KEY, [])
    names = [a["value"] for a in post if a["type"] == "run_handler"]
    if service.automation:
        names.append(service.automation)
    names = list(dict.fromkeys(names))
    disabled = not service.automation_enabled or bool(draft.meta.get(engine.SKIPPED_KEY))
    result = DryRun(
        draft=draft,
        rules=outcomes,
        decisions=list(draft.decisions),
        prediction=draft.meta.get("router_prediction"),
        service=service,
        handlers=[h.label for h in (handlers.get(n) for n in names) if h is not None],
        replies=[a for a in post if a["type"] == "send_reply"],
        disabled=disabled,
    )
    if "abschlag" in names and not disabled:
        analysis = draft.meta.get(abschlag.ANALYSIS_KEY)
        if not isinstance(analysis, Analysis):
            analysis = analyse(draft.subject, draft.text, draft.form_data)
        requester = abschlag.requester_facts(draft.channel, draft.requester.email, None, None)
        result.analysis = analysis
        result.abschlag = abschlag.evaluate_request(
            organisation, analysis, requester, lock=False
        ).verdict
    return result
