"""Search over the 1,000,000-case dataset: indexing rate, query latency, and the
write path's rate with the index subscriber on and off.

    python bench/search_bench.py [--home var/bench-1m] [--reindex] [--queries 40]

Needs the dataset of ``bench/dataset.py`` (bulk-inserted, so this script builds
the search index first when it is empty: that is the indexing figure). Prints
the figures; compare ratios within one run (the machine is shared).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMON_WORDS = ["bitte", "Termin", "Straße", "seit", "Antrag", "heute", "Müll", "Rechnung"]


def setup(home: Path) -> None:
    os.environ["BUERGERTICKET_MODE"] = "development"
    os.environ["BUERGERTICKET_HOME"] = str(home)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buergerticket.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def describe(label: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[max(0, round(len(samples) * 0.95) - 1)]
    print(
        f"  {label:<48} median {statistics.median(samples):7.1f} ms   "
        f"p95 {p95:7.1f} ms   (n={len(samples)})"
    )


def index(reindex: bool) -> None:
    from buergerticket.cases.models import Case
    from buergerticket.records.models import SearchDocument
    from buergerticket.records.search.indexer import reindex as rebuild

    cases = Case.objects.count()
    indexed = SearchDocument.objects.count()
    print(f"Datenbestand: {cases:,} Vorgänge, {indexed:,} im Suchindex")
    if 0 < indexed < cases and not reindex:
        # Cases a previous run opened with the subscriber switched off.
        from django.db import transaction

        from buergerticket.records.search.indexer import index_case

        missing = Case.objects.exclude(pk__in=SearchDocument.objects.values("case_id"))
        with transaction.atomic():
            for case in missing.select_related("service"):
                index_case(case)
        return
    if indexed < cases or reindex:
        start = time.perf_counter()
        count = rebuild()
        seconds = time.perf_counter() - start
        print(
            f"Index aufgebaut: {count:,} Vorgänge in {seconds:.0f} s, "
            f"{count / seconds:,.0f} Vorgänge/s"
        )


def queries(repeat: int) -> None:
    from buergerticket.cases.models import Case
    from buergerticket.org.models import Organisation, Staff
    from buergerticket.records.search.engine import search

    musterstadt = Organisation.objects.get(slug="musterstadt")
    clerk = Staff.objects.select_related("organisation").get(user__username="s.wagner")
    rng = random.Random(7)
    # Warm the page cache once (a server keeps it warm).
    search(organisation=musterstadt, staff=None, text="bitte")
    for who, staff in (
        ("Organisation (alle Vorgänge)", None),
        ("Sachbearbeiterin s.wagner", clerk),
    ):
        samples = []
        for i in range(repeat):
            word = COMMON_WORDS[i % len(COMMON_WORDS)]
            start = time.perf_counter()
            results = search(organisation=musterstadt, staff=staff, text=word)
            samples.append((time.perf_counter() - start) * 1000)
            assert results.hits, word
        describe(f"häufiges Wort, 1. Seite – {who}", samples)
    two = [f"{a} {b}" for a, b in itertools.pairwise(COMMON_WORDS)]
    describe(
        "zwei häufige Wörter, 1. Seite – Organisation",
        timed(lambda: search(organisation=musterstadt, staff=None, text=rng.choice(two)), repeat),
    )
    ids = list(Case.objects.filter(organisation=musterstadt).values_list("pk", flat=True)[::997])
    numbers = list(Case.objects.filter(pk__in=ids).values_list("file_number", flat=True))
    samples = []
    for i in range(repeat):
        number = numbers[i % len(numbers)]
        start = time.perf_counter()
        results = search(organisation=musterstadt, staff=None, text=number)
        samples.append((time.perf_counter() - start) * 1000)
        assert results.hits and results.hits[0].case.file_number == number
    describe("Aktenzeichen", samples)
    owner_numbers = list(
        Case.objects.filter(organisation=musterstadt, department=clerk.department).values_list(
            "file_number", flat=True
        )[::499][:repeat]
    )
    describe(
        "Aktenzeichen – Sachbearbeiterin",
        [
            timed(lambda n=n: search(organisation=musterstadt, staff=clerk, text=n), 1)[0]
            for n in owner_numbers
        ],
    )


def write_path(cases: int) -> None:
    from buergerticket.cases import history, services
    from buergerticket.cases.history import Actor
    from buergerticket.cases.services import Intake, Requester
    from buergerticket.catalog.models import Service
    from buergerticket.records.search.indexer import on_case_write

    service = Service.objects.select_related(
        "organisation", "owner", "department", "file_plan"
    ).get(organisation__slug="musterstadt", code="maengel-strasse")
    intake = Intake(
        service=service,
        channel="portal",
        subject="Schlagloch in der Hauptstraße",
        text="Vor Hausnummer 12 ist ein tiefes Schlagloch, Radfahrer müssen ausweichen. "
        "Bitte beheben Sie den Schaden bald.",
        requester=Requester(name="Erika Mustermann", email="erika@example.org"),
    )
    actor = Actor.requester()

    def rate(count: int) -> float:
        start = time.perf_counter()
        for _ in range(count):
            services.open_case(intake, actor=actor)
        return count / (time.perf_counter() - start)

    # Alternate short rounds so that load from other processes hits both alike.
    rounds = 5
    with_index, without = [], []
    for _ in range(rounds):
        with_index.append(rate(cases // rounds))
        history._write_subscribers.remove(on_case_write)
        try:
            without.append(rate(cases // rounds))
        finally:
            history.subscribe_write(on_case_write)
    on, off = statistics.median(with_index), statistics.median(without)
    print(
        f"  Eingang (open_case, {rounds}×{cases // rounds} je Variante, Median): "
        f"mit Suchindex {on:,.0f}/s, ohne {off:,.0f}/s "
        f"(Kosten des Index {100 * (1 - on / off):.0f} %)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=str(ROOT / "var" / "bench-1m"))
    parser.add_argument("--reindex", action="store_true", help="Index neu aufbauen und messen")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--intake", type=int, default=1000, help="Vorgänge je Eingangsmessung")
    args = parser.parse_args()
    setup(Path(args.home))
    index(args.reindex)
    if args.queries:
        print("Suche (SQLite FTS5):")
        queries(args.queries)
    if args.intake:
        print("Schreibpfad:")
        write_path(args.intake)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
