"""Fixtures shared by all tests: the Musterstadt reference catalog and helpers to open cases."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def _shared_dir() -> Path:
    """The project's reference data (``../shared`` next to the checkout).

    ``BT_SHARED_DIR`` overrides; otherwise the nearest parent folder holding
    ``shared/musterstadt`` is used, so worktrees and CI clones find it too.
    """
    if os.environ.get("BT_SHARED_DIR"):
        return Path(os.environ["BT_SHARED_DIR"])
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "shared" / "musterstadt").is_dir():
            return parent / "shared"
    return here.parent.parent.parent / "shared"


SHARED = _shared_dir()
MUSTERSTADT = SHARED / "musterstadt"
# CI sets this so that a missing system tool fails the run instead of skipping tests.
REQUIRE_ALL = os.environ.get("BT_REQUIRE_ALL") == "1"


def require_tool(path: str, what: str) -> None:
    """Skip locally when a system tool is missing; fail in CI, where it must be present."""
    if shutil.which(path) is None and not Path(path).exists():
        if REQUIRE_ALL:
            pytest.fail(f"{what} fehlt ({path}), wird aber in CI verlangt.")
        pytest.skip(f"{what} ist nicht installiert ({path}).")


@pytest.fixture
def catalog(db):
    """The Musterstadt catalog (both organisations), loaded once per database state."""
    from buergerticket.catalog.loader import load_catalog_file
    from buergerticket.org.models import Organisation

    if not Organisation.objects.filter(slug="musterstadt").exists():
        load_catalog_file(MUSTERSTADT / "katalog.yaml")


@pytest.fixture
def musterstadt(catalog):
    from buergerticket.org.models import Organisation

    return Organisation.objects.get(slug="musterstadt")


@pytest.fixture
def stadtwerke(catalog):
    from buergerticket.org.models import Organisation

    return Organisation.objects.get(slug="stadtwerke")


@pytest.fixture
def staff(catalog):
    """``staff("a.becker")`` → the Staff record."""
    from buergerticket.org.models import Staff

    def get(username: str) -> Staff:
        return Staff.objects.select_related("user", "department", "organisation").get(
            user__username=username
        )

    return get


@pytest.fixture
def open_case(catalog):
    """``open_case("maengel-strasse", **intake_fields)`` through the write path."""
    from buergerticket.cases.history import Actor
    from buergerticket.cases.services import Intake, Requester
    from buergerticket.cases.services import open_case as _open
    from buergerticket.catalog.models import Service

    def make(
        service: str = "maengel-strasse",
        *,
        org: str | None = None,
        channel: str = "portal",
        subject: str = "Schlagloch in der Hauptstraße",
        text: str = "Vor Hausnummer 12 ist ein tiefes Schlagloch.",
        requester: Requester | None = None,
        actor: Actor | None = None,
        **extra,
    ):
        svc = Service.objects.select_related(
            "organisation", "owner", "department", "file_plan"
        ).get(code=service, **({"organisation__slug": org} if org else {}))
        intake = Intake(
            service=svc,
            channel=channel,
            subject=subject,
            text=text,
            requester=requester or Requester(name="Erika Mustermann", email="erika@example.org"),
            **extra,
        )
        return _open(intake, actor=actor or Actor.requester())

    return make


pytest_plugins = ["tests.browser"]


def pytest_collection_modifyitems(config, items):
    """Browser tests need the UI only; they are skipped on the PostgreSQL pass."""
    for item in items:
        if "page" in getattr(item, "fixturenames", ()) or "browser" in getattr(
            item, "fixturenames", ()
        ):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; no test may inherit another's."""
    from django.core.cache import cache

    from buergerticket.core.memo import clear_all

    cache.clear()
    clear_all()  # remembered configuration rows may belong to a rolled-back test
    yield


@pytest.fixture
def run_worker():
    """``run_worker()``: one pass of every worker job, as the worker process would do."""
    from buergerticket.core.worker import Worker

    def run() -> list[str]:
        return Worker(manage_connections=False).run_due()

    return run
