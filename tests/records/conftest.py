"""Helpers for the records tests: staff in special roles, closed cases, documents."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def make_staff(catalog):
    """``make_staff("d.schutz", roles=["datenschutz"])`` in Musterstadt's BUE department."""
    from buergerticket.org.models import Department, Organisation, Staff, User

    def make(username: str, roles: list[str], org: str = "musterstadt", department: str = "BUE"):
        organisation = Organisation.objects.get(slug=org)
        user = User.objects.create_user(username=username, password="x" * 12)
        return Staff.objects.create(
            user=user,
            organisation=organisation,
            department=Department.objects.get(organisation=organisation, code=department),
            name=username.replace(".", " ").title(),
            roles=roles,
        )

    return make


@pytest.fixture
def close_case(staff):
    """Close a case through the write path, optionally at a given moment."""
    import time_machine

    from buergerticket.cases import services
    from buergerticket.cases.history import Actor

    def close(case, at: dt.datetime | None = None):
        actor = Actor.for_staff(case.owner)
        if at is None:
            return services.set_status(case, actor=actor, status="abgeschlossen")
        with time_machine.travel(at, tick=False):
            return services.set_status(case, actor=actor, status="abgeschlossen")

    return close
