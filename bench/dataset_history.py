"""The history a generated case has gathered by its status: intake, assignment,
work, and for closed ones the decision (used by bench/dataset.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def events_for(
    service: Any,
    owner: Any,
    created_at: dt.datetime,
    closed_at: dt.datetime | None,
    status: str,
    automated: bool,
) -> list[Any]:
    from buergerticket.cases.models import CaseEvent, Status

    def event(
        type: str,
        at: dt.datetime,
        kind: str,
        actor: Any,
        label: str,
        details: dict[str, Any],
        reason: str = "",
    ) -> CaseEvent:
        return CaseEvent(
            type=type,
            at=at,
            actor_kind=kind,
            actor_id=actor.pk if actor else None,
            actor_label=label,
            details=details,
            reason=reason,
        )

    events = [
        event(
            "intake",
            created_at,
            "requester",
            None,
            "Antragsteller:in",
            {"channel": "portal", "service": service.code, "attachments": 0},
        ),
        event(
            "assigned",
            created_at,
            "system",
            None,
            "System",
            {"owner": owner.user.username, "rule": "owner"},
        ),
    ]
    if status == Status.CLOSED and closed_at is not None:
        if automated:
            events.append(
                event(
                    "status_changed",
                    closed_at,
                    "automation",
                    None,
                    "Regel abschlag v1",
                    {"old": "neu", "new": "abgeschlossen"},
                )
            )
        else:
            events.append(
                event(
                    "status_changed",
                    created_at + (closed_at - created_at) / 3,
                    "staff",
                    owner,
                    owner.name,
                    {"old": "neu", "new": "in_bearbeitung"},
                )
            )
            events.append(
                event(
                    "status_changed",
                    closed_at,
                    "staff",
                    owner,
                    owner.name,
                    {"old": "in_bearbeitung", "new": "abgeschlossen"},
                    "erledigt",
                )
            )
    elif status in (Status.IN_PROGRESS, Status.WAITING):
        events.append(
            event(
                "status_changed",
                created_at + dt.timedelta(hours=2),
                "staff",
                owner,
                owner.name,
                {"old": "neu", "new": "in_bearbeitung"},
            )
        )
        if status == Status.WAITING:
            events.append(
                event(
                    "status_changed",
                    created_at + dt.timedelta(hours=3),
                    "staff",
                    owner,
                    owner.name,
                    {"old": "in_bearbeitung", "new": "wartet"},
                )
            )
    return events
