"""New mail becomes a case; replies join their case; noise and duplicates do not."""

from __future__ import annotations

import pytest

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, CaseLink, Document, Message, MessageKind, Status
from buergerticket.catalog.models import Service
from buergerticket.intake.models import MailReceipt
from buergerticket.notify.models import OutboxItem
from tests.intake import mails

pytestmark = pytest.mark.django_db


def test_new_mail_becomes_a_case_with_original_and_attachments(deliver):
    raw = mails.message(
        subject="Straßenlaterne defekt",
        attachments=[("Fotö 1.jpg", "image/jpeg", b"\xff\xd8\xff\xe0foto")],
    )
    outcome = deliver(raw)
    assert outcome.result == "created"
    case = outcome.case
    assert case.channel == "email"
    assert (case.requester_name, case.requester_email) == ("Jürgen Müller", "juergen@example.org")
    assert case.subject == "Straßenlaterne defekt"
    assert case.text.startswith("Die Laterne vor Hausnummer 5")
    assert case.service.code == "allgemein"  # no routing rule matched: the fallback
    message = Message.objects.get(case=case)
    assert message.message_id == outcome.message_id
    assert message.author_label == "Jürgen Müller"
    documents = {d.name: d for d in Document.objects.filter(case=case)}
    original = next(d for d in documents.values() if d.content_type == "message/rfc822")
    assert original.file.read() == raw
    assert documents["Fotö 1.jpg"].file.read() == b"\xff\xd8\xff\xe0foto"
    receipt = OutboxItem.objects.get(case=case, dedupe_key=f"receipt:{case.pk}")
    assert receipt.payload["to"] == "juergen@example.org"
    assert outcome.as_dict() | {"receipt": None} == {
        "source": "",
        "message_id": outcome.message_id,
        "result": "created",
        "file_number": case.file_number,
        "service": "allgemein",
        "owner": "m.yilmaz",
        "reason": "",
        "automated": False,
        "detail": "Neuer Vorgang aus einer E-Mail.",
        "receipt": None,
    }


def test_keywords_of_the_catalog_route_the_mail(deliver):
    Service.objects.filter(code="maengel-beleuchtung").update(
        keywords="laterne, straßenbeleuchtung"
    )
    Service.objects.filter(code="maengel-strasse").update(keywords="schlagloch, straßenschaden")
    outcome = deliver(
        mails.message(subject="Laterne kaputt", body="Die Straßenbeleuchtung ist aus.")
    )
    assert outcome.case.service.code == "maengel-beleuchtung"
    routed = outcome.case.events.get(type="routed")
    assert routed.details["service"] == "maengel-beleuchtung"
    assert routed.actor_label == "Schlagwortregel v1"


def test_a_tie_between_services_leaves_the_fallback(deliver):
    Service.objects.filter(code="maengel-beleuchtung").update(keywords="laterne")
    Service.objects.filter(code="maengel-strasse").update(keywords="schlagloch")
    outcome = deliver(mails.message(subject="Laterne und Schlagloch", body=""))
    assert outcome.case.service.code == "allgemein"


# --- threading -----------------------------------------------------------------


@pytest.mark.parametrize("form", ["[{n}] Re: Laterne", "AW: Laterne (Az. {n})", "Re: {unpadded}"])
def test_file_number_in_subject_threads_a_participants_reply(deliver, emailed_case, form):
    case = emailed_case()
    unpadded = case.file_number.replace("-0000", "-")
    outcome = deliver(
        mails.message(subject=form.format(n=case.file_number, unpadded=unpadded), body="Noch da.")
    )
    assert outcome.result == "threaded"
    assert outcome.reason == "file_number"
    assert outcome.case.pk == case.pk
    assert Case.objects.count() == 1
    assert Message.objects.filter(case=case, kind=MessageKind.INCOMING).count() == 2
    # A reply gets no second receipt.
    assert OutboxItem.objects.filter(case=case, dedupe_key__startswith="receipt").count() == 1


