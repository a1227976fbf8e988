"""Reading contract data, scoped to one organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from buergerticket.automation.models import Contract, ContractChange, ContractImport
from buergerticket.automation.models.contracts import OPEN_CHANGE_STATUSES
from buergerticket.automation.money import decimal_str
from buergerticket.org.models import Organisation, User


def contract_by_number(organisation: Organisation, number: str) -> Contract | None:
    return Contract.objects.filter(organisation=organisation, number=number).first()


def contracts_for_account(organisation: Organisation, user: User) -> QuerySet[Contract]:
    return Contract.objects.filter(organisation=organisation, accounts__user=user)


def open_change(contract: Contract) -> ContractChange | None:
    """A change the billing system has not confirmed yet (pending or delivered)."""
    return (
        ContractChange.objects.filter(contract=contract, status__in=OPEN_CHANGE_STATUSES)
        .order_by("-created_at")
        .first()
    )


def last_import(organisation: Organisation) -> ContractImport | None:
    return ContractImport.objects.filter(organisation=organisation).first()


def data_age(organisation: Organisation, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How old the newest import is (None: never imported)."""
    latest = (
        ContractImport.objects.filter(organisation=organisation)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if latest is None:
        return None
    return (now or timezone.now()) - latest


def max_data_age() -> dt.timedelta | None:
    hours = int(getattr(settings, "CONTRACT_MAX_AGE_HOURS", 48) or 0)
    return dt.timedelta(hours=hours) if hours > 0 else None


def search(organisation: Organisation, query: str, limit: int = 50) -> list[Contract]:
    query = query.strip()
    contracts = Contract.objects.filter(organisation=organisation)
    if query.isdigit():
        contracts = contracts.filter(number__startswith=query)
    elif "@" in query:
        contracts = contracts.filter(email=query.lower())
    elif query:
        contracts = contracts.filter(holder_name__icontains=query)
    return list(contracts.order_by("number")[:limit])


def contract_as_dict(contract: Contract) -> dict[str, Any]:
    """The contract as JSON (``contract show --json``); CSV column names for its fields."""
    changes = list(contract.changes.select_related("case").order_by("-created_at")[:20])
    return {
        "vertragsnummer": contract.number,
        "name": contract.holder_name,
        "email": contract.email,
        "strasse": contract.street,
        "plz": contract.postcode,
        "ort": contract.city,
        "sparte": contract.division,
        "abschlag_eur": decimal_str(contract.installment),
        "rueckstand_eur": decimal_str(contract.arrears),
        "status": contract.status,
        "abschlag_gueltig_ab": (
            contract.installment_effective_from.isoformat()
            if contract.installment_effective_from
            else None
        ),
        "im_letzten_export": contract.in_export,
        "stand": contract.imported_at.isoformat(),
        "konten": sorted(contract.accounts.values_list("user__username", flat=True)),
        "aenderungen": [
            {
                "id": change.pk,
                "abschlag_alt": decimal_str(change.old_installment),
                "abschlag_neu": decimal_str(change.new_installment),
                "gueltig_ab": change.effective_from.isoformat(),
                "aktenzeichen": change.case.file_number if change.case else None,
                "durch": change.actor_label,
                "schnittstelle": change.connector,
                "status": change.status,
                "am": change.created_at.isoformat(),
                "referenz": change.external_reference,
            }
            for change in changes
        ],
    }
