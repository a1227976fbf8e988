"""API read performance over the benchmark dataset (bench/dataset.py, 1,000,000 cases).

    python bench/api_bench.py [--home DIR] [--runs N]

Measures, in-process through the whole Django stack (middleware, auth, JSON):
reading one case through the REST API (target ≤ 20 ms median) and Open311
``requests.json`` answering 1,000 requests (target ≤ 200 ms median), plus the
XML variant and a REST list page. Prints median and 95th percentile.
Runs ``migrate`` on the dataset first (our tables) and creates one API client.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(home: Path) -> None:
    os.environ["BUERGERTICKET_MODE"] = "development"
    os.environ["BUERGERTICKET_HOME"] = str(home)
    os.environ["BUERGERTICKET_API_RATE_LIMIT"] = "0"
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buergerticket.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def measure(label: str, runs: int, call: Callable[[], object], target_ms: float | None) -> None:
    call()  # warm caches and connections, as a running server has them
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    median = statistics.median(times)
    p95 = times[int(len(times) * 0.95) - 1]
    verdict = ""
    if target_ms is not None:
        verdict = (
            f"  (Ziel ≤ {target_ms:.0f} ms: {'erfüllt' if median <= target_ms else 'VERFEHLT'})"
        )
    print(f"{label:<48} Median {median:7.1f} ms   p95 {p95:7.1f} ms{verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=str(ROOT / "var" / "bench-1m"))
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    setup(Path(args.home))

    from django.test import Client

    from buergerticket.api.clients import create_client
    from buergerticket.api.models import ApiClient
    from buergerticket.cases.models import Case
    from buergerticket.org.models import Organisation

    organisation = Organisation.objects.get(slug="musterstadt")
    ApiClient.objects.filter(organisation=organisation, name="Benchmark").delete()
    token = create_client(organisation=organisation, name="Benchmark", scopes=["cases:read"]).token
    total = Case.objects.count()
    print(f"Datenbestand: {total} Vorgänge ({os.environ['BUERGERTICKET_HOME']})")
    last = (
        Case.objects.filter(organisation=organisation)
        .order_by("-pk")
        .values_list("pk", flat=True)[0]
    )
    ids = [
        pk
        for pk in Case.objects.filter(organisation=organisation, pk__gt=last - 200_000)
        .order_by("?")
        .values_list("pk", flat=True)[: args.runs * 2]
    ]
    rng = random.Random(1)
    http = Client()
    auth = {"Authorization": f"Bearer {token}"}

    def one_case() -> None:
        response = http.get(f"/api/v1/cases/{rng.choice(ids)}", headers=auth)
        assert response.status_code == 200, response.content[:200]

    sizes: list[int] = []

    def open311(fmt: str) -> Callable[[], None]:
        def call() -> None:
            response = http.get(f"/open311/v2/requests.{fmt}", {"jurisdiction_id": "musterstadt"})
            assert response.status_code == 200
            if fmt == "json":
                sizes.append(len(response.json()))

        return call

    def case_page() -> None:
        response = http.get("/api/v1/cases", {"limit": 50}, headers=auth)
        assert response.status_code == 200

    measure("REST GET /api/v1/cases/{id}", args.runs, one_case, 20)
    measure("Open311 GET requests.json", args.runs, open311("json"), 200)
    print(f"{'':<48} ({sizes[-1]} Meldungen je Antwort)")
    measure("Open311 GET requests.xml", args.runs, open311("xml"), None)
    measure("REST GET /api/v1/cases?limit=50", args.runs, case_page, None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
