"""A separate process for the crash test (run by test_crash.py, not by pytest).

crash_runner.py prepare HOST PORT USER PASSWORD → migrates, loads the catalog, creates
                                                   the mailbox, prints its id
crash_runner.py poll MAILBOX_ID [DIE_AFTER]     → polls; with DIE_AFTER the process
                                                   kills itself (os._exit, no cleanup)
                                                   right after that many mails were
                                                   committed, before they are moved
crash_runner.py report [--expire-leases]        → JSON: cases, receipts by result (and
                                                   let the dead process's lease run out)
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
