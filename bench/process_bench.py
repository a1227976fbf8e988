"""Process execution on the embedded default (SQLite): start a case with a model, complete a task.

    python bench/process_bench.py [--cases N] [--home DIR]

Prints medians and 95th percentiles in milliseconds, measured in one run so the
ratios are comparable on a shared machine:

- parsing a model version: uncached vs. from the spec cache;
- opening a case through the write path with its process row (subscriber on),
  the process's first steps that run after commit (worker or first view), and
  opening without the processes app listening (what the process costs);
- completing the first user task of that process (form check, state load/save,
  engine steps, next task assigned, history event).

Targets (issue 5): starting a case with a model and completing one user task each
≤ 30 ms median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 30.0


def setup(home: Path) -> None:
    os.environ["BUERGERTICKET_MODE"] = "development"
    os.environ["BUERGERTICKET_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buergerticket.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms   n={len(ordered)}"


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bt-process-bench-"))
    setup(home)

    from buergerticket.cases import history
    from buergerticket.cases.history import Actor
    from buergerticket.cases.services import Intake, Requester, open_case
    from buergerticket.catalog.models import Service
    from buergerticket.demo.data import load_demo_catalog
    from buergerticket.org.models import Staff
    from buergerticket.processes import engine
    from buergerticket.processes.bpmn.spiff import clear_cache
    from buergerticket.processes.models import HumanTask, ProcessInstance
    from buergerticket.processes.services.lifecycle import start_pending
    from buergerticket.processes.services.register import install_bundled_models
    from buergerticket.processes.services.tasks import complete_task
    from buergerticket.processes.subscribers import on_case_event

    load_demo_catalog()
    install_bundled_models()
    service = Service.objects.select_related(
        "organisation", "owner", "department", "file_plan"
    ).get(code="maengel-strasse", organisation__slug="musterstadt")
    clerk = Staff.objects.get(user__username="s.wagner")

    def intake() -> object:
        return open_case(
            Intake(
                service=service,
                channel="portal",
                subject="Schlagloch in der Hauptstraße",
                text="Vor Hausnummer 12 ist ein tiefes Schlagloch.",
                requester=Requester(name="Erika Mustermann", email="erika@example.org"),
            ),
            actor=Actor.requester(),
        )

    from buergerticket.processes.services.register import published_version

    published = published_version(service)
    assert published is not None
    parse_cold, parse_warm = [], []
    for _ in range(50):
        clear_cache()
        parse_cold.append(timed(lambda: engine.spec_for(published)))
        parse_warm.append(timed(lambda: engine.spec_for(published)))

    for _ in range(10):  # warm up: first-use imports, SQLite page cache
        start_pending(intake())
    with_process, first_steps = [], []
    for _ in range(args.cases):
        start = time.perf_counter()
        case = intake()
        opened = time.perf_counter()
        start_pending(case)
        first_steps.append((time.perf_counter() - opened) * 1000)
        with_process.append((opened - start) * 1000)
    started = [a + b for a, b in zip(with_process, first_steps, strict=True)]
    history._subscribers.remove(on_case_event)
    try:
        without_process = [timed(intake) for _ in range(args.cases)]
    finally:
        history.subscribe(on_case_event)

    tasks = list(
        HumanTask.objects.filter(state="open", element_id="inspect", case__service=service)
        .order_by("pk")
        .values_list("pk", flat=True)[: args.cases]
    )
    data_for = {
        pk: {f"t{pk}-schaden_bestaetigt": "ja", f"t{pk}-befund": "Loch 30 cm"} for pk in tasks
    }
    complete_ms = [
        timed(lambda pk=pk: complete_task(pk, staff=clerk, data=data_for[pk])) for pk in tasks
    ]
    state_sizes = [len(s) for s in ProcessInstance.objects.values_list("state", flat=True)[:200]]

    print(f"Prozess-Benchmark (SQLite in {home}, Modell maengel-strasse v{published.number})")
    print(f"  Modell parsen, ohne Cache      {stats(parse_cold)}")
    print(f"  Modell parsen, aus dem Cache   {stats(parse_warm)}")
    print(f"  Vorgang öffnen mit Prozesszeile {stats(with_process)}")
    print(f"  Erste Schritte nach Commit     {stats(first_steps)}")
    print(f"  Öffnen + Prozessstart gesamt   {stats(started)}")
    print(f"  Vorgang öffnen ohne Prozess    {stats(without_process)}")
    print(f"  Benutzeraufgabe erledigen      {stats(complete_ms)}")
    overhead = statistics.median(with_process) - statistics.median(without_process)
    ratio = statistics.median(with_process) / statistics.median(without_process)
    print(f"  Anteil des Prozesses am Eingang: +{overhead:.2f} ms (Faktor {ratio:.2f})")
    print(f"  Gespeicherter Zustand je Vorgang: Median {statistics.median(state_sizes):.0f} Byte")
    failed = False
    for label, samples in (("Start", started), ("Aufgabe", complete_ms)):
        median = statistics.median(samples)
        verdict = "erfüllt" if median <= TARGET_MS else "VERFEHLT"
        failed |= median > TARGET_MS
        print(f"  Ziel ≤ {TARGET_MS:.0f} ms Median ({label}): {verdict} ({median:.2f} ms)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
