"""Outgoing mail over a real SMTP server: threading headers, retries, failures on the case."""

from __future__ import annotations

import datetime as dt
import json
import re
from email import message_from_bytes, policy

import pytest
import time_machine
from django.utils import timezone

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case
from buergerticket.notify import bounces, outbox
from buergerticket.notify.models import OutboxItem, OutboxStatus
from buergerticket.portal import tracking
from tests.intake import mails

pytestmark = pytest.mark.django_db


def _sent(server, index=-1):
    return message_from_bytes(server.messages[index].data, policy=policy.default)


def test_receipt_threads_with_the_citizens_mail_and_routes_replies_back(
    smtp_settings, emailed_case
):
    case = emailed_case(message_id="<buerger-1@example.org>")
    assert outbox.deliver_due()["sent"] == 1
    mail = _sent(smtp_settings)
    item = OutboxItem.objects.get(case=case)
    assert mail["Message-ID"] == item.message_id
    assert mail["In-Reply-To"] == "<buerger-1@example.org>"
    assert "<buerger-1@example.org>" in mail["References"]
    assert mail["Subject"] == f"[{case.file_number}] Eingangsbestätigung"
    assert mail["Reply-To"] == "buergerservice@musterstadt.example"
    assert mail["From"].addresses[0].addr_spec == "buergerservice@musterstadt.example"
    assert mail["From"].addresses[0].display_name == "Stadt Musterstadt"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Auto-Response-Suppress"] == "All"
    assert smtp_settings.messages[-1].rcpt_tos == ["juergen@example.org"]
    assert case.file_number in mail.get_body(("plain",)).get_content()


def test_a_sent_mail_leaves_neither_text_nor_portal_link_in_the_outbox(
    smtp_settings, emailed_case, deliver
):
    case = emailed_case()
    assert outbox.deliver_due()["sent"] == 1
    body = _sent(smtp_settings).get_body(("plain",)).get_content()
    token = re.search(r"/verfolgen/([\w-]+)/", body).group(1)
    item = OutboxItem.objects.get(case=case)
    assert item.status == OutboxStatus.SENT
    # A copy of the database must not open the citizen's case (only hashes are kept).
    assert token not in json.dumps(item.payload)
    assert "juergen@example.org" not in json.dumps(item.payload)
    assert item.payload["message_id"] == item.message_id
    assert tracking.find(token).case == case
    # A reply to the receipt still finds its case by the kept Message-ID.
    reply = mails.message(subject="Danke", in_reply_to=item.message_id)
    assert deliver(reply).case == case


def test_receipt_names_the_service_the_case_has_when_it_is_sent(smtp_settings, emailed_case, staff):
    from buergerticket.catalog.models import Service

    case = emailed_case()
    corrected = Service.objects.get(organisation=case.organisation, code="maengel-beleuchtung")
    assert corrected.pk != case.service_id
    services.change_service(case, actor=Actor.for_staff(staff("m.yilmaz")), service=corrected)
    assert outbox.deliver_due()["sent"] == 1
    body = _sent(smtp_settings).get_body(("plain",)).get_content()
    assert f"Leistung: {corrected.name}" in body
    assert case.file_number in body


def test_clerks_reply_is_no_auto_mail_and_its_answer_comes_back_into_the_case(
    smtp_settings, emailed_case, staff, deliver
):
    case = emailed_case(message_id="<buerger-2@example.org>")
    reply = services.add_reply(
        case, actor=Actor.for_staff(staff("m.yilmaz")), body="Die Laterne wird repariert."
    )
    outbox.deliver_due()
    mail = _sent(smtp_settings)
    assert mail["Message-ID"] == reply.message_id
    assert mail["Auto-Submitted"] is None
    assert mail["In-Reply-To"] == "<buerger-2@example.org>"
    receipt_id = OutboxItem.objects.get(case=case, dedupe_key__startswith="receipt").message_id
    assert mail["References"].split() == ["<buerger-2@example.org>", receipt_id]
    reply.refresh_from_db()
    assert reply.delivery_status == "sent"
    # The citizen answers from their mail client: the answer files into the case.
    answer = mails.message(
        subject=f"Re: {mail['Subject']}",
        in_reply_to=mail["Message-ID"],
        references=f"{mail['References']} {mail['Message-ID']}",
        body="Danke!",
    )
    outcome = deliver(answer)
    assert (outcome.result, outcome.case.pk) == ("threaded", case.pk)


