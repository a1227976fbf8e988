"""The cases' scheduled work: absences and escalation of overdue cases."""

from __future__ import annotations

from django.utils import timezone

from buergerticket.cases import services
from buergerticket.cases.selectors import overdue_unescalated


def escalate_overdue() -> int:
    """Escalate every overdue case once; ``escalated_at`` makes repeated runs no-ops."""
    count = 0
    ids = list(overdue_unescalated(timezone.localdate()).values_list("pk", flat=True)[:5000])
    for case_id in ids:
        if services.escalate(case_id) is not None:
            count += 1
    return count


def apply_absences() -> dict[str, int]:
    return services.apply_absences()
