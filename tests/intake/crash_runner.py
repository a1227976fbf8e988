"""A separate process for test_crash.py (not collected by pytest).

Commands:

* ``prepare [HOST PORT USER PASSWORD]`` migrates a fresh SQLite file, loads the
  catalog and, given an IMAP account, creates its mailbox (prints the id).
* ``poll MAILBOX_ID [DIE_AFTER]`` polls once; with DIE_AFTER the process kills
  itself (os._exit, no cleanup) right after that many mails were committed,
  before they are moved on the server.
* ``ingest FILE KEY`` delivers FILE once and prints the outcome as JSON.
* ``report [--expire-leases]`` prints cases and receipts by result (and lets a
  dead process's mailbox lease run out).
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buergerticket.settings")
    import django

    django.setup()
    from django.db.models import Count

    from buergerticket.cases.models import Case
    from buergerticket.intake.mail import fetcher, secrets
    from buergerticket.intake.models import Mailbox, MailReceipt
    from buergerticket.org.models import Organisation

    command = sys.argv[1]
    if command == "prepare":
        from django.core.management import call_command

        from buergerticket.catalog.loader import load_catalog_file
        from tests.conftest import MUSTERSTADT

        call_command("migrate", verbosity=0)
        load_catalog_file(MUSTERSTADT / "katalog.yaml")
        if len(sys.argv) < 6:
            return 0
        host, port, user, password = sys.argv[2:6]
        box = Mailbox.objects.create(
            organisation=Organisation.objects.get(slug="musterstadt"),
            name="Absturztest",
            address=user,
            host=host,
            port=int(port),
            username=user,
            secret=secrets.encrypt(password),
            mode="poll",
        )
        print(box.pk)
    elif command == "poll":
        box = Mailbox.objects.select_related("organisation").get(pk=int(sys.argv[2]))
        if len(sys.argv) > 3:
            die_after = int(sys.argv[3])
            real = fetcher.ingest
            done: list[str] = []

            def ingest_then_die(*args, **kwargs):  # type: ignore[no-untyped-def]
                outcome = real(*args, **kwargs)
                done.append(outcome.result)
                if len(done) == die_after:
                    os._exit(137)  # like SIGKILL: no cleanup, no IMAP logout
                return outcome

            fetcher.ingest = ingest_then_die  # type: ignore[assignment]
        print(json.dumps(fetcher.poll(box).as_dict()))
    elif command == "ingest":
        from pathlib import Path

        from buergerticket.intake.mail.ingest import Delivery, ingest

        outcome = ingest(
            Path(sys.argv[2]).read_bytes(),
            organisation=Organisation.objects.get(slug="musterstadt"),
            delivery=Delivery(kind="lmtp", key=sys.argv[3]),
        )
        print(json.dumps(outcome.as_dict()))
    elif command == "report":
        if "--expire-leases" in sys.argv:
            from buergerticket.intake.models import MailboxState

            MailboxState.objects.update(lease_until=None)
        results = dict(
            MailReceipt.objects.values_list("result")
            .annotate(n=Count("pk"))
            .values_list("result", "n")
        )
        print(json.dumps({"cases": Case.objects.count(), "receipts": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
