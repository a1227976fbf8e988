"""The immutable history holds no personal data of the requester (core changes of issue 7)."""

from __future__ import annotations

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import CaseEvent


def test_requester_events_name_only_the_role(open_case):
    case = open_case()
    services.add_incoming_message(
        case,
        actor=Actor.requester(),
        author_label="Erika Mustermann",
        channel="email",
        body="Nachtrag",
    )
    labels = set(
        CaseEvent.objects.filter(case=case, actor_kind="requester").values_list(
            "actor_label", flat=True
        )
    )
    assert labels == {"Antragsteller:in"}
    # The name stays where erasure can reach it: on the message row.
    assert case.messages.filter(author_label="Erika Mustermann").count() == 2


def test_delivery_error_stays_on_the_message(open_case, staff):
    case = open_case()
    reply = services.add_reply(case, actor=Actor.for_staff(staff("s.wagner")), body="Antwort")
    services.record_delivery(reply, delivered=False, error="550 <erika@example.org> unknown user")
    event = CaseEvent.objects.get(case=case, type="delivery_failed")
    assert "erika" not in event.reason and "erika" not in str(event.details)
    reply.refresh_from_db()
    assert "erika@example.org" in reply.delivery_error
