"""The single write path for cases (ARCHITECTURE.md, property 2).

Every change of a case is one of these functions: it validates, locks the case
row, changes it, appends events to its history and lets subscribers queue side
effects, all in one transaction. Channels, views, the API, automation and
processes call these and never write case tables themselves.
"""

from ._common import CaseConflict, CaseError, CasePermissionDenied, check_open, lock_case
from .absences import apply_absences, can_record_absence, cancel_absence, record_absence
from .assigning import change_service, hand_over, reassign
from .automation import record_steps
from .communication import (
    add_document,
    add_incoming_message,
    add_note,
    add_reply,
    publish_document,
    record_delivery,
    share_message,
)
from .erasure import Anonymised, anonymise_case
from .links import link_cases
from .opening import (
    Intake,
    Location,
    NewDocument,
    Opening,
    Requester,
    open_case,
    opening,
    staged_documents,
)
from .retention import DisposedCase, dispose_case, set_legal_hold
from .steering import (
    add_tag,
    change_deadline,
    escalate,
    record_event,
    register_status_guard,
    reopen,
    set_attention,
    set_follow_up,
    set_priority,
    set_status,
)

__all__ = [
    "Anonymised",
    "CaseConflict",
    "CaseError",
    "CasePermissionDenied",
    "DisposedCase",
    "Intake",
    "Location",
    "NewDocument",
    "Opening",
    "Requester",
    "add_document",
    "add_incoming_message",
    "add_note",
    "add_reply",
    "add_tag",
    "anonymise_case",
    "apply_absences",
    "can_record_absence",
    "cancel_absence",
    "change_deadline",
    "change_service",
    "check_open",
    "dispose_case",
    "escalate",
    "hand_over",
    "link_cases",
    "lock_case",
    "open_case",
    "opening",
    "publish_document",
    "reassign",
    "record_absence",
    "record_delivery",
    "record_event",
    "record_steps",
    "register_status_guard",
    "reopen",
    "set_attention",
    "set_follow_up",
    "set_legal_hold",
    "set_priority",
    "set_status",
    "share_message",
    "staged_documents",
]
