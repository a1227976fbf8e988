"""How many mails per second ``buergerticket ingest-mail`` turns into cases.

    python bench/mail_ingest.py [--count 2000]

Runs on the embedded default (SQLite in WAL mode, a fresh file) through exactly
the command an operator uses: .eml files on disk → ingest-mail → one JSON line
each. The mix: new requests (plain text, HTML-only, with a 50 KB attachment),
replies that thread into earlier cases, auto-replies. Target: ≥ 200 mails/s.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import tempfile
import time
from pathlib import Path

from mail_common import corpus, fresh_installation

TARGET = 200


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    fresh_installation()
    from buergerticket.cases.models import Case, Document, Message
    from buergerticket.cli import main as cli

    folder = Path(tempfile.mkdtemp(prefix="bt-bench-eml-"))
    for index, raw in enumerate(corpus(args.count)):
        (folder / f"{index:06d}.eml").write_bytes(raw)
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        status = cli(["ingest-mail", "--org", "musterstadt", str(folder)])
    seconds = time.perf_counter() - started
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    results = collections.Counter(line["result"] for line in lines)
    rate = len(lines) / seconds
    print(f"mail_ingest: {len(lines)} Mails in {seconds:.2f} s = {rate:.0f} Mails/s (Ziel ≥ {TARGET})")
    print(f"  Ergebnisse: {dict(results)}, Exit-Status {status}")
    print(
        f"  Vorgänge {Case.objects.count()}, Nachrichten {Message.objects.count()}, "
        f"Dokumente {Document.objects.count()}"
    )
    print(f"  {'ERFÜLLT' if rate >= TARGET else 'VERFEHLT'}")
    return 0 if rate >= TARGET and status == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
