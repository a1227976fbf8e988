"""The Abschlag rule's checks (katalog.yaml), each a recorded step with a reason code.

Auto-confirm only when ALL hold: the request is an Abschlag change, exactly one
contract number of an active contract, the requester is its holder, exactly
one new monthly amount, no arrears, and the new amount is at least 15.00 EUR
and at least 70 % of the current one (increases are always fine). Further
conservative stops (unclear wording, a requested date other than next month,
a change still pending) hand the case to a clerk as well.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from buergerticket.automation.money import format_eur

from .analysis import Analysis, division_key, next_month
from .reasons import PROBLEM_TEXTS, REASON_ORDER, REASON_TEXTS

MINIMUM = Decimal("15.00")
MINIMUM_SHARE = Decimal("0.70")
# Increases beyond this are more likely a typo than a wish ("8500" for "85,00").
PLAUSIBLE_FACTOR = Decimal("4")
PLAUSIBLE_STEP = Decimal("500")


@dataclass(frozen=True)
class ContractFacts:
    """What the rule needs to know about the contract (from the mirror or a live lookup)."""

    pk: int
    number: str
    email: str
    installment: Decimal
    arrears: Decimal
    status: str
    in_export: bool
    linked_user_ids: frozenset[int]
    has_open_change: bool
    division: str = ""


@dataclass(frozen=True)
class RequesterFacts:
    channel: str
    email: str = ""
    user_id: int | None = None
    is_staff_account: bool = False
    # Channels may set False when SPF/DKIM/DMARC failed (Draft.meta["sender_verified"]).
    verified: bool | None = None


@dataclass
class Check:
    code: str
    ok: bool | None  # None: could not be checked because an earlier step failed
    reason: str = ""
    text: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_details(self) -> dict[str, Any]:
        return {"check": self.code, "ok": self.ok, "reason": self.reason or None, **self.details}


@dataclass
class Verdict:
    checks: list[Check]
    contract: ContractFacts | None = None
    old: Decimal | None = None
    new: Decimal | None = None
    effective_from: dt.date | None = None

    @property
    def reasons(self) -> list[str]:
        found = {c.reason for c in self.checks if c.ok is False and c.reason}
        return [r for r in REASON_ORDER if r in found]

    @property
    def automated(self) -> bool:
        return not self.reasons and all(c.ok for c in self.checks)

    def explanation(self) -> str:
        """German, without personal data: shown on the case and in the history."""
        parts = []
        for check in self.checks:
            if check.ok is False:
                parts.append(check.text or REASON_TEXTS.get(check.reason, check.reason))
        return "; ".join(parts)


Lookup = Callable[[str], ContractFacts | None]


def evaluate(
    analysis: Analysis,
    requester: RequesterFacts,
    lookup: Lookup,
    *,
    today: dt.date,
    data_outdated: bool = False,
) -> Verdict:
    verdict = Verdict(checks=[])
    add = verdict.checks.append

    # 1. Is this a request to change the installment at all?
    if not analysis.topic or analysis.other_concerns:
        text = REASON_TEXTS["other_service"]
        if analysis.other_concerns:
            text = f"Weitere Anliegen: {', '.join(analysis.other_concerns)}"
        add(
            Check(
                "recognised",
                False,
                "other_service",
                text,
                {"other_concerns": analysis.other_concerns},
            )
        )
    else:
        add(Check("recognised", True))
    if not analysis.change_requested:
        add(
            Check(
                "change_requested",
                False,
                "no_change_requested",
                REASON_TEXTS["no_change_requested"],
            )
        )
    else:
        add(Check("change_requested", True))

    # 2. Contract number → contract.
    numbers = analysis.contract_numbers
    contract: ContractFacts | None = None
    if not numbers:
        add(Check("contract_number", False, "no_contract", REASON_TEXTS["no_contract"]))
    elif len(numbers) > 1:
        add(
            Check(
                "contract_number",
                False,
                "ambiguous",
                PROBLEM_TEXTS["several_contracts"],
                {"contracts_found": len(numbers)},
            )
        )
    else:
        add(Check("contract_number", True))
        contract = lookup(numbers[0])
        if contract is None:
            add(
                Check(
                    "contract_exists", False, "unknown_contract", REASON_TEXTS["unknown_contract"]
                )
            )
        else:
            add(Check("contract_exists", True, details={"contract": contract.pk}))
    verdict.contract = contract
    if contract is not None:
        if contract.status != "aktiv" or not contract.in_export:
            text = REASON_TEXTS["inactive_contract"]
            if contract.status == "aktiv":
                text += " (nicht im letzten Export der Abrechnung)"
            add(
                Check(
                    "contract_active",
                    False,
                    "inactive_contract",
                    text,
                    {"status": contract.status, "in_export": contract.in_export},
                )
            )
        elif data_outdated:
            add(
                Check(
                    "contract_active",
                    False,
                    "contract_data_outdated",
                    REASON_TEXTS["contract_data_outdated"],
                )
            )
        else:
            add(Check("contract_active", True))
        add(_holder_check(analysis, requester, contract))
    else:
        add(Check("requester", None))

    # 3. Exactly one new monthly amount (only meaningful for a change request).
    if verdict.checks[0].ok and verdict.checks[1].ok:
        amount = _amount_check(analysis, contract, today)
    else:
        amount = Check("amount", None)
    add(amount)
    new = Decimal(amount.details["new"]) if amount.ok else None

    if contract is None:
        for code in ("pending_change", "arrears", "limits"):
            add(Check(code, None))
        return verdict
    verdict.old = contract.installment
    if contract.has_open_change:
        add(Check("pending_change", False, "pending_change", REASON_TEXTS["pending_change"]))
    else:
        add(Check("pending_change", True))
    # 4. No arrears.
    if contract.arrears != 0:
        add(
            Check(
                "arrears",
                False,
                "arrears",
                REASON_TEXTS["arrears"],
                {"arrears": str(contract.arrears)},
            )
        )
    else:
        add(Check("arrears", True))
    # 5. Limits.
    if new is None:
        add(Check("limits", None))
    else:
        verdict.new = new
        old = contract.installment
        too_low = new < old and (new < MINIMUM or new < old * MINIMUM_SHARE)
        details = {"old": str(old), "new": str(new)}
        if too_low:
            text = (
                f"Neuer Abschlag {format_eur(new)} unter 15,00 € oder unter 70 % des bisherigen "
                f"({format_eur(old)})"
            )
            add(Check("limits", False, "too_low", text, details))
        else:
            add(Check("limits", True, details=details))
    if verdict.automated:
        verdict.effective_from = first_of_next_month(today)
    return verdict


def _holder_check(analysis: Analysis, requester: RequesterFacts, contract: ContractFacts) -> Check:
    text = REASON_TEXTS["foreign_sender"]
    if analysis.representation:
        return Check(
            "requester",
            False,
            "foreign_sender",
            text + " (Anfrage für eine andere Person)",
            {"via": "text"},
        )
    if analysis.forwarded:
        return Check(
            "requester",
            False,
            "foreign_sender",
            text + " (weitergeleitete Nachricht)",
            {"via": "forwarded"},
        )
    if requester.verified is False:
        return Check(
            "requester",
            False,
            "foreign_sender",
            text + " (Absender nicht authentifiziert)",
            {"via": requester.channel},
        )
    if requester.channel == "email":
        same = bool(requester.email) and requester.email.strip().lower() == contract.email.lower()
        if same and contract.email:
            return Check("requester", True, details={"via": "email"})
        return Check(
            "requester",
            False,
            "foreign_sender",
            text + " (Absenderadresse weicht von der hinterlegten ab)",
            {"via": "email"},
        )
    if requester.channel == "portal":
        linked = (
            requester.user_id is not None
            and not requester.is_staff_account
            and requester.user_id in contract.linked_user_ids
        )
        if linked:
            return Check("requester", True, details={"via": "account"})
        return Check(
            "requester",
            False,
            "foreign_sender",
            text + " (Kundenkonto nicht mit dem Vertrag verknüpft)",
            {"via": "account"},
        )
    return Check(
        "requester",
        False,
        "foreign_sender",
        text + f" (Eingangskanal {requester.channel})",
        {"via": requester.channel},
    )


def _amount_check(analysis: Analysis, contract: ContractFacts | None, today: dt.date) -> Check:
    problems = list(analysis.problems)
    targets = {a.value for a in analysis.targets}
    changes = {(a.sign, a.value) for a in analysis.changes}
    old = contract.installment if contract else None
    for stated in analysis.stated_old:
        if old is not None and stated.value != old:
            problems.append("old_amount_mismatch")
    named = analysis.divisions
    expected = {division_key(contract.division)} if contract and contract.division else named
    if named and named != expected:
        problems.append("division_mismatch")
    candidates: set[Decimal] = set(targets)
    if changes:
        if old is None:
            candidates.add(Decimal("-1"))  # cannot compute yet; decided once the contract is known
        else:
            candidates.update(old + sign * value for sign, value in changes if sign)
    if len(targets) > 1 or len(changes) > 1 or (len(candidates) > 1 and old is not None):
        problems.append("several_targets")
    if not candidates and "no_amount" not in problems:
        problems.append("no_amount")
    if analysis.direction == 2:
        problems.append("direction")
    for date in analysis.requested_dates:
        year, month = next_month(today)
        fits = (
            not date.until
            and date.month == month
            and date.day in (None, 1)
            and date.year in (None, year)
        )
        if not fits:
            problems.append("date")
    new = next(iter(candidates)) if len(candidates) == 1 else None
    if new is not None and old is not None:
        if analysis.direction in (1, -1) and targets and (new - old) * analysis.direction < 0:
            problems.append("direction")
        if new == old:
            problems.append("unchanged")
        if new > old and (new > old * PLAUSIBLE_FACTOR or new - old > PLAUSIBLE_STEP):
            problems.append("implausible")
    problems = list(dict.fromkeys(problems))
    if problems or new is None or (old is None and changes):
        if not problems and old is None:
            return Check("amount", None, details={"problems": []})
        text = REASON_TEXTS["ambiguous"]
        readable = [PROBLEM_TEXTS.get(p, p) for p in problems]
        if readable:
            text += f" ({', '.join(readable)})"
        return Check("amount", False, "ambiguous", text, {"problems": problems})
    return Check("amount", True, details={"new": str(new.quantize(Decimal("0.01")))})


def first_of_next_month(today: dt.date) -> dt.date:
    year, month = next_month(today)
    return dt.date(year, month, 1)
