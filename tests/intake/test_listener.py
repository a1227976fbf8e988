"""The push path: a mail server delivers over LMTP (or SMTP) to the listener."""

from __future__ import annotations

import smtplib
import socket

import pytest

from buergerticket.cases.models import Case
from buergerticket.intake.mail import listener
from tests.intake import mails
from tests.intake.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)

CITY = "buergerservice@musterstadt.example"
UTILITY = "kundenservice@stadtwerke-musterstadt.example"


@pytest.fixture
def lmtp(catalog):
    port = free_port()
    server = listener.controller("127.0.0.1", port, lmtp=True)
    server.start()
    yield port
    server.stop()


def _converse(port: int, mail_from: str, recipients: list[str], data: bytes) -> list[str]:
    """Speak LMTP by hand: after DATA there is one reply per accepted recipient."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        stream = sock.makefile("rwb")

        def reply() -> str:
            lines = []
            while True:
                line = stream.readline().decode().rstrip("\r\n")
                lines.append(line)
                if len(line) < 4 or line[3] != "-":
                    return "\n".join(lines)

        def send(command: str) -> str:
            stream.write(command.encode() + b"\r\n")
            stream.flush()
            return reply()

        reply()  # greeting
        send("LHLO mx.musterstadt.example")
        send(f"MAIL FROM:<{mail_from}>")
        accepted = [r for r in recipients if send(f"RCPT TO:<{r}>").startswith("250")]
        assert send("DATA").startswith("354")
        body = data.replace(b"\r\n.", b"\r\n..")
        stream.write(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
        stream.flush()
        results = [reply() for _ in accepted]
        send("QUIT")
    return results


def test_lmtp_gives_each_recipient_its_own_status_after_commit(lmtp):
    raw = mails.message(to=f"{CITY}, {UTILITY}")
    replies = _converse(lmtp, "juergen@example.org", [CITY, UTILITY], raw)
    assert [r[:3] for r in replies] == ["250", "250"]
    # Both organisations' cases are committed by the time the server answered.
    assert sorted(Case.objects.values_list("organisation__slug", flat=True)) == [
        "musterstadt",
        "stadtwerke",
    ]


def test_unknown_recipient_is_refused_at_rcpt(lmtp):
    client = smtplib.LMTP("127.0.0.1", lmtp)
    try:
        client.ehlo_or_helo_if_needed()
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("a@example.org", ["niemand@musterstadt.example"], mails.message())
        assert refused.value.recipients["niemand@musterstadt.example"][0] == 550
    finally:
        client.quit()
    assert Case.objects.count() == 0


def test_redelivery_after_a_lost_answer_opens_no_second_case(lmtp):
    raw = mails.message()
    for _ in range(2):
        assert _converse(lmtp, "juergen@example.org", [CITY], raw)[0].startswith("250")
    assert Case.objects.count() == 1


def test_bounce_with_null_sender_is_recorded_not_opened(lmtp):
    raw = mails.message(subject="Zustellung", body="Konnte nicht zugestellt werden.")
    replies = _converse(lmtp, "", [CITY], raw)
    assert replies[0].startswith("250") and "ignored" in replies[0]
    assert Case.objects.count() == 0


def test_smtp_mode(catalog):
    port = free_port()
    server = listener.controller("127.0.0.1", port, lmtp=False)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("juergen@example.org", [CITY], mails.message())
    finally:
        server.stop()
    assert Case.objects.get().channel == "email"
