"""The case page's "Automatisierung" panel: last automated decision, its checks, the contract."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from buergerticket.automation.abschlag.checks import first_of_next_month
from buergerticket.automation.forms import InstallmentForm
from buergerticket.automation.models import Contract
from buergerticket.automation.timeline import CHECK_LABELS
from buergerticket.cases.models import Case

TYPES = ("automation_check", "automation_decision", "routed", "rule_fired", "contract_changed")


def automation_panel(request: Any, case: Case) -> list[str]:
    events = list(case.events.filter(type__in=TYPES).order_by("seq"))
    abschlag_case = case.service.automation == "abschlag"
    if not events and not abschlag_case:
        return []
    decisions = [e for e in events if e.type == "automation_decision"]
    checks: list[dict[str, Any]] = []
    contract = None
    decision = decisions[-1] if decisions else None
    if decision is not None:
        earlier = [d.seq for d in decisions[:-1]]
        start = earlier[-1] if earlier else 0
        for event in events:
            if event.type == "automation_check" and start < event.seq < decision.seq:
                details = event.details
                checks.append(
                    {
                        "label": str(
                            CHECK_LABELS.get(details.get("check", ""), details.get("check"))
                        ),
                        "ok": details.get("ok"),
                        "reason": event.reason,
                    }
                )
                if details.get("check") == "contract_exists" and details.get("contract"):
                    contract = Contract.objects.filter(
                        organisation_id=case.organisation_id, pk=details["contract"]
                    ).first()
    return [
        render_to_string(
            "automation/panel.html",
            {
                "case": case,
                "decision": decision,
                "checks": checks,
                "contract": contract,
                "steps": [e for e in events if e.type in ("routed", "rule_fired")],
                "installment_form": InstallmentForm(
                    initial={
                        "contract": contract.number if contract else "",
                        "effective_from": first_of_next_month(timezone.localdate()),
                    },
                    auto_id="installment-%s",
                )
                if abschlag_case and case.status != "abgeschlossen"
                else None,
            },
            request=request,
        )
    ]
