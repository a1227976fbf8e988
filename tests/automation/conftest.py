"""Fixtures for the automation tests: the sample billing export and e-mail drafts."""

from __future__ import annotations

import json
from email.utils import parseaddr
from typing import Any

import pytest

from tests.conftest import MUSTERSTADT

CONTRACTS_CSV = MUSTERSTADT / "vertraege.csv"
ABSCHLAG_DEV = MUSTERSTADT / "abschlag-dev.jsonl"
REQUESTS_TRAIN = MUSTERSTADT / "anfragen-train.jsonl"


def dev_examples() -> list[dict[str, Any]]:
    return [json.loads(line) for line in ABSCHLAG_DEV.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def contracts(stadtwerke):
    """vertraege.csv imported into the Stadtwerke's contract mirror."""
    from buergerticket.automation.contracts.importing import import_contract_file

    import_contract_file(stadtwerke, CONTRACTS_CSV)
    return stadtwerke


@pytest.fixture
def writeback_dir(tmp_path, settings):
    settings.CONTRACT_WRITEBACK_DIR = tmp_path / "writeback"
    return tmp_path / "writeback"


@pytest.fixture
def submit_mail(catalog):
    """``submit_mail(org, sender, subject, body, service=None)`` → IntakeResult (as ingest-mail)."""
    from buergerticket.cases.history import Actor
    from buergerticket.cases.services import Requester
    from buergerticket.catalog.models import Service
    from buergerticket.intake import pipeline
    from buergerticket.org.models import Organisation

    def submit(
        org: str, sender: str, subject: str, body: str, service: str | None = None, **meta: Any
    ):
        organisation = Organisation.objects.get(slug=org)
        name, address = parseaddr(sender)
        draft = pipeline.Draft(
            organisation=organisation,
            channel="email",
            subject=subject,
            text=body,
            service=(
                Service.objects.get(organisation=organisation, code=service) if service else None
            ),
            requester=Requester(name=name, email=address),
            meta=dict(meta),
        )
        return pipeline.submit(draft, actor=Actor.requester())

    return submit
