"""Recognising auto-replies, delivery reports and forwarded mail (no database)."""

from __future__ import annotations

import pytest

from buergerticket.intake.mail.classify import (
    AUTO_REPLY,
    BOUNCE,
    DELIVERY_REPORT,
    OWN_ADDRESS,
    READ_RECEIPT,
    classify,
)
from buergerticket.intake.mail.forward import original_sender
from buergerticket.intake.mail.parse import parse
from tests.intake import mails

OWN = {"buergerservice@musterstadt.example", "noreply@buergerticket.invalid"}


def kind(raw: bytes, null_sender: bool = False) -> str | None:
    noise = classify(parse(raw), own_addresses=OWN, null_sender=null_sender)
    return noise.kind if noise else None


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Urlaub"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
        {"X-Auto-Response-Suppress": "All"},
    ],
)
def test_auto_reply_headers(headers):
    assert kind(mails.message(headers=headers)) == AUTO_REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "Automatische Antwort: [10.00.00-00001/2026] Eingangsbestätigung",
        "Abwesenheitsnotiz: Ihre Anfrage",
        "Out of Office: Re: Laterne",
        "Auto-Reply: Laterne",
    ],
)
def test_out_of_office_subjects(subject):
    assert kind(mails.message(subject=subject)) == AUTO_REPLY


def test_a_person_writing_about_automatic_replies_is_no_auto_reply():
    assert kind(mails.message(subject="Ihre automatische Antwort kam nicht an")) is None
    assert kind(mails.message(headers={"Auto-Submitted": "no"})) is None
    assert kind(mails.message()) is None


def test_null_envelope_sender_is_noise():
    assert kind(mails.message(), null_sender=True) == AUTO_REPLY


def test_own_address():
    assert kind(mails.message(sender="Stadt <BuergerService@musterstadt.example>")) == OWN_ADDRESS


def test_standard_dsn_names_recipient_status_and_original():
    noise = classify(
        parse(
            mails.dsn(original_id="<receipt-1@musterstadt.example>", recipient="weg@example.org")
        ),
        own_addresses=OWN,
        null_sender=False,
    )
    assert noise is not None and noise.kind == BOUNCE
    [failure] = noise.failures
    assert failure.address == "weg@example.org"
    assert failure.status == "5.1.1" and failure.action == "failed" and failure.permanent
    assert "Recipient address rejected" in failure.diagnostic
    assert noise.original_ids == ["<receipt-1@musterstadt.example>"]


def test_delayed_dsn_is_not_permanent_and_success_dsn_is_a_report():
    delayed = classify(
        parse(
            mails.dsn(
                original_id="<x@y>", recipient="a@example.org", status="4.4.1", action="delayed"
            )
        ),
        own_addresses=OWN,
        null_sender=False,
    )
    assert delayed is not None and delayed.kind == BOUNCE
    assert not delayed.failures[0].permanent
    delivered = classify(
        parse(
            mails.dsn(
                original_id="<x@y>", recipient="a@example.org", status="2.0.0", action="delivered"
            )
        ),
        own_addresses=OWN,
        null_sender=False,
    )
    assert delivered is not None and delivered.kind == DELIVERY_REPORT


def test_non_standard_bounce_from_mailer_daemon():
    raw = mails.raw(
        [
            ("From", "MAILER-DAEMON@old.example.net"),
            ("To", mails.MAILBOX),
            ("Subject", "failure notice"),
            ("X-Failed-Recipients", "Nicht.Da@example.org"),
        ],
        b"Hi. This is the qmail-send program.\r\n<nicht.da@example.org>:\r\n"
        b"Sorry, no mailbox here by that name. (#5.1.1)\r\n\r\n--- Below this line is a copy"
        b" of the message.\r\n\r\nMessage-ID: <reply-9@musterstadt.example>\r\nSubject: x\r\n",
    )
    noise = classify(parse(raw), own_addresses=OWN, null_sender=False)
    assert noise is not None and noise.kind == BOUNCE
    assert [f.address for f in noise.failures] == ["nicht.da@example.org"]
    assert noise.failures[0].permanent
    assert noise.original_ids == ["<reply-9@musterstadt.example>"]


