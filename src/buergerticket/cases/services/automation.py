"""Recording several automation steps of one case in one change.

An automated rule checks a request in several steps (contract found, sender
verified, amount readable, …); each step is its own event, but they belong to
one decision and are written under one lock and one version bump.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from buergerticket.cases.history import Actor, History
from buergerticket.cases.models import Case

from ._common import lock_case, save_change

Step = tuple[str, dict[str, Any], str]  # (event type, details, reason)


def record_steps(case: Case | int, *, actor: Actor, steps: Iterable[Step]) -> Case:
    """Append one event per step (type, details, reason) in a single change.

    Like :func:`record_event`, the steps change nothing else on the case;
    ``actor.label`` names the rule or model version.
    """
    steps = list(steps)
    with transaction.atomic():
        case = lock_case(case)
        if not steps:
            return case
        history = History(case)
        for type_, details, reason in steps:
            history.record(type_, actor, dict(details), reason)
        save_change(case, history, [])
    return case