def test_temporary_failure_is_retried_with_backoff(smtp_settings, emailed_case):
    case = emailed_case()
    smtp_settings.fail_next("451 4.3.0 Bitte später", times=2)
    start = timezone.now()
    assert outbox.deliver_due() == {"sent": 0, "retry": 1, "failed": 0}
    item = OutboxItem.objects.get(case=case)
    assert item.status == OutboxStatus.PENDING and item.attempts == 1
    assert "451" in item.last_error
    assert dt.timedelta(seconds=50) < item.next_attempt_at - start < dt.timedelta(seconds=70)
    assert outbox.deliver_due()["sent"] == 0  # not due yet
    with time_machine.travel(start + dt.timedelta(minutes=1, seconds=5)):
        assert outbox.deliver_due()["retry"] == 1
    item.refresh_from_db()
    assert item.next_attempt_at - item.created_at > dt.timedelta(minutes=2)  # doubled
    with time_machine.travel(start + dt.timedelta(minutes=4)):
        assert outbox.deliver_due()["sent"] == 1
    assert len(smtp_settings.messages) == 1


def test_server_down_is_retried(settings, smtp_settings, emailed_case):
    case = emailed_case()
    from tests.intake.servers import free_port

    settings.EMAIL_PORT = free_port()  # nothing listens there
    assert outbox.deliver_due()["retry"] == 1
    assert OutboxItem.objects.get(case=case).status == OutboxStatus.PENDING


def test_rejected_recipient_fails_at_once_and_shows_on_the_case(smtp_settings, emailed_case):
    smtp_settings.refuse_rcpt["juergen@example.org"] = "550 5.1.1 <juergen@example.org>: unbekannt"
    case = emailed_case()
    assert outbox.deliver_due()["failed"] == 1
    item = OutboxItem.objects.get(case=case)
    assert item.status == OutboxStatus.FAILED and "550" in item.last_error
    event = case.events.get(type="delivery_failed")
    assert event.details["kind"] == "receipt"
    assert "juergen" not in event.reason and "<Adresse>" in event.reason
    case.refresh_from_db()
    assert "nicht zugestellt" in case.attention


def test_failed_reply_is_marked_on_its_message(smtp_settings, emailed_case, staff):
    case = emailed_case()
    outbox.deliver_due()
    smtp_settings.fail_next("554 5.7.1 Inhalt abgelehnt")
    reply = services.add_reply(case, actor=Actor.for_staff(staff("m.yilmaz")), body="Antwort")
    outbox.deliver_due()
    reply.refresh_from_db()
    assert reply.delivery_status == "failed" and "554" in reply.delivery_error


def test_retries_end_after_the_last_attempt_visibly(smtp_settings, emailed_case):
    case = emailed_case()
    smtp_settings.fail_next("451 4.3.0 immer noch nicht", times=1)
    OutboxItem.objects.filter(case=case).update(attempts=outbox.MAX_ATTEMPTS - 1)
    assert outbox.deliver_due()["failed"] == 1
    assert case.events.filter(type="delivery_failed").exists()


def test_blocked_address_is_not_mailed_again(smtp_settings, emailed_case, staff):
    case = emailed_case()
    outbox.deliver_due()
    bounces.record_bounce(case.organisation, "juergen@example.org", permanent=True, status="5.1.1")
    reply = services.add_reply(case, actor=Actor.for_staff(staff("m.yilmaz")), body="Antwort")
    assert outbox.deliver_due()["failed"] == 1
    assert len(smtp_settings.messages) == 1  # only the receipt went out, before the bounce
    reply.refresh_from_db()
    assert reply.delivery_status == "failed" and "gesperrt" in reply.delivery_error


def test_owner_is_told_of_a_new_message_without_its_content(
    smtp_settings, emailed_case, staff, deliver
):
    owner = staff("m.yilmaz")
    owner.email = "m.yilmaz@musterstadt.example"
    owner.save()
    case = emailed_case()
    outbox.deliver_due()
    deliver(mails.message(subject=f"Re: [{case.file_number}]", body="Geheimer Inhalt"))
    outbox.deliver_due()
    note = _sent(smtp_settings)
    assert smtp_settings.messages[-1].rcpt_tos == ["m.yilmaz@musterstadt.example"]
    assert note["Subject"] == f"Neue Nachricht: {case.file_number}"
    assert "Geheimer Inhalt" not in note.get_body(("plain",)).get_content()
    assert f"/arbeitsplatz/vorgaenge/{case.pk}/" in note.get_body(("plain",)).get_content()
    # A reply to the notification would reach nobody, not the shared mailbox.
    assert note["From"].addresses[0].addr_spec == "noreply@buergerticket.invalid"
    assert note["Reply-To"] is None
    assert Case.objects.count() == 1
