"""Writing contract data: a new installment (through the connector), linked citizen accounts.

``change_installment`` records the change and queues its delivery to the
billing system in the caller's transaction (outbox): if the transaction rolls
back, nothing leaves; if it commits, the worker delivers it, retrying until the
billing system has it.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from buergerticket.automation.models import (
    Contract,
    ContractAccount,
    ContractChange,
    ContractChangeStatus,
)
from buergerticket.cases import services as case_services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Status
from buergerticket.notify.models import OutboxItem
from buergerticket.notify.outbox import PermanentError, enqueue, register_handler
from buergerticket.org.models import Staff, User

from .connector import PermanentConnectorError, connector_for

log = logging.getLogger("buergerticket.automation")
WRITEBACK = "contract.writeback"


class ContractError(Exception):
    """A contract change is not possible; the message is German and shown as is."""


def change_installment(
    contract: Contract,
    *,
    new_installment: Decimal,
    effective_from: dt.date,
    actor: Actor,
    case: Case | None = None,
) -> ContractChange:
    """Set a new installment and queue its write-back to the billing system."""
    if new_installment <= 0 or new_installment != new_installment.quantize(Decimal("0.01")):
        raise ContractError(
            "Der neue Abschlag muss ein positiver Betrag mit höchstens 2 Nachkommastellen sein."
        )
    with transaction.atomic():
        locked = (
            Contract.objects.select_for_update().select_related("organisation").get(pk=contract.pk)
        )
        if locked.installment == new_installment:
            raise ContractError("Der Abschlag hat bereits diese Höhe.")
        connector = connector_for(locked.organisation)
        change = ContractChange.objects.create(
            organisation=locked.organisation,
            contract=locked,
            old_installment=locked.installment,
            new_installment=new_installment,
            effective_from=effective_from,
            case=case,
            actor_label=actor.label,
            staff=actor.staff,
            connector=connector.kind,
            created_at=timezone.now(),
        )
        locked.installment = new_installment
        locked.installment_effective_from = effective_from
        locked.save(update_fields=["installment", "installment_effective_from", "updated_at"])
        enqueue(
            organisation=locked.organisation,
            case=case,
            kind=WRITEBACK,
            payload={"change": change.pk},
            dedupe_key=f"{WRITEBACK}:{change.pk}",
        )
    contract.installment = new_installment
    contract.installment_effective_from = effective_from
    return change


def deliver_writeback(item: OutboxItem) -> None:
    """Outbox handler: hand the change to the billing system (idempotent per change)."""
    change = (
        ContractChange.objects.select_related("contract", "organisation", "case")
        .filter(pk=item.payload.get("change"))
        .first()
    )
    if change is None:
        raise PermanentError("Die Vertragsänderung gibt es nicht mehr.")
    if change.status != ContractChangeStatus.PENDING:
        return  # delivered before a crash, or settled by a newer export
    try:
        reference = connector_for(change.organisation).deliver_installment_change(change)
    except PermanentConnectorError as exc:
        raise PermanentError(str(exc)) from exc
    ContractChange.objects.filter(pk=change.pk, status=ContractChangeStatus.PENDING).update(
        status=ContractChangeStatus.DELIVERED,
        delivered_at=timezone.now(),
        external_reference=reference[:300],
        error="",
    )


def writeback_failed(item: OutboxItem) -> None:
    """The billing system never got the change: flag it and tell the case's owner."""
    change = ContractChange.objects.filter(pk=item.payload.get("change")).first()
    if change is None:
        return
    ContractChange.objects.filter(pk=change.pk).update(
        status=ContractChangeStatus.FAILED, error=item.last_error[:4000]
    )
    if change.case_id is None:
        return
    actor = Actor.system("Vertragsschnittstelle")
    case_services.record_event(
        change.case_id,
        actor=actor,
        type="contract_writeback_failed",
        details={"contract_change": change.pk},
        reason=item.last_error[:500],
    )
    # An automatically closed case is not done if billing never got the change:
    # it goes back to the queue, where a clerk sees the flag.
    if Case.objects.filter(pk=change.case_id, status=Status.CLOSED).exists():
        case_services.reopen(
            change.case_id, actor=actor, reason="Übermittlung an die Abrechnung fehlgeschlagen"
        )
    case_services.set_attention(
        change.case_id,
        actor=actor,
        text="Der geänderte Abschlag konnte nicht an die Abrechnung übermittelt werden – "
        "bitte dort von Hand ändern.",
    )


def link_account(contract: Contract, user: User, *, by: str) -> ContractAccount:
    """Link a citizen account to the contract (the portal holder check accepts it)."""
    if Staff.objects.filter(user=user).exists():
        raise ContractError("Mitarbeiterkonten können nicht mit Verträgen verknüpft werden.")
    if not user.is_active:
        raise ContractError("Das Konto ist deaktiviert.")
    link, _ = ContractAccount.objects.get_or_create(
        contract=contract, user=user, defaults={"created_by": by[:200]}
    )
    return link


def unlink_account(contract: Contract, user: User) -> bool:
    deleted, _ = ContractAccount.objects.filter(contract=contract, user=user).delete()
    return bool(deleted)


def connect() -> None:
    register_handler(WRITEBACK, deliver_writeback, on_final_failure=writeback_failed)
