"""Opening cases through the write path (file number, assignment, events, outbox) on SQLite.

    python bench/write_path.py [--home DIR] [--cases N]

Works on a copy of the dataset (bench/dataset.py) so the benchmark leaves it
unchanged. Target (issue 2): ≥ 500 cases/s on SQLite with 2 cores.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import tempfile
import time
from pathlib import Path

from common import DEFAULT_HOME, machine, setup_django


def _open_many(home: str, count: int, worker: int) -> float:
    setup_django(Path(home))
    from buergerticket.cases.history import Actor
    from buergerticket.cases.services import Intake, Requester, open_case
    from buergerticket.catalog.models import Service

    services = list(
        Service.objects.select_related("organisation", "owner", "department", "file_plan").filter(
            active=True
        )
    )
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
        seconds = _open_many(tmp, args.cases, 0)
        rate1 = args.cases / seconds
        print(f"1 Prozess:  {args.cases} Vorgänge in {seconds:5.1f} s = {rate1:6.0f} Vorgänge/s")
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            start = time.perf_counter()
            pool.starmap(_open_many, [(tmp, args.cases // 2, 1), (tmp, args.cases // 2, 2)])
            seconds = time.perf_counter() - start
        rate2 = args.cases / seconds
        print(f"2 Prozesse: {args.cases} Vorgänge in {seconds:5.1f} s = {rate2:6.0f} Vorgänge/s")
        best = max(rate1, rate2)
        print(f"Ziel ≥ 500 Vorgänge/s: {'OK' if best >= 500 else 'VERFEHLT'} ({best:.0f}/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