def test_read_receipt():
    raw = mails.raw(
        mails.simple_headers(
            **{
                "Content-Type": "multipart/report; report-type=disposition-notification; "
                'boundary="m"'
            }
        ),
        b"--m\r\nContent-Type: text/plain\r\n\r\nGelesen\r\n--m\r\n"
        b"Content-Type: message/disposition-notification\r\n\r\n"
        b"Disposition: manual-action/MDN-sent-manually; displayed\r\n--m--\r\n",
    )
    assert kind(raw) == READ_RECEIPT


# --- forwarded by staff ----------------------------------------------------------

OUTLOOK_DE = """Bitte übernehmen, kam bei mir an.

Gruß
Anna

________________________________
Von: Mustermann, Erika <erika@example.org>
Gesendet: Donnerstag, 19. November 2026 17:02
An: Becker, Anna <a.becker@musterstadt.example>
Betreff: Sperrmüll nicht abgeholt

Hallo Frau Becker, der Sperrmüll steht immer noch da.
"""

THUNDERBIRD = """FYI

-------- Weitergeleitete Nachricht --------
Betreff: \tLärm nachts
Datum: \tThu, 19 Nov 2026 23:10:00 +0100
Von: \tKarl Klein <karl.klein@example.net>
An: \ta.becker@musterstadt.example

Jede Nacht Lärm von der Baustelle.
"""

GMAIL = """---------- Forwarded message ---------
From: Jana Neu <jana.neu@mail.example>
Date: Thu, Nov 19, 2026 at 8:00 AM
Subject: Hundesteuer
To: <a.becker@musterstadt.example>

Ich möchte meinen Hund abmelden.
"""


@pytest.mark.parametrize(
    ("subject", "body", "email", "name", "original_subject"),
    [
        (
            "WG: Sperrmüll nicht abgeholt",
            OUTLOOK_DE,
            "erika@example.org",
            "Mustermann, Erika",
            "Sperrmüll nicht abgeholt",
        ),
        ("Fwd: Lärm nachts", THUNDERBIRD, "karl.klein@example.net", "Karl Klein", "Lärm nachts"),
        ("Fwd: Hundesteuer", GMAIL, "jana.neu@mail.example", "Jana Neu", "Hundesteuer"),
    ],
)
def test_inline_forwards_name_the_original_sender(subject, body, email, name, original_subject):
    raw = mails.message(
        subject=subject, body=body, sender="Anna Becker <a.becker@musterstadt.example>"
    )
    found = original_sender(parse(raw))
    assert found is not None
    assert (found.sender.email, found.sender.name, found.subject) == (email, name, original_subject)


def test_forward_as_attachment():
    original = mails.message(
        subject="Baum umgestürzt", sender="Otto Ast <otto@example.net>", body="Baum auf Weg."
    )
    from email.message import EmailMessage
    from email.parser import BytesParser
    from email.policy import default

    outer = EmailMessage()
    outer["From"] = "Anna Becker <a.becker@musterstadt.example>"
    outer["To"] = mails.MAILBOX
    outer["Subject"] = "WG: Baum umgestürzt"
    outer.set_content("Siehe Anhang.")
    outer.add_attachment(BytesParser(policy=default).parsebytes(original))
    found = original_sender(parse(outer.as_bytes()))
    assert found is not None
    assert (found.sender.email, found.subject) == ("otto@example.net", "Baum umgestürzt")


def test_plain_mail_with_a_from_line_in_the_text_is_no_forward():
    raw = mails.message(
        subject="Frage", body="From: hier schreibt Erika\nIch habe eine Frage zur Hundesteuer."
    )
    assert original_sender(parse(raw)) is None