def test_reply_to_a_clerks_mail_threads_by_in_reply_to(deliver, emailed_case, staff):
    case = emailed_case()
    reply = services.add_reply(case, actor=Actor.for_staff(staff("m.yilmaz")), body="Wir prüfen.")
    outcome = deliver(mails.message(subject="Re: Ihre Nachricht", in_reply_to=reply.message_id))
    assert (outcome.result, outcome.reason, outcome.case.pk) == ("threaded", "reference", case.pk)


def test_reply_to_the_receipt_threads_by_references(deliver, emailed_case):
    case = emailed_case()
    receipt_id = OutboxItem.objects.get(case=case).message_id
    outcome = deliver(mails.message(subject="Danke", references=f"<other@x> {receipt_id}"))
    assert (outcome.result, outcome.case.pk) == ("threaded", case.pk)


def test_foreign_sender_naming_a_file_number_opens_a_linked_flagged_case(deliver, emailed_case):
    case = emailed_case()
    outcome = deliver(
        mails.message(
            subject=f"Auskunft zu {case.file_number}",
            sender="Neugierig <fremd@example.net>",
            body="Was steht in dem Vorgang?",
        )
    )
    assert outcome.result == "created"
    assert outcome.reason == "foreign_sender"
    new = outcome.case
    assert new.pk != case.pk
    assert new.service_id == case.service_id
    assert case.file_number in new.attention
    assert CaseLink.objects.filter(from_case=case, to_case=new, kind="related").exists()
    case.refresh_from_db()
    assert new.file_number in case.attention
    # Nothing was added to the original case.
    assert Message.objects.filter(case=case).count() == 1
    # The foreign sender's receipt names only the new case.
    receipt = OutboxItem.objects.get(case=new, dedupe_key__startswith="receipt")
    assert receipt.payload["to"] == "fremd@example.net"
    assert case.file_number not in receipt.payload["subject"]


def test_foreign_sender_who_answers_our_mail_joins_but_flags(deliver, emailed_case, staff):
    case = emailed_case()
    reply = services.add_reply(case, actor=Actor.for_staff(staff("m.yilmaz")), body="Frage")
    outcome = deliver(
        mails.message(
            subject=f"Re: [{case.file_number}] Frage",
            sender="Ehemann <partner@example.org>",
            in_reply_to=reply.message_id,
        )
    )
    assert (outcome.result, outcome.case.pk) == ("threaded", case.pk)
    case.refresh_from_db()
    assert "nicht beteiligten Adresse" in case.attention
    event = case.events.filter(type="message_received").last()
    assert event.actor_label == "Absender:in, bisher nicht beteiligt"


def test_staff_may_write_into_any_case_of_their_organisation(deliver, emailed_case, staff):
    person = staff("s.wagner")
    person.email = "s.wagner@musterstadt.example"
    person.save()
    case = emailed_case()
    outcome = deliver(
        mails.message(
            subject=f"[{case.file_number}] Info",
            sender="Sabine Wagner <S.Wagner@musterstadt.example>",
        )
    )
    assert (outcome.result, outcome.case.pk) == ("threaded", case.pk)
    # A mail proves no identity: the colleague is named, but acts without staff rights.
    event = case.events.filter(type="message_received").last()
    assert (event.actor_kind, event.actor_label) == ("system", "E-Mail von Sabine Wagner")


def test_file_number_of_another_organisation_is_not_looked_up(deliver, emailed_case):
    case = emailed_case()
    outcome = deliver(mails.message(subject=f"[{case.file_number}] Re: Laterne"), org="stadtwerke")
    assert outcome.result == "created"
    assert outcome.case.organisation.slug == "stadtwerke"


def _close(case, staff):
    services.set_status(case, actor=Actor.for_staff(staff("m.yilmaz")), status=Status.CLOSED)


def test_reply_to_a_closed_case_reopens_it(deliver, emailed_case, staff):
    case = emailed_case()
    _close(case, staff)
    outcome = deliver(
        mails.message(subject=f"Re: [{case.file_number}] Laterne", body="Wieder kaputt.")
    )
    assert (outcome.result, outcome.case.pk) == ("threaded", case.pk)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.events.filter(type="reopened").exists()


