"""The worker: polling when due, and IMAP IDLE picking up new mail at once."""

from __future__ import annotations

import time

import pytest

from buergerticket.cases.models import Case
from buergerticket.intake.mail import secrets, watch
from buergerticket.intake.models import Mailbox, MailboxState
from tests.intake import mails

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def account_box(dovecot, musterstadt, settings):
    settings.SECRETS_KEYS = [secrets.generate_key()]
    settings.MAIL_CA_FILE = str(dovecot.cafile)

    def make(mode: str) -> tuple[Mailbox, object]:
        account = dovecot.account()
        box = Mailbox.objects.create(
            organisation=musterstadt,
            name=f"Postfach {mode}",
            address=account.user,
            host="127.0.0.1",
            port=dovecot.imaps_port,
            username=account.user,
            secret=secrets.encrypt(account.password),
            mode=mode,
            poll_seconds=60,
        )
        return box, account

    yield make
    watch.stop_all()


def test_worker_job_polls_a_mailbox_when_it_is_due(dovecot, account_box):
    box, account = account_box("poll")
    dovecot.append(account, [mails.message()])
    assert watch.fetch_due()["polled"] == 1
    assert Case.objects.count() == 1
    # Not due again before its interval is up.
    dovecot.append(account, [mails.message(subject="Zweite")])
    assert watch.fetch_due()["polled"] == 0
    MailboxState.objects.filter(mailbox=box).update(next_poll_at=None)
    watch.fetch_due()
    assert Case.objects.count() == 2


def test_idle_picks_up_new_mail_within_seconds(dovecot, account_box):
    box, account = account_box("idle")
    watch.fetch_due()  # starts the IDLE thread for this mailbox
    deadline = time.monotonic() + 15
    while not MailboxState.objects.filter(mailbox=box, last_success_at__isnull=False).exists():
        assert time.monotonic() < deadline, "IDLE-Verbindung kommt nicht zustande"
        time.sleep(0.1)
    time.sleep(0.3)  # the thread is now waiting in IDLE
    sent = time.monotonic()
    dovecot.append(account, [mails.message(subject="Über IDLE")])
    while not Case.objects.filter(subject="Über IDLE").exists():
        assert time.monotonic() - sent < 10, "neue Nachricht nicht über IDLE übernommen"
        time.sleep(0.1)
    assert MailboxState.objects.get(mailbox=box).lease_owner != ""
    # Disabling the mailbox ends its thread.
    Mailbox.objects.filter(pk=box.pk).update(enabled=False)
    watch.fetch_due()
    assert not watch._threads


def test_a_large_backlog_is_drained_in_portions(dovecot, account_box, monkeypatch):
    monkeypatch.setattr(watch, "POLL_BATCH", 2)
    _box, account = account_box("poll")
    dovecot.append(account, [mails.message(subject=f"Nr. {i}") for i in range(5)])
    for expected in (2, 4, 5):
        watch.fetch_due()  # due again at once while mail is waiting
        assert Case.objects.count() == expected
    assert watch.fetch_due()["polled"] == 0  # drained: back to the interval
