"""Tables of the automation app: contracts, rules, the request router."""

from .contracts import (
    Contract,
    ContractAccount,
    ContractChange,
    ContractChangeStatus,
    ContractImport,
)
from .router import ImportedCase, RouterModel
from .rules import (
    AutomationChange,
    AutomationSettings,
    ReplyTemplate,
    Rule,
    RuleMatch,
    RuleRevision,
)

__all__ = [
    "AutomationChange",
    "AutomationSettings",
    "Contract",
    "ContractAccount",
    "ContractChange",
    "ContractChangeStatus",
    "ContractImport",
    "ImportedCase",
    "ReplyTemplate",
    "RouterModel",
    "Rule",
    "RuleMatch",
    "RuleRevision",
]
