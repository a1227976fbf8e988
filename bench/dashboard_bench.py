"""Dashboard performance over the benchmark dataset (bench/dataset.py, 1,000,000 cases).

    python bench/dashboard_bench.py [--home DIR] [--runs N] [--rebuild]

Prints the median and 95th percentile of the whole dashboard page (all figures,
rendered HTML, in-process through Django) for an administrator of each
organisation, for a lead (one department) and for the figures alone with a
one-year period; target ≤ 500 ms. The dataset is written by bulk SQL, bypassing
the write path, so the read model is filled once by ``migrate`` (its data
migration) or, with ``--rebuild``, by ``buergerticket dashboard rebuild``;
that time is printed too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(home: Path) -> None:
    os.environ["BUERGERTICKET_MODE"] = "development"
    os.environ["BUERGERTICKET_HOME"] = str(home)
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buergerticket.settings")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")


def measure(label: str, runs: int, call: Callable[[], object], target_ms: float | None) -> None:
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    median = statistics.median(times)
    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
    verdict = ""
    if target_ms is not None:
        verdict = (
            f"  (Ziel ≤ {target_ms:.0f} ms: {'erfüllt' if median <= target_ms else 'VERFEHLT'})"
        )
    print(f"{label:<52} Median {median:7.1f} ms   p95 {p95:7.1f} ms{verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=str(ROOT / "var" / "bench-1m"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    setup(Path(args.home))

    from django.test import Client
    from django.utils import timezone

    from buergerticket.cases.models import Case
    from buergerticket.org.models import Organisation, Staff
    from buergerticket.workspace.dashboard.models import CaseFact
    from buergerticket.workspace.dashboard.projection import rebuild
    from buergerticket.workspace.dashboard.selectors import Period, Scope, figures

    cases = Case.objects.count()
    if args.rebuild or CaseFact.objects.count() != cases:
        started = time.perf_counter()
        rebuild()
        print(f"dashboard rebuild: {cases} Vorgänge in {time.perf_counter() - started:.1f} s")
    print(f"Datenbestand: {cases} Vorgänge, {CaseFact.objects.count()} Kennzahlzeilen")

    def page(username: str) -> Callable[[], None]:
        client = Client()
        client.force_login(Staff.objects.get(user__username=username).user)

        def call() -> None:
            response = client.get("/arbeitsplatz/steuerung/")
            assert response.status_code == 200, response.status_code

        return call

    today = timezone.localdate()
    musterstadt = Organisation.objects.get(slug="musterstadt")
    year = Period(today - dt.timedelta(days=365), today)

    measure("Seite, Administration Musterstadt (12 Wochen)", args.runs, page("admin"), 500)
    measure("Seite, Leitung Tiefbauamt (12 Wochen)", args.runs, page("t.nguyen"), 500)
    # JSON containment is not available on SQLite: pick the administrator in Python.
    admins = [
        s for s in Staff.objects.filter(organisation__slug="stadtwerke") if s.is_admin and s.active
    ]
    if admins:
        measure("Seite, Administration Stadtwerke", args.runs, page(admins[0].user.username), 500)
    measure(
        "Kennzahlen allein, Musterstadt, 365 Tage",
        args.runs,
        lambda: figures(Scope(musterstadt), year, today),
        500,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
