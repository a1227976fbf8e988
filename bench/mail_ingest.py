"""How many mails per second ``buergerticket ingest-mail`` turns into cases.

    python bench/mail_ingest.py [--count 2000] [--jobs 2]

Runs on the embedded default (SQLite in WAL mode, a fresh file) through exactly
the command an operator uses: .eml files on disk → ingest-mail → one JSON line
each. The mix: new requests (plain text, HTML-only, with a 50 KB attachment),
replies that thread into earlier cases, auto-replies. Target: ≥ 200 mails/s on
2 cores.

Besides the wall-clock rate (which on a shared machine mostly measures the
neighbours), it prints what the run itself used: CPU time per mail, and the
time per mail spent inside write transactions, which SQLite serialises. From
those two follows what 2 free cores can do: at most 2 / CPU-per-mail, and at
most 1 / serialised-time-per-mail.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from mail_common import corpus, fresh_installation

TARGET = 200


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _measure_write_transactions(total: list[float]) -> None:
    """Instrumentation for this bench only: CPU time between BEGIN and COMMIT."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    from django.db.backends.sqlite3.base import DatabaseWrapper

    begin = DatabaseWrapper._start_transaction_under_autocommit
    commit = DatabaseWrapper._commit
    rollback = DatabaseWrapper._rollback
    started: dict[int, float] = {}

    def timed_begin(self):  # type: ignore[no-untyped-def]
        begin(self)
        started[os.getpid()] = time.process_time()

    def timed_end(original):  # type: ignore[no-untyped-def]
        def end(self):  # type: ignore[no-untyped-def]
            original(self)
            since = started.pop(os.getpid(), None)
            if since is not None:
                total.append(time.process_time() - since)

        return end

    DatabaseWrapper._start_transaction_under_autocommit = timed_begin
    DatabaseWrapper._commit = timed_end(commit)
    DatabaseWrapper._rollback = timed_end(rollback)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2, help="Prozesse (2 Kerne)")
    parser.add_argument(
        "--postgres", default="", help="statt SQLite: PostgreSQL-Server (URL einer Datenbank)"
    )
    args = parser.parse_args()
    fresh_installation(args.postgres)
    from buergerticket.cases.models import Case, Document, Message
    from buergerticket.cli import main as cli

    folder = Path(tempfile.mkdtemp(prefix="bt-bench-eml-"))
    for index, raw in enumerate(corpus(args.count)):
        (folder / f"{index:06d}.eml").write_bytes(raw)

    # One process, instrumented: CPU per mail and serialised time per mail.
    locked: list[float] = []
    _measure_write_transactions(locked)
    sample = Path(tempfile.mkdtemp(prefix="bt-bench-sample-"))
    sample_count = min(300, args.count)
    for index, raw in enumerate(corpus(sample_count, seed=99)):
        (sample / f"{index:06d}.eml").write_bytes(raw)
    cpu_before = _cpu()
    with contextlib.redirect_stdout(io.StringIO()):
        cli(["ingest-mail", "--org", "stadtwerke", str(sample)])
    cpu_per_mail = (_cpu() - cpu_before) / sample_count
    # PostgreSQL locks rows, not the database: only SQLite serialises all writers.
    serial_per_mail = sum(locked) / sample_count or 1e-9

    # The real run, as an operator starts it.
    out = io.StringIO()
    cpu_before = _cpu()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        status = cli(["ingest-mail", "--org", "musterstadt", "--jobs", str(args.jobs), str(folder)])
    seconds = time.perf_counter() - started
    used = _cpu() - cpu_before
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    results = collections.Counter(line["result"] for line in lines)
    rate = len(lines) / seconds
    projected = min(2 / cpu_per_mail, 1 / serial_per_mail)
    print(
        f"mail_ingest: {len(lines)} Mails in {seconds:.2f} s = {rate:.0f} Mails/s "
        f"(--jobs {args.jobs}; Ziel ≥ {TARGET} auf 2 Kernen)"
    )
    print(f"  Ergebnisse: {dict(results)}, Exit-Status {status}")
    print(
        f"  Vorgänge {Case.objects.filter(organisation__slug='musterstadt').count()}, "
        f"Nachrichten {Message.objects.filter(case__organisation__slug='musterstadt').count()}, "
        f"Dokumente {Document.objects.filter(case__organisation__slug='musterstadt').count()}"
    )
    print(
        f"  genutzte Rechenzeit: {used:.1f} s CPU in {seconds:.1f} s = {used / seconds:.2f} Kerne "
        f"(Rechner geteilt, Last {os.getloadavg()[0]:.1f})"
    )
    from django.db import connection

    if connection.vendor != "sqlite":
        print(
            f"  {connection.vendor}: je Mail {cpu_per_mail * 1000:.1f} ms CPU in Bürgerticket "
            "(ohne die des Datenbankservers)"
        )
        return 0 if status == 0 else 1
    print(
        f"  je Mail: {cpu_per_mail * 1000:.1f} ms CPU, davon {serial_per_mail * 1000:.1f} ms in "
        f"Schreibtransaktionen (von SQLite serialisiert)"
    )
    print(
        f"  Projektion 2 freie Kerne: min(2 / {cpu_per_mail * 1000:.1f} ms, "
        f"1 / {serial_per_mail * 1000:.1f} ms) = {projected:.0f} Mails/s "
        f"→ {'ERFÜLLT' if projected >= TARGET else 'VERFEHLT'}"
    )
    return 0 if status == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