def test_reply_to_a_closed_case_opens_a_follow_up_when_configured(deliver, emailed_case, staff):
    Service.objects.filter(code="allgemein").update(closed_reply="follow_up")
    case = emailed_case()
    _close(case, staff)
    outcome = deliver(
        mails.message(subject=f"Re: [{case.file_number}] Laterne", body="Neue Frage.")
    )
    assert (outcome.result, outcome.reason) == ("created", "follow_up")
    assert CaseLink.objects.filter(from_case=case, to_case=outcome.case, kind="follow_up").exists()
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert outcome.case.events.filter(type="case_linked").exists()
    assert case.events.filter(type="case_linked", details__direction="to").exists()


def test_mail_forwarded_by_staff_opens_a_case_for_the_original_sender(deliver, staff):
    person = staff("a.becker")
    person.email = "a.becker@musterstadt.example"
    person.save()
    body = (
        "Bitte übernehmen.\n\n-----Ursprüngliche Nachricht-----\n"
        "Von: Erika Mustermann <erika@example.org>\nGesendet: Donnerstag, 19. November 2026\n"
        "An: Becker, Anna\nBetreff: Sperrmüll nicht abgeholt\n\nDer Sperrmüll steht noch da.\n"
    )
    outcome = deliver(
        mails.message(
            subject="WG: Sperrmüll nicht abgeholt",
            body=body,
            sender="Anna Becker <a.becker@musterstadt.example>",
        )
    )
    assert (outcome.result, outcome.reason) == ("created", "forwarded")
    case = outcome.case
    assert (case.requester_email, case.requester_name) == ("erika@example.org", "Erika Mustermann")
    assert case.subject == "Sperrmüll nicht abgeholt"
    event = case.events.get(type="mail_forward_recognised")
    assert event.details == {"forwarded_by": "a.becker"}
    assert (
        OutboxItem.objects.get(case=case, dedupe_key__startswith="receipt").payload["to"]
        == "erika@example.org"
    )


# --- noise ------------------------------------------------------------------------


def test_auto_reply_is_recorded_on_its_case_and_answered_by_nothing(deliver, emailed_case):
    case = emailed_case()
    receipt_id = OutboxItem.objects.get(case=case).message_id
    before = OutboxItem.objects.count()
    outcome = deliver(
        mails.message(
            subject=f"Automatische Antwort: [{case.file_number}] Eingangsbestätigung",
            headers={"Auto-Submitted": "auto-replied"},
            in_reply_to=receipt_id,
            body="Ich bin bis 30.11. nicht im Büro.",
        )
    )
    assert (outcome.result, outcome.reason, outcome.case.pk) == ("ignored", "auto_reply", case.pk)
    assert Case.objects.count() == 1
    assert Message.objects.filter(case=case).count() == 1
    assert case.events.filter(type="mail_auto_reply").exists()
    assert Document.objects.filter(case=case, name__startswith="Automatische Antwort").exists()
    assert OutboxItem.objects.count() == before  # no receipt, no notification to anyone
    assert MailReceipt.objects.get(pk=outcome.receipt.pk).raw


def test_bounce_of_the_receipt_is_attached_and_blocks_the_address(deliver, emailed_case):
    from buergerticket.notify.bounces import is_blocked

    case = emailed_case()
    receipt_id = OutboxItem.objects.get(case=case).message_id
    outcome = deliver(mails.dsn(original_id=receipt_id, recipient="juergen@example.org"))
    assert (outcome.result, outcome.reason, outcome.case.pk) == ("ignored", "bounce", case.pk)
    assert is_blocked(case.organisation, "juergen@example.org")
    assert Document.objects.filter(
        case=case, name__startswith="Unzustellbarkeitsnachricht"
    ).exists()
    event = case.events.get(type="mail_bounced")
    assert event.details["permanent"] is True and event.details["status"] == "5.1.1"
    assert "juergen" not in event.reason  # the history keeps no addresses
    case.refresh_from_db()
    assert "unzustellbar" in case.attention


def test_bounce_of_a_reply_marks_that_message_failed(deliver, emailed_case, staff):
    case = emailed_case()
    reply = services.add_reply(case, actor=Actor.for_staff(staff("m.yilmaz")), body="Antwort")
    deliver(mails.dsn(original_id=reply.message_id, recipient="juergen@example.org"))
    reply.refresh_from_db()
    assert reply.delivery_status == "failed"
    assert case.events.filter(type="delivery_failed").exists()


