"""The Abschlag rule around the edges: portal accounts, write-back, repeats, stale data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from buergerticket.automation.contracts.importing import import_contract_data
from buergerticket.automation.contracts.services import link_account
from buergerticket.automation.models import (
    Contract,
    ContractChange,
    ContractChangeStatus,
    ContractImport,
)
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Status
from buergerticket.cases.services import Requester
from buergerticket.catalog.models import Service
from buergerticket.intake import pipeline
from buergerticket.notify.models import OutboxItem
from buergerticket.notify.outbox import deliver_due
from buergerticket.org.models import User

FELIX = "Felix Schulz <felix.schulz69@example.org>"
BODY = "Bitte senken Sie meinen Abschlag (Vertrag 40002382) auf 55 Euro."


def portal(stadtwerke, user, subject="Abschlag ändern", text="", form=None):
    draft = pipeline.Draft(
        organisation=stadtwerke,
        channel="portal",
        subject=subject,
        text=text,
        service=Service.objects.get(organisation=stadtwerke, code="sw-abschlag"),
        requester=Requester(name="Felix Schulz", account=user),
        form_data=form or {},
    )
    return pipeline.submit(draft, actor=Actor.requester())


@pytest.mark.django_db
def test_portal_request_from_the_linked_account_is_automated(contracts, writeback_dir):
    felix = User.objects.create_user("felix", password="x")
    stranger = User.objects.create_user("fremd", password="x")
    link_account(Contract.objects.get(number="40002382"), felix, by="Test")
    form = {"vertragsnummer": "40002382", "abschlag_neu": "55,00"}
    denied = portal(contracts, stranger, form=form)
    assert not denied.automated and denied.reason == "foreign_sender"
    done = portal(contracts, felix, form=form)
    assert done.automated and done.case.closed_automatically
    assert done.case.service.code == "sw-abschlag"
    assert str(Contract.objects.get(number="40002382").installment) == "55.00"
    # Free text from the portal works the same way.
    Contract.objects.filter(number="40002382").update(installment="61.90")
    ContractChange.objects.all().delete()
    text = portal(contracts, felix, text=BODY)
    assert text.automated


@pytest.mark.django_db
def test_confirmation_write_back_and_history(contracts, submit_mail, writeback_dir):
    result = submit_mail("stadtwerke", FELIX, "Abschlag", BODY)
    case = result.case
    assert result.automated and result.reason == ""
    assert case.status == Status.CLOSED and case.closed_automatically
    types = list(case.events.order_by("seq").values_list("type", flat=True))
    assert types.count("automation_check") == 10
    assert types[-4:] == ["automation_decision", "contract_changed", "reply", "status_changed"]
    assert {e.actor_label for e in case.events.filter(type__startswith="automation")} == {
        "Regel abschlag v1"
    }
    reply = case.messages.get(kind="outgoing")
    first = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert "61,90 €" in reply.body and "55,00 €" in reply.body
    assert first.strftime("%d.%m.%Y") in reply.body
    assert reply.recipient == "felix.schulz69@example.org"

    change = ContractChange.objects.get()
    assert change.effective_from == first and change.case == case
    assert change.status == ContractChangeStatus.PENDING
    # The worker delivers the write-back (and the mails) through the outbox.
    deliver_due()
    change.refresh_from_db()
    assert change.status == ContractChangeStatus.DELIVERED
    written = Path(change.external_reference)
    assert written.parent == writeback_dir / "stadtwerke"
    assert written.read_text(encoding="utf-8").splitlines()[1] == (
        f"40002382;55,00;{first.isoformat()};{case.file_number};{change.pk}"
    )
    # The next export still shows the old amount: ours is kept until billing applies it.
    header = "vertragsnummer;name;email;strasse;plz;ort;sparte;abschlag_eur;rueckstand_eur;status\n"
    row = "40002382;Felix Schulz;felix.schulz69@example.org;Rosenweg 32;12349;Musterstadt;Strom;"
    import_contract_data(
        contracts, (header + row + "61,90;0,00;aktiv\n").encode(), file_name="n1.csv", full=False
    )
    assert str(Contract.objects.get(number="40002382").installment) == "55.00"
    report = import_contract_data(
        contracts, (header + row + "55,00;0,00;aktiv\n").encode(), file_name="n2.csv", full=False
    )
    assert report.confirmed == 1
    assert ContractChange.objects.get().status == ContractChangeStatus.CONFIRMED


@pytest.mark.django_db
def test_a_repeated_request_does_not_change_twice(contracts, submit_mail, writeback_dir):
    text = "Bitte senken Sie meinen Abschlag (Vertrag 40002382) um 5 Euro."
    first = submit_mail("stadtwerke", FELIX, "Abschlag", text)
    second = submit_mail("stadtwerke", FELIX, "Abschlag", text)
    assert first.automated and not second.automated
    assert second.reason == "pending_change"
    assert str(Contract.objects.get(number="40002382").installment) == "56.90"
    assert ContractChange.objects.count() == 1


@pytest.mark.django_db
def test_stale_contract_data_stops_the_rule(contracts, submit_mail, settings):
    settings.CONTRACT_MAX_AGE_HOURS = 48
    ContractImport.objects.update(finished_at=timezone.now() - dt.timedelta(days=3))
    result = submit_mail("stadtwerke", FELIX, "Abschlag", BODY)
    assert not result.automated and result.reason == "contract_data_outdated"
    assert str(Contract.objects.get(number="40002382").installment) == "61.90"


@pytest.mark.django_db
def test_failed_sender_authentication_stops_the_rule(contracts, submit_mail):
    result = submit_mail("stadtwerke", FELIX, "Abschlag", BODY, sender_verified=False)
    assert result.reason == "foreign_sender"


@pytest.mark.django_db
def test_a_stopped_case_waits_in_the_abr_queue_with_its_reasons(contracts, submit_mail):
    result = submit_mail("stadtwerke", "Fremd <fremd@example.org>", "Abschlag", BODY)
    case = result.case
    assert case.department.code == "ABR" and case.owner.username == "b.wolf"
    assert case.attention.startswith("Automatik gestoppt: Antragsteller:in ist nicht")
    decision = case.events.get(type="automation_decision")
    assert decision.details["automated"] is False
    assert decision.details["reasons"] == ["foreign_sender"]
    assert not OutboxItem.objects.filter(kind="contract.writeback").exists()


@pytest.mark.django_db
def test_switched_off_abschlag_leaves_every_request_to_a_clerk(contracts, submit_mail):
    Service.objects.filter(code="sw-abschlag").update(automation_enabled=False)
    result = submit_mail("stadtwerke", FELIX, "Abschlag", BODY)
    assert not result.automated and result.reason == "automation_disabled"
    assert result.case.service.code == "sw-abschlag"  # still routed to its department
    assert not ContractChange.objects.exists()


@pytest.mark.django_db
def test_writeback_that_never_arrives_is_flagged_on_the_case(
    contracts, submit_mail, tmp_path, settings
):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings.CONTRACT_WRITEBACK_DIR = blocker
    result = submit_mail("stadtwerke", FELIX, "Abschlag", BODY)
    item = OutboxItem.objects.get(kind="contract.writeback")
    OutboxItem.objects.filter(pk=item.pk).update(attempts=7)
    deliver_due()
    change = ContractChange.objects.get()
    assert change.status == ContractChangeStatus.FAILED
    case = result.case
    case.refresh_from_db()
    assert "nicht an die Abrechnung übermittelt" in case.attention
    assert case.events.filter(type="contract_writeback_failed").exists()
    # The automatically closed case is back in the queue for a clerk.
    assert case.status == "in_bearbeitung" and case.events.filter(type="reopened").exists()


@pytest.mark.django_db
def test_a_rule_can_run_the_abschlag_handler_on_another_service(contracts, submit_mail):
    from buergerticket.automation.rules.services import save_rule

    save_rule(
        contracts,
        staff=None,
        data={
            "name": "Abschlag aus dem Allgemeinen",
            "conditions": [{"field": "subject", "op": "contains", "value": "abschlag"}],
            "actions": [{"type": "run_handler", "value": "abschlag"}],
        },
    )
    stopped = submit_mail(
        "stadtwerke", "Fremd <fremd@example.org>", "Abschlag", BODY, service="sw-allgemein"
    )
    assert stopped.reason == "foreign_sender"
    assert stopped.case.service.code == "sw-abschlag" and stopped.case.department.code == "ABR"
    done = submit_mail("stadtwerke", FELIX, "Abschlag", BODY, service="sw-allgemein")
    assert done.automated and done.case.closed_automatically
    assert done.case.service.code == "sw-abschlag"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_for_one_contract_at_the_same_time_change_it_once(
    contracts, submit_mail, writeback_dir
):
    """Two workers ingest the same request concurrently: the contract lock serialises them."""
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        # The test database is SQLite's shared in-memory cache, which has table locks
        # instead of the file database's busy wait; real concurrency is tested on PostgreSQL.
        pytest.skip("nebenläufige Schreiber nur auf PostgreSQL prüfbar")

    text = "Bitte senken Sie meinen Abschlag (Vertrag 40002382) um 5 Euro."
    results = []

    def ingest() -> None:
        try:
            results.append(submit_mail("stadtwerke", FELIX, "Abschlag", text))
        finally:
            connection.close()

    threads = [threading.Thread(target=ingest) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.automated for r in results) == [False, True]
    assert ContractChange.objects.count() == 1
    assert str(Contract.objects.get(number="40002382").installment) == "56.90"
