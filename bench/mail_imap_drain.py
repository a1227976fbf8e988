"""Drain a shared mailbox of 10,000 mails from a real IMAP server (Dovecot).

    python bench/mail_imap_drain.py [--count 10000] [--interrupt-every 0]

Starts Dovecot with a throw-away configuration (TLS, one account), fills the
account's Maildir, and lets the channel's IMAP fetcher drain it into a fresh
SQLite installation, exactly as the worker does. ``--interrupt-every N`` kills
the drain (an exception after a commit, before the move) every N mails and
starts it again, like a crashing worker.

Then it checks: every mail has exactly one receipt and reached at most one
case; every Message-ID put in the mailbox was processed exactly once; the
inbox is empty and the done folder holds all mails.
"""

from __future__ import annotations

import argparse
import collections
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from mail_common import corpus, fresh_installation


class Interrupted(BaseException):
    """A crash between commit and move."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--interrupt-every", type=int, default=0)
    args = parser.parse_args()
    from cryptography.fernet import Fernet

    fresh_installation(BUERGERTICKET_SECRETS_KEYS=Fernet.generate_key().decode())
    from django.conf import settings
    from django.db.models import Count

    from buergerticket.cases.models import Case
    from buergerticket.intake.mail import fetcher, secrets
    from buergerticket.intake.mail.parse import parse
    from buergerticket.intake.models import Mailbox, MailboxState, MailReceipt
    from buergerticket.org.models import Organisation
    from tests.intake.servers import Dovecot

    root = Path(tempfile.mkdtemp(prefix="bt-bench-dovecot-"))
    dovecot = Dovecot(root)
    dovecot.start()
    try:
        settings.MAIL_CA_FILE = str(dovecot.cafile)
        account = dovecot.account("drain")
        mails = corpus(args.count, seed=10)
        expected_ids = {parse(raw).message_id for raw in mails}
        started = time.perf_counter()
        dovecot.seed_maildir(account, mails)
        seeded = time.perf_counter() - started
        box = Mailbox.objects.create(
            organisation=Organisation.objects.get(slug="musterstadt"),
            name="Drain",
            address=account.user,
            host="127.0.0.1",
            port=dovecot.imaps_port,
            username=account.user,
            secret=secrets.encrypt(account.password),
            mode="poll",
        )
        real_ingest = fetcher.ingest
        done = [0]
        interruptions = 0

        def ingest_maybe_crash(*a, **kw):  # type: ignore[no-untyped-def]
            outcome = real_ingest(*a, **kw)
            done[0] += 1
            if args.interrupt_every and done[0] % args.interrupt_every == 0:
                raise Interrupted
            return outcome

        fetcher.ingest = ingest_maybe_crash  # type: ignore[assignment]
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        while True:
            try:
                stats = fetcher.poll(box, limit=args.count * 2)
            except Interrupted:
                interruptions += 1
                MailboxState.objects.update(lease_until=None)  # the "dead" worker's lease
                continue
            if stats.error:
                raise SystemExit(f"Abruf fehlgeschlagen: {stats.error}")
            if stats.fetched == 0:
                break
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        used = (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)

        receipts = MailReceipt.objects.filter(mailbox=box)
        by_result = dict(
            receipts.values_list("result").annotate(n=Count("pk")).values_list("result", "n")
        )
        first_receipts = receipts.exclude(reason="duplicate")
        processed_ids = collections.Counter(first_receipts.values_list("message_id", flat=True))
        twice = [mid for mid, n in processed_ids.items() if n > 1]
        missing = expected_ids - set(processed_ids)
        per_uid = receipts.values("source_key").annotate(n=Count("pk")).filter(n__gt=1).count()
        cases_per_mail = (
            receipts.filter(result="created").values("message_id").annotate(n=Count("pk"))
        )
        inbox = len(dovecot.folder_uids(account))
        moved = len(dovecot.folder_uids(account, "Bürgerticket/Erledigt")) + len(
            dovecot.folder_uids(account, "Bürgerticket/Quarantäne")
        )
        print(
            f"mail_imap_drain: {len(mails)} Mails aus Dovecot (IMAPS) in {seconds:.1f} s = "
            f"{len(mails) / seconds:.0f} Mails/s; Unterbrechungen: {interruptions}"
        )
        print(f"  Postfach befüllt in {seeded:.1f} s; Ergebnisse {by_result}")
        print(
            f"  Vorgänge {Case.objects.count()}, Rechenzeit {used:.1f} s CPU = "
            f"{used / len(mails) * 1000:.1f} ms je Mail (Rechner geteilt, Last "
            f"{os.getloadavg()[0]:.1f})"
        )
        print(
            f"  verloren: {len(missing)}, doppelt verarbeitet: {len(twice)}, "
            f"UIDs mit mehr als einem Eingang: {per_uid}, "
            f"Mails mit mehr als einem Vorgang: {cases_per_mail.filter(n__gt=1).count()}"
        )
        print(f"  Posteingang danach: {inbox}, verschoben: {moved}")
        ok = not missing and not twice and not per_uid and inbox == 0 and moved == len(mails)
        print(f"  {'KEIN VERLUST, KEIN DUPLIKAT' if ok else 'FEHLER'}")
        return 0 if ok else 1
    finally:
        dovecot.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
