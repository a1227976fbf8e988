"""The contract connector interface and the registry of billing-system connectors.

Contract data is mirrored into ``Contract`` rows (the Abschlag rule reads the
mirror); how the mirror is filled and how a change travels back to the billing
system depends on the system. A connector implements the second part and, if
the billing system offers a live lookup, :meth:`ContractConnector.refresh`.

Adding SAP IS-U (or any other system) means: subclass ``ContractConnector``,
``register("sap", SapConnector)``, and configure the organisation with
``BUERGERTICKET_CONTRACT_CONNECTORS='{"stadtwerke": {"kind": "sap", ...}}'``.
"""

from __future__ import annotations

import datetime as dt
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings

from buergerticket.automation.models import ContractChange
from buergerticket.org.models import Organisation


class ConnectorError(Exception):
    """The billing system could not be reached or refused; retried by the outbox."""


class PermanentConnectorError(ConnectorError):
    """The billing system rejected the change for good (unknown contract, …)."""


@dataclass(frozen=True)
class ContractRecord:
    """One contract as the billing system states it (column names of the CSV export)."""

    number: str
    holder_name: str
    email: str
    street: str
    postcode: str
    city: str
    division: str
    installment: Decimal
    arrears: Decimal
    status: str


class ContractConnector(ABC):
    kind: ClassVar[str]
    label: ClassVar[str]

    def __init__(self, organisation: Organisation, options: dict[str, Any]):
        self.organisation = organisation
        self.options = options

    def refresh(self, number: str) -> ContractRecord | None:
        """Current data straight from the billing system, if it offers a live lookup.

        ``None`` means "no live lookup": the mirror (last import) is used. The
        Abschlag rule calls this right before it checks a contract, so a
        connector with a live API checks arrears as of now.
        """
        return None

    @abstractmethod
    def deliver_installment_change(self, change: ContractChange) -> str:
        """Hand a new installment to the billing system; returns its reference.

        Called by the outbox worker, possibly more than once for the same change
        (after a crash): it must be idempotent, e.g. keyed by ``change.pk``.
        """

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label}


_registry: dict[str, type[ContractConnector]] = {}


def register(kind: str, connector: type[ContractConnector]) -> None:
    _registry[kind] = connector


def connector_for(organisation: Organisation) -> ContractConnector:
    """The configured connector of ``organisation`` (the CSV export by default)."""
    configured = getattr(settings, "CONTRACT_CONNECTORS", "") or {}
    if isinstance(configured, str):
        try:
            configured = json.loads(configured)
        except ValueError:
            raise ConnectorError(
                "BUERGERTICKET_CONTRACT_CONNECTORS ist kein gültiges JSON."
            ) from None
    options = dict(configured.get(organisation.slug) or {})
    kind = str(options.pop("kind", "csv"))
    try:
        cls = _registry[kind]
    except KeyError:
        raise ConnectorError(
            f"Vertragsschnittstelle „{kind}“ für {organisation.slug} ist nicht bekannt "
            f"(vorhanden: {', '.join(sorted(_registry))})."
        ) from None
    return cls(organisation, options)


def first_of_next_month(day: dt.date) -> dt.date:
    """When a changed installment takes effect (katalog.yaml: first day of next month)."""
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
