"""The two small additions this app made to the core write path."""

from __future__ import annotations

import pytest

from buergerticket.cases import services
from buergerticket.cases.history import Actor, verify_chain
from buergerticket.cases.selectors import timeline
from buergerticket.notify.models import OutboxItem


@pytest.mark.django_db
def test_an_imported_case_sends_no_receipt(open_case):
    imported = open_case(imported=True)
    assert imported.events.get(type="intake").details["imported"] is True
    assert not OutboxItem.objects.filter(case=imported).exists()
    normal = open_case()
    assert "imported" not in normal.events.get(type="intake").details
    assert OutboxItem.objects.filter(case=normal, kind="mail").exists()


@pytest.mark.django_db
def test_record_steps_writes_several_events_in_one_change(open_case):
    case = open_case()
    version = case.version
    steps = [("automation_check", {"check": str(i), "ok": True}, "") for i in range(3)]
    after = services.record_steps(case, actor=Actor.automation("Regel test v1"), steps=steps)
    assert after.version == version + 1
    assert [e.type for e in timeline(after)][-3:] == ["automation_check"] * 3
    assert verify_chain(after, timeline(after)) is None
