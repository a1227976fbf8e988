"""The Abschlag rule on a case: recognise (before the case exists), check, act or stop.

Acting means: the new installment goes to the billing system through the
contract connector, a confirmation naming old and new amount and the
effective date goes to the requester, and the case closes as "automatisch
erledigt". Stopping means: the contract stays untouched and the case waits in
the ABR queue with the reasons on it. Every check and the decision are events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation

from buergerticket.automation.contracts.connector import ContractRecord, connector_for
from buergerticket.automation.contracts.selectors import data_age, max_data_age
from buergerticket.automation.contracts.services import change_installment
from buergerticket.automation.models import Contract, ContractChange
from buergerticket.automation.models.contracts import OPEN_CHANGE_STATUSES
from buergerticket.automation.money import format_eur
from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Status
from buergerticket.catalog.models import Service
from buergerticket.core.memo import Memo
from buergerticket.org.models import Organisation, Staff

from . import RULE_LABEL, RULE_NAME, RULE_VERSION
from .analysis import Analysis, analyse
from .checks import ContractFacts, RequesterFacts, Verdict, evaluate

if TYPE_CHECKING:
    from buergerticket.intake.pipeline import Draft, IntakeResult

ANALYSIS_KEY = "abschlag_analysis"
DECLINED_KEY = "abschlag_declined"


# Most organisations have no Abschlag service: remembering that saves a query per intake.
_services: Memo[Service | None] = Memo("automation.abschlag_service", keep_none=True)


def abschlag_service(organisation: Organisation) -> Service | None:
    return _services.get(
        organisation.pk,
        lambda: (
            Service.objects.select_related("department")
            .filter(organisation=organisation, automation=RULE_NAME, active=True)
            .first()
        ),
    )


def recognise(draft: Draft) -> None:
    """Preprocessor: a free-text request about the installment goes to the Abschlag service."""
    from buergerticket.intake.pipeline import Decision

    service = abschlag_service(draft.organisation)
    if service is None:
        return
    analysis = analyse(draft.subject, draft.text, draft.form_data)
    draft.meta[ANALYSIS_KEY] = analysis
    if draft.service is not None:
        draft.meta.setdefault("service_source", "given")
        if draft.service.pk != service.pk:
            draft.meta[DECLINED_KEY] = True  # a request for another service of this utility
        return
    if analysis.topic and not analysis.other_concerns:
        draft.service = service
        draft.meta["service_source"] = "rule"
        draft.decide(
            Decision(
                type="routed",
                actor=Actor.automation(RULE_LABEL),
                details={
                    "service": service.code,
                    "by": "rule",
                    "rule": RULE_NAME,
                    "version": RULE_VERSION,
                },
                reason="Anfrage zum Abschlag erkannt",
            )
        )
    else:
        draft.meta[DECLINED_KEY] = True


def contract_facts(contract: Contract, *, with_accounts: bool = True) -> ContractFacts:
    """``with_accounts=False`` skips the account query where no account can match (e-mail)."""
    accounts: frozenset[int] = frozenset()
    if with_accounts:
        accounts = frozenset(contract.accounts.values_list("user_id", flat=True))
    # Annotated by evaluate_request; looked up for a contract loaded elsewhere.
    open_change = getattr(contract, "has_open_change", None)
    if open_change is None:
        open_change = ContractChange.objects.filter(
            contract=contract, status__in=OPEN_CHANGE_STATUSES
        ).exists()
    return ContractFacts(
        pk=contract.pk,
        number=contract.number,
        email=contract.email,
        installment=contract.installment,
        arrears=contract.arrears,
        status=contract.status,
        in_export=contract.in_export,
        linked_user_ids=accounts,
        has_open_change=bool(open_change),
        division=contract.division,
    )


def requester_facts(
    channel: str, email: str, user_id: int | None, verified: bool | None
) -> RequesterFacts:
    return RequesterFacts(
        channel=channel,
        email=email,
        user_id=user_id,
        is_staff_account=user_id is not None and Staff.objects.filter(user_id=user_id).exists(),
        verified=verified,
    )


@dataclass
class Evaluation:
    verdict: Verdict
    contract: Contract | None


def _store_live(organisation: Organisation, record: ContractRecord) -> None:
    values = {
        "holder_name": record.holder_name,
        "email": record.email,
        "street": record.street,
        "postcode": record.postcode,
        "city": record.city,
        "division": record.division,
        "arrears": record.arrears,
        "status": record.status,
        "in_export": True,
        "imported_at": timezone.now(),
    }
    contract, created = Contract.objects.get_or_create(
        organisation=organisation,
        number=record.number,
        defaults={**values, "installment": record.installment},
    )
    if not created:
        Contract.objects.filter(pk=contract.pk).update(**values, updated_at=timezone.now())


def evaluate_request(
    organisation: Organisation,
    analysis: Analysis,
    requester: RequesterFacts,
    *,
    lock: bool,
) -> Evaluation:
    """Run the checks; with ``lock`` (inside a transaction) the contract row stays locked."""
    numbers = analysis.contract_numbers
    contract = None
    outdated = False
    if len(numbers) == 1:
        live = connector_for(organisation).refresh(numbers[0]) if lock else None
        if live is not None:
            _store_live(organisation, live)
        rows = Contract.objects.filter(organisation=organisation, number=numbers[0])
        if lock:
            # Lock first, then look for open changes in a new statement: under READ
            # COMMITTED only that one sees a change committed while we waited.
            contract = rows.select_for_update().first()
        else:
            contract = rows.annotate(
                has_open_change=Exists(
                    ContractChange.objects.filter(
                        contract=OuterRef("pk"), status__in=OPEN_CHANGE_STATUSES
                    )
                )
            ).first()
        limit = max_data_age()
        age = data_age(organisation)
        outdated = live is None and limit is not None and age is not None and age > limit
    facts = (
        contract_facts(contract, with_accounts=requester.channel == "portal")
        if contract is not None
        else None
    )
    verdict = evaluate(
        analysis,
        requester,
        lambda number: facts if facts is not None and number == facts.number else None,
        today=timezone.localdate(),
        data_outdated=outdated,
    )
    return Evaluation(verdict, contract)


def handle(case: Case, draft: Draft, result: IntakeResult) -> None:
    """Postprocessor handler ``abschlag`` for a new case."""
    analysis = draft.meta.get(ANALYSIS_KEY)
    if not isinstance(analysis, Analysis):
        analysis = analyse(case.subject, case.text, case.form_data)
    actor = Actor.automation(RULE_LABEL)
    requester = requester_facts(
        case.channel,
        case.requester_email,
        case.requester_account_id,
        draft.meta.get("sender_verified"),
    )
    with transaction.atomic():
        evaluation = evaluate_request(case.organisation, analysis, requester, lock=True)
        verdict = evaluation.verdict
        steps: list[tuple[str, dict[str, Any], str]] = [
            (
                "automation_check",
                {"rule": RULE_NAME, "version": RULE_VERSION, **check.as_details()},
                check.text if check.ok is False else "",
            )
            for check in verdict.checks
        ]
        decision: dict[str, Any] = {
            "rule": RULE_NAME,
            "version": RULE_VERSION,
            "automated": verdict.automated,
            "reasons": verdict.reasons,
            "analysis": analysis.as_details(),
        }
        if verdict.automated:
            _confirm(case, evaluation, actor, steps, decision)
            result.automated, result.reason = True, ""
        else:
            steps.append(("automation_decision", decision, verdict.explanation()))
            services.record_steps(case, actor=actor, steps=steps)
            _stop(case, verdict, actor)
            result.automated = False
            result.reason = verdict.reasons[0] if verdict.reasons else "automation_error"
    result.details["abschlag"] = {
        "reasons": verdict.reasons,
        "contract": evaluation.contract.number if evaluation.contract else None,
        "old_amount": str(verdict.old) if verdict.old is not None else None,
        "new_amount": str(verdict.new) if verdict.new is not None else None,
        "effective_from": verdict.effective_from.isoformat() if verdict.effective_from else None,
    }


def _confirm(
    case: Case,
    evaluation: Evaluation,
    actor: Actor,
    steps: list[tuple[str, dict[str, Any], str]],
    decision: dict[str, Any],
) -> None:
    verdict, contract = evaluation.verdict, evaluation.contract
    assert contract is not None and verdict.new is not None and verdict.old is not None
    assert verdict.effective_from is not None
    decision.update(
        old=str(verdict.old),
        new=str(verdict.new),
        effective_from=verdict.effective_from.isoformat(),
    )
    steps.append(("automation_decision", decision, "Alle Prüfungen bestanden"))
    services.record_steps(case, actor=actor, steps=steps)
    change = change_installment(
        contract,
        new_installment=verdict.new,
        effective_from=verdict.effective_from,
        actor=actor,
        case=case,
    )
    services.record_event(
        case,
        actor=actor,
        type="contract_changed",
        details={
            "contract": contract.pk,
            "contract_change": change.pk,
            "connector": change.connector,
            "old": str(change.old_installment),
            "new": str(change.new_installment),
            "effective_from": change.effective_from.isoformat(),
        },
        reason="Neuer Abschlag an die Abrechnung übergeben",
    )
    with translation.override("de"):
        body = render_to_string(
            "automation/mail/abschlag_confirmation.txt",
            {
                "name": case.requester_name,
                "number": contract.number,
                "division": contract.division,
                "old": format_eur(verdict.old),
                "new": format_eur(verdict.new),
                "effective_from": verdict.effective_from,
                "file_number": case.file_number,
                "organisation": case.organisation.name,
            },
        ).strip()
    services.add_reply(case, actor=actor, body=body + "\n", subject="Ihr Abschlag wurde geändert")
    home = abschlag_service(case.organisation)
    if home is not None and case.service_id != home.pk:
        # Run by a rule on another service: file the case where Abschlag requests belong.
        services.change_service(case, actor=actor, service=home, reason="Antrag zum Abschlag")
    services.set_status(
        case, actor=actor, status=Status.CLOSED, reason="Abschlag automatisch geändert"
    )


def _stop(case: Case, verdict: Verdict, actor: Actor) -> None:
    services.set_attention(
        case, actor=actor, text=f"Automatik gestoppt: {verdict.explanation()}"[:300]
    )
    fresh = Case.objects.select_related("service", "department").get(pk=case.pk)
    home = abschlag_service(fresh.organisation)
    if home is None:
        return
    if fresh.service_id != home.pk:
        if "other_service" in verdict.reasons:
            return  # a rule ran the handler on something else: leave it where it is
        # A rule ran the handler on a case of another service: it is an Abschlag request.
        services.change_service(
            fresh,
            actor=actor,
            service=home,
            reason="Antrag zum Abschlag zur manuellen Bearbeitung an den Fachbereich",
        )
    elif fresh.department_id != home.department_id:
        # A routing rule sent it elsewhere: the standard request belongs to its department.
        services.hand_over(
            fresh,
            actor=actor,
            department=home.department,
            reason="Standardanfrage zur manuellen Bearbeitung an den Fachbereich",
        )
