"""Opening cases through the write path on SQLite, over the 1,000,000-case dataset.

    python bench/write_path.py [--home DIR] [--cases N]

Two figures, each with one and with two processes:

- the write path itself (issue 2): file number, assignment with absence check,
  case row, first message, hash-chained events — no event subscribers;
- the whole intake as the product runs it: the same plus every subscriber the
  apps register in the same transaction (receipt mail in the outbox, tracking
  link, process row, search index, dashboard row, webhooks).

Works on a copy of the dataset (bench/dataset.py) so the benchmark leaves it
unchanged. Target (issue 2): write path ≥ 500 cases/s on SQLite with 2 cores.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import tempfile
import time
from pathlib import Path

from common import DEFAULT_HOME, machine, setup_django


def _open_many(home: str, count: int, worker: int, subscribers: bool) -> float:
    setup_django(Path(home))
    from buergerticket.cases import history
    from buergerticket.cases.history import Actor
    from buergerticket.cases.services import Intake, Requester, open_case
    from buergerticket.catalog.models import Service

    services = list(
        Service.objects.select_related("organisation", "owner", "department", "file_plan").filter(
            active=True
        )
    )
    if not subscribers:
        history._subscribers.clear()
        history._write_subscribers.clear()
    start = time.perf_counter()
    for i in range(count):
        service = services[(i + worker) % len(services)]
        open_case(
            Intake(
                service=service,
                channel="email",
                subject=f"Benchmark-Anliegen {worker}-{i}",
                text="Bitte prüfen Sie mein Anliegen, es ist dringend.",
                requester=Requester(name="Bea Bench", email=f"bea{i}@example.org"),
            ),
            actor=Actor.requester(),
        )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=str(DEFAULT_HOME))
    parser.add_argument("--cases", type=int, default=3000)
    args = parser.parse_args()
    source = Path(args.home) / "buergerticket.sqlite3"
    if not source.exists():
        raise SystemExit(f"{source} fehlt: zuerst python bench/dataset.py ausführen.")
    with tempfile.TemporaryDirectory(prefix="bt-bench-") as tmp:
        shutil.copy(source, Path(tmp) / "buergerticket.sqlite3")
        print(f"Maschine: {machine()}")
        print(f"Datenbestand: Kopie von {source}")
        best: dict[bool, float] = {}
        for subscribers, label in ((False, "Schreibweg"), (True, "Eingang gesamt")):
            with multiprocessing.get_context("spawn").Pool(1) as pool:
                [seconds] = pool.starmap(_open_many, [(tmp, args.cases, 0, subscribers)])
            rate1 = args.cases / seconds
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                start = time.perf_counter()
                half = args.cases // 2
                pool.starmap(_open_many, [(tmp, half, 1, subscribers), (tmp, half, 2, subscribers)])
                seconds = time.perf_counter() - start
            rate2 = args.cases / seconds
            best[subscribers] = max(rate1, rate2)
            print(
                f"{label:<15} 1 Prozess: {rate1:6.0f} Vorgänge/s   "
                f"2 Prozesse: {rate2:6.0f} Vorgänge/s   ({args.cases} Vorgänge je Lauf)"
            )
        core, full = best[False], best[True]
        print(f"Anteil der Abonnenten am Eingang: {100 * (1 - full / core):.0f} %")
        verdict = "OK" if core >= 500 else "VERFEHLT"
        print(f"Ziel Schreibweg ≥ 500 Vorgänge/s: {verdict} ({core:.0f}/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