def test_someone_blocked_who_writes_in_again_is_unblocked(deliver, emailed_case):
    from buergerticket.notify.bounces import is_blocked, record_bounce

    case = emailed_case()
    record_bounce(case.organisation, "juergen@example.org", permanent=True, status="5.2.2")
    deliver(mails.message(subject=f"Re: [{case.file_number}]", body="Postfach wieder frei."))
    assert not is_blocked(case.organisation, "juergen@example.org")


def test_mail_from_the_systems_own_address_and_own_messages_are_ignored(deliver, emailed_case):
    outcome = deliver(mails.message(sender="Stadt <buergerservice@musterstadt.example>"))
    assert (outcome.result, outcome.reason) == ("ignored", "own_address")
    case = emailed_case()
    receipt_id = OutboxItem.objects.get(case=case).message_id
    looped = deliver(mails.message(sender="Weiterleitung <fwd@example.net>", message_id=receipt_id))
    assert (looped.result, looped.reason) == ("ignored", "own_message")
    assert Case.objects.count() == 1


# --- no duplicates, no loss ----------------------------------------------------------


def test_the_same_mail_twice_opens_one_case(deliver):
    raw = mails.message()
    first, second = deliver(raw), deliver(raw)
    assert first.result == "created"
    assert (second.result, second.reason, second.case.pk) == ("ignored", "duplicate", first.case.pk)
    # The same mail arriving on another path (other bytes, e.g. an added Received header).
    third = deliver(b"Received: from mx by relay; Fri, 20 Nov 2026 10:00:01 +0100\r\n" + raw)
    assert (third.result, third.reason) == ("ignored", "duplicate")
    assert Case.objects.count() == 1


def test_one_mail_to_two_organisations_opens_a_case_in_each(deliver):
    raw = mails.message(
        to="buergerservice@musterstadt.example, kundenservice@stadtwerke-musterstadt.example"
    )
    city, utility = deliver(raw), deliver(raw, org="stadtwerke")
    assert city.result == utility.result == "created"
    assert city.case.organisation.slug == "musterstadt"
    assert utility.case.organisation.slug == "stadtwerke"


def test_a_mail_reusing_someone_elses_message_id_is_not_swallowed(deliver):
    first = deliver(mails.message(message_id="<schlecht@client.example>"))
    other = deliver(
        mails.message(message_id="<schlecht@client.example>", sender="Andere <andere@example.net>")
    )
    assert first.result == other.result == "created"
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "unreadable"),
        (b"Kein Kopf, nur Text\r\n", "unreadable"),
        (mails.raw([("Subject", "ohne Absender")], b"Text"), "no_sender"),
        (mails.raw([("From", "<<<>>>@@"), ("Subject", "kaputt")], b"Text"), "no_sender"),
    ],
    ids=["empty", "no headers", "no from", "invalid from"],
)
def test_unprocessable_mail_goes_to_quarantine_with_its_bytes(deliver, raw, reason):
    outcome = deliver(raw)
    assert (outcome.result, outcome.reason) == ("quarantined", reason)
    receipt = MailReceipt.objects.get(pk=outcome.receipt.pk)
    assert receipt.open_in_quarantine
    if raw:
        assert receipt.raw.read() == raw
    assert Case.objects.count() == 0


def test_over_size_mail_is_quarantined_and_retried_after_raising_the_limit(deliver, settings):
    from buergerticket.intake.mail.ingest import retry

    settings.MAIL_MAX_MEGABYTES = 1
    raw = mails.message(attachments=[("plan.pdf", "application/pdf", b"%PDF" + b"0" * 1_200_000)])
    outcome = deliver(raw)
    assert (outcome.result, outcome.reason) == ("quarantined", "too_large")
    assert "1.6 MB" in outcome.detail or "MB groß" in outcome.detail
    settings.MAIL_MAX_MEGABYTES = 5
    again = retry(MailReceipt.objects.get(pk=outcome.receipt.pk))
    assert again is not None and again.result == "created"
    assert Document.objects.filter(case=again.case, name="plan.pdf").exists()


