"""The same mail arriving on several paths at once is filed exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from buergerticket.cases.models import Case
from buergerticket.intake.mail.ingest import Delivery, ingest
from buergerticket.intake.models import MailReceipt
from tests.intake import mails

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_deliveries_of_one_mail_open_one_case(musterstadt):
    if connection.vendor == "sqlite":
        # The in-memory test database locks whole tables: test_crash.py runs this
        # race with real processes on a real SQLite file instead.
        pytest.skip("SQLite: mit echten Prozessen in test_crash.py geprüft")
    raw = mails.message(message_id="<gleichzeitig@example.org>")
    start = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def deliver(path: int) -> None:
        close_old_connections()
        try:
            start.wait()
            # Each path sees other bytes (an added header), as LMTP and IMAP would.
            bytes_ = f"X-Pfad: {path}\r\n".encode() + raw
            outcome = ingest(
                bytes_, organisation=musterstadt, delivery=Delivery(kind="lmtp", key=f"pfad-{path}")
            )
            outcomes.append(outcome.result)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(outcomes) == ["created", "ignored", "ignored", "ignored"]
    assert Case.objects.count() == 1
    assert MailReceipt.objects.filter(result="created").count() == 1
