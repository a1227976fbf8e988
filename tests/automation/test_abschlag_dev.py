"""All examples of abschlag-dev.jsonl, end to end through the intake pipeline."""

from __future__ import annotations

from decimal import Decimal

import pytest

from buergerticket.automation.models import Contract, ContractChange
from buergerticket.cases.models import Status

from .conftest import dev_examples

EXAMPLES = dev_examples()


def _check(example, result, contracts_before):
    expected = example["expected"]
    case = result.case
    assert result.automated is expected["automated"], (example["id"], result.reason)
    if expected["automated"]:
        contract = Contract.objects.get(organisation=case.organisation, number=expected["contract"])
        assert str(contract.installment) == expected["new_amount"]
        change = ContractChange.objects.get(contract=contract)
        assert str(change.old_installment) == expected["old_amount"]
        assert case.status == Status.CLOSED and case.closed_automatically
        reply = case.messages.filter(kind="outgoing").get()
        assert expected["new_amount"].replace(".", ",") + " €" in reply.body
        assert expected["old_amount"].replace(".", ",") + " €" in reply.body
    else:
        assert result.reason == expected["reason"], example["id"]
        assert case.status != Status.CLOSED
        # Nothing in the contract data changed.
        assert dict(Contract.objects.values_list("number", "installment")) == contracts_before
        assert not ContractChange.objects.exists()


@pytest.mark.django_db
def test_every_dev_example_by_email_without_a_service(contracts, submit_mail, writeback_dir):
    """As ingest-mail submits them: the service is recognised or routed first."""
    for example in EXAMPLES:
        before = dict(Contract.objects.values_list("number", "installment"))
        ContractChange.objects.all().delete()
        result = submit_mail("stadtwerke", example["from"], example["subject"], example["body"])
        _check(example, result, before)
        if result.automated or example["expected"].get("reason") not in ("other_service",):
            assert result.case.service.code == "sw-abschlag", example["id"]
        Contract.objects.filter(number=example["expected"].get("contract", "")).update(
            installment=Decimal(example["expected"].get("old_amount", "0") or "0")
        )


@pytest.mark.django_db
def test_every_dev_example_with_the_service_given(contracts, submit_mail, writeback_dir):
    """With the service the file names (as a portal form would set it): same outcome."""
    for example in EXAMPLES:
        before = dict(Contract.objects.values_list("number", "installment"))
        ContractChange.objects.all().delete()
        result = submit_mail(
            "stadtwerke",
            example["from"],
            example["subject"],
            example["body"],
            service=example["service"],
        )
        _check(example, result, before)
        assert result.case.service.code == example["service"]
        assert result.case.department == result.case.service.department
        Contract.objects.filter(number=example["expected"].get("contract", "")).update(
            installment=Decimal(example["expected"].get("old_amount", "0") or "0")
        )
