"""The reference Abschlag requests arriving as real mail: routing, automation and the
``automated``/``reason`` that ``ingest-mail`` reports come from the pipeline."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from buergerticket.cli import main
from tests.conftest import MUSTERSTADT
from tests.intake import mails

pytestmark = pytest.mark.django_db

EXAMPLES = [
    json.loads(line)
    for line in (MUSTERSTADT / "abschlag-dev.jsonl").read_text(encoding="utf-8").splitlines()
]


@pytest.fixture
def contracts(stadtwerke, settings, tmp_path):
    from buergerticket.automation.contracts.importing import import_contract_file

    settings.CONTRACT_WRITEBACK_DIR = tmp_path / "writeback"
    import_contract_file(stadtwerke, MUSTERSTADT / "vertraege.csv")
    return stadtwerke


def _raw(example: dict) -> bytes:
    return mails.message(
        sender=example["from"],
        to=example["to"],
        subject=example["subject"],
        body=example["body"],
        message_id=f"<{example['id']}@example.org>",
    )


def test_every_reference_request_by_mail_gets_its_expected_outcome(contracts, deliver):
    from buergerticket.automation.models import Contract

    for example in EXAMPLES:
        expected = example["expected"]
        outcome = deliver(_raw(example), org="stadtwerke")
        assert outcome.result == "created", example["id"]
        assert outcome.automated is expected["automated"], (example["id"], outcome.as_dict())
        if not expected["automated"]:
            assert outcome.reason == expected["reason"], (example["id"], outcome.as_dict())
        # Each example starts from the exported contract data again.
        Contract.objects.filter(number=expected.get("contract", "")).update(
            installment=Decimal(expected.get("old_amount", "0") or "0")
        )


def test_ingest_mail_reports_automation_in_its_json(contracts, tmp_path, capsys):
    automated = next(e for e in EXAMPLES if e["expected"]["automated"])
    declined = next(e for e in EXAMPLES if e["expected"].get("reason") == "arrears")
    for example in (automated, declined):
        (tmp_path / f"{example['id']}.eml").write_bytes(_raw(example))
    assert main(["ingest-mail", "--org", "stadtwerke", str(tmp_path)]) == 0
    lines = {
        json.loads(line)["message_id"]: json.loads(line)
        for line in capsys.readouterr().out.splitlines()
    }
    done = lines[f"<{automated['id']}@example.org>"]
    assert (done["automated"], done["service"]) == (True, "sw-abschlag")
    held = lines[f"<{declined['id']}@example.org>"]
    assert (held["automated"], held["reason"], held["service"]) == (False, "arrears", "sw-abschlag")
