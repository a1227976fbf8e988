"""How automation plugs into the intake pipeline (``buergerticket.intake.pipeline``).

Before the case exists (preprocessors, in this order):
  200 the Abschlag recognition (a request about the installment → its service),
  250 the router (a request still without service → predicted service or fallback),
  300 the administrators' rules.
After the case is committed (postprocessor 100): template replies and handlers
noted by rules, and the handler of the case's service (``Service.automation``).
Nothing automated acts on a case whose service has automation switched off.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from buergerticket.automation import handlers
from buergerticket.automation.abschlag import handler as abschlag
from buergerticket.automation.models import ReplyTemplate
from buergerticket.automation.router.routing import route
from buergerticket.automation.rules.engine import POST_KEY, SKIPPED_KEY, apply_rules
from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case

if TYPE_CHECKING:
    from buergerticket.intake.pipeline import Draft, IntakeResult

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render_template(template: ReplyTemplate, case: Case) -> tuple[str, str]:
    """Fill ``{aktenzeichen}``, ``{name}``, ``{leistung}``, ``{betreff}``, ``{frist}``,
    ``{organisation}``; unknown placeholders stay as written."""
    values = {
        "aktenzeichen": case.file_number,
        "name": case.requester_name,
        "leistung": case.service.name,
        "betreff": case.subject,
        "frist": case.deadline.strftime("%d.%m.%Y"),
        "organisation": case.organisation.name,
    }

    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group())), text)

    return fill(template.subject), fill(template.body)


def _send_template(case: Case, action: dict[str, Any]) -> None:
    template = ReplyTemplate.objects.filter(
        organisation=case.organisation, pk=int(action["value"]), active=True
    ).first()
    actor = Actor.automation(action["label"])
    if template is None:
        services.record_event(
            case,
            actor=actor,
            type="automation_skipped",
            details={"rule": action["rule"], "action": "send_reply"},
            reason="Antwortvorlage nicht mehr vorhanden oder inaktiv",
        )
        return
    subject, body = render_template(template, case)
    services.add_reply(case, actor=actor, body=body, subject=subject)


def run_automation(case: Case, draft: Draft, result: IntakeResult) -> None:
    """Postprocessor: act on the new case where rules or its service ask for it."""
    service = case.service
    post: list[dict[str, Any]] = list(draft.meta.get(POST_KEY, []))
    names = [a["value"] for a in post if a["type"] == "run_handler"]
    if service.automation:
        names.append(service.automation)
    names = list(dict.fromkeys(names))
    replies = [a for a in post if a["type"] == "send_reply"]
    if not service.automation_enabled or draft.meta.get(SKIPPED_KEY):
        if names or replies or draft.meta.get(SKIPPED_KEY):
            services.record_event(
                case,
                actor=Actor.system("Automatik"),
                type="automation_skipped",
                details={"service": service.code, "handlers": names},
                reason="Automatisierung für diese Leistung ausgeschaltet",
            )
            result.reason = result.reason or "automation_disabled"
        return
    for action in replies:
        _send_template(case, action)
    for name in names:
        handler = handlers.get(name)
        if handler is None:
            services.record_event(
                case,
                actor=Actor.system("Automatik"),
                type="automation_skipped",
                details={"handler": name},
                reason=f"Automatisierung „{name}“ ist nicht installiert",
            )
            continue
        handler.run(case, draft, result)
    if not result.automated and not result.reason and draft.meta.get(abschlag.DECLINED_KEY):
        # The Abschlag rule looked at this request and found it is about something else.
        result.reason = "other_service"


def connect() -> None:
    from buergerticket.intake import pipeline

    handlers.register("abschlag", "Abschlag ändern (Stadtwerke)", abschlag.handle)
    pipeline.register_preprocessor(abschlag.recognise, order=200)
    pipeline.register_preprocessor(route, order=250)
    pipeline.register_preprocessor(apply_rules, order=300)
    pipeline.register_postprocessor(run_automation, order=100)