def test_mail_the_catalog_cannot_take_is_quarantined_not_lost(deliver):
    Service.objects.filter(code="allgemein").update(active=False)
    outcome = deliver(mails.message())
    assert (outcome.result, outcome.reason) == ("quarantined", "rejected")
    assert "nicht mehr aktiv" in outcome.detail or "Auffangleistung" in outcome.detail


def test_a_mail_loop_is_stopped_by_the_quarantine(deliver, settings):
    settings.MAIL_LOOP_LIMIT_PER_HOUR = 2
    results = [deliver(mails.message(subject=f"Ticket {i}")).result for i in range(3)]
    assert results == ["created", "created", "quarantined"]


def test_mail_without_message_id_is_still_deduplicated(deliver):
    raw = mails.raw(
        [*mails.simple_headers()[:3], ("Date", "Fri, 20 Nov 2026 10:00:00 +0100")], b"Hallo"
    )
    assert b"Message-ID" not in raw
    first, second = deliver(raw), deliver(raw)
    assert first.result == "created" and second.reason == "duplicate"
    assert Message.objects.get(case=first.case).message_id == ""


@pytest.fixture
def automation_reports():
    from buergerticket.intake import pipeline

    def report(case, draft, result):
        result.automated = True
        result.reason = "arrears"

    pipeline.register_postprocessor(report, order=999)
    yield
    pipeline._post[:] = [item for item in pipeline._post if item[1] is not report]


def test_automation_results_are_reported(deliver, automation_reports):
    outcome = deliver(mails.message())
    assert (outcome.automated, outcome.reason) == (True, "arrears")
    assert MailReceipt.objects.get(pk=outcome.receipt.pk).automated


def test_umlauts_and_windows_1252_survive_the_database(deliver):
    raw = mails.raw(
        mails.simple_headers(
            subject="=?windows-1252?Q?=84Stra=DFe=93_=96_10_=80?=",
            **{
                "Content-Type": "text/plain; charset=windows-1252",
                "Content-Transfer-Encoding": "8bit",
            },
        ),
        "Größe: 10 € – „geschätzt“".encode("cp1252"),
    )
    case = deliver(raw).case
    case.refresh_from_db()
    assert case.subject == "„Straße“ – 10 €"
    assert case.text == "Größe: 10 € – „geschätzt“"


def test_anonymising_a_case_empties_its_mail_records(deliver, staff, settings):
    from buergerticket.cases.services import anonymise_case

    raw = mails.message(subject="Laterne bei Müllers")
    case = deliver(raw).case
    deliver(
        mails.message(
            subject=f"Re: [{case.file_number}]", headers={"Auto-Submitted": "auto-replied"}
        )
    )
    _close(case, staff)
    anonymise_case(case, actor=Actor.for_staff(staff("admin")), reason="Antrag auf Löschung")
    for receipt in MailReceipt.objects.filter(case=case):
        assert (receipt.sender, receipt.subject, receipt.reply_to, receipt.raw.name) == (
            "",
            "",
            "",
            "",
        )


def test_old_mail_log_entries_lose_their_personal_data(deliver, musterstadt):
    import datetime as dt

    from django.utils import timezone

    from buergerticket.intake.mail.receipts import purge_expired
    from buergerticket.notify.bounces import record_bounce
    from buergerticket.notify.models import BouncedAddress

    ignored = deliver(mails.message(headers={"Auto-Submitted": "auto-replied"})).receipt
    kept = deliver(mails.message(subject="Anliegen")).receipt
    record_bounce(musterstadt, "alt@example.org", permanent=False)
    later = timezone.now() + dt.timedelta(days=91)
    assert purge_expired(later) == 1
    ignored.refresh_from_db()
    assert (ignored.sender, ignored.subject, ignored.raw.name) == ("", "", "")
    kept.refresh_from_db()
    assert kept.sender == "juergen@example.org"  # a case's mail stays with its case
    assert not BouncedAddress.objects.filter(address="alt@example.org").exists()
