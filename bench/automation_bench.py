"""Automation benchmark: routing + rule evaluation per request, and 1,000 Abschlag
e-mails end to end on the embedded default (SQLite, WAL).

    PYTHONPATH=src python bench/automation_bench.py [--mails 1000] [--keep DIR]

Sets up a fresh installation in a temporary directory (migrate, Musterstadt
catalog, the sample contract export, the sample requests, a trained router and
five rules), then prints its figures. Needs the reference data in
../shared/musterstadt (development checkouts only).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "musterstadt"
if not SHARED.exists():  # worktrees live one level deeper
    SHARED = ROOT.parent.parent / "shared" / "musterstadt"


def setup(home: Path) -> None:
    os.environ["BUERGERTICKET_MODE"] = "development"
    os.environ["BUERGERTICKET_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "buergerticket.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def prepare() -> dict[str, float]:
    from buergerticket.automation.contracts.importing import import_contract_file
    from buergerticket.automation.router.importing import import_cases
    from buergerticket.automation.router.training import train
    from buergerticket.automation.rules.services import save_rule
    from buergerticket.catalog.loader import load_catalog_file
    from buergerticket.org.models import Organisation

    timings = {}
    load_catalog_file(SHARED / "katalog.yaml")
    stadtwerke = Organisation.objects.get(slug="stadtwerke")
    musterstadt = Organisation.objects.get(slug="musterstadt")
    start = time.perf_counter()
    import_contract_file(stadtwerke, SHARED / "vertraege.csv")
    timings["import_contracts_s"] = time.perf_counter() - start
    import_cases(musterstadt, SHARED / "anfragen-train.jsonl")
    start = time.perf_counter()
    model = train(musterstadt, by="Benchmark")
    timings["train_router_s"] = time.perf_counter() - start
    timings["router_right"] = model.metrics["right"]
    timings["router_confidently_wrong"] = model.metrics["confidently_wrong"]
    for org in (musterstadt, stadtwerke):
        for i, (field, op, value) in enumerate(
            [
                ("subject_or_text", "contains", "dringend, sofort, gefahr"),
                ("sender_domain", "ends_with", "polizei.example"),
                ("subject", "regex", r"st(ö|oe)rung|ausfall"),
                ("time", "between", "20:00-06:00"),
                ("working_day", "is_false", ""),
            ]
        ):
            save_rule(
                org,
                staff=None,
                data={
                    "name": f"Bench {i}",
                    "conditions": [{"field": field, "op": op, "value": value}],
                    "actions": [{"type": "add_tag", "value": f"bench-{i}"}],
                },
            )
    return timings


def bench_decisions() -> dict[str, float]:
    """Routing + rule evaluation for one request: the preprocessors and the Abschlag checks,
    as the intake runs them, without opening a case."""
    from buergerticket.automation.dryrun import Sample, dry_run
    from buergerticket.org.models import Organisation

    orgs = {o.slug: o for o in Organisation.objects.all()}
    samples = []
    for line in (SHARED / "anfragen-train.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        samples.append(("musterstadt", row["subject"], row["body"], "x@example.org"))
    for line in (SHARED / "abschlag-dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        sender = row["from"].rpartition("<")[2].rstrip(">")
        samples.append(("stadtwerke", row["subject"], row["body"], sender))
    for org, subject, text, sender in samples[:20]:  # warm-up (model load, caches)
        dry_run(orgs[org], Sample(subject=subject, text=text, sender=sender))
    durations, cpu = [], []
    for org, subject, text, sender in samples:
        start, start_cpu = time.perf_counter(), time.process_time()
        dry_run(orgs[org], Sample(subject=subject, text=text, sender=sender))
        durations.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    # The same run's cost of one trivial query, to compare on a busy machine.
    baseline = []
    for _ in range(200):
        start = time.perf_counter()
        Organisation.objects.filter(slug="stadtwerke").first()
        baseline.append((time.perf_counter() - start) * 1000)
    return {
        "decision_requests": len(durations),
        "decision_median_ms": statistics.median(durations),
        "decision_p95_ms": percentile(durations, 0.95),
        "decision_cpu_median_ms": statistics.median(cpu),
        "trivial_query_median_ms": statistics.median(baseline),
    }


TEMPLATES = [
    "Sehr geehrte Damen und Herren,\n\nbitte passen Sie meinen monatlichen Abschlag "
    "(Vertragsnummer {number}) ab dem nächsten Monat auf {new} € an.\n\n"
    "Mit freundlichen Grüßen\n{name}",
    "Hallo,\n\nkönnen Sie meinen Abschlag zur Vertragsnummer {number} um {delta} Euro "
    "reduzieren?\n\nViele Grüße\n{name}",
    "Guten Tag,\n\nich möchte ab sofort {delta} € mehr Abschlag im Monat zahlen.\n"
    "Vertrag-Nr. {number}\n\nViele Grüße\n{name}",
    "Sehr geehrte Damen und Herren,\n\nmein derzeitiger Abschlag beträgt {old} €. Bitte ändern "
    "Sie ihn auf {new} €.\nVN: {number}\n\nMit freundlichen Grüßen\n{name}",
]


def mails(count: int) -> list[tuple[str, str, str]]:
    """Abschlag requests for distinct contracts: ~80 % clean, the rest with a reason to stop."""
    from buergerticket.automation.models import Contract

    contracts = list(Contract.objects.filter(organisation__slug="stadtwerke").order_by("number"))
    random.seed(6)
    random.shuffle(contracts)
    result = []
    for i, contract in enumerate(contracts[:count]):
        old = contract.installment
        new = (old * 9 / 10).quantize(old) if old > 20 else old + 5
        template = TEMPLATES[i % len(TEMPLATES)]
        body = template.format(
            number=contract.number,
            new=str(new).replace(".", ","),
            old=str(old).replace(".", ","),
            delta=5,
            name=contract.holder_name,
        )
        sender = contract.email
        if i % 10 == 9:
            sender = f"fremd{i}@example.net"  # someone else writes: must stop
        result.append((f"{contract.holder_name} <{sender}>", f"Abschlag {contract.number}", body))
    return result


def bench_end_to_end(count: int) -> dict[str, float]:
    from buergerticket.cases.history import Actor
    from buergerticket.cases.services import Requester
    from buergerticket.intake import pipeline
    from buergerticket.notify.outbox import deliver_due
    from buergerticket.org.models import Organisation

    stadtwerke = Organisation.objects.get(slug="stadtwerke")
    batch = mails(count)
    outcomes: Counter[str] = Counter()
    durations = []
    start, start_cpu = time.perf_counter(), time.process_time()
    for sender, subject, body in batch:
        name, _, address = sender.partition(" <")
        began = time.perf_counter()
        result = pipeline.submit(
            pipeline.Draft(
                organisation=stadtwerke,
                channel="email",
                subject=subject,
                text=body,
                requester=Requester(name=name, email=address.rstrip(">")),
            ),
            actor=Actor.requester(),
        )
        durations.append((time.perf_counter() - began) * 1000)
        outcomes["automated" if result.automated else result.reason] += 1
    intake_seconds = time.perf_counter() - start
    intake_cpu = time.process_time() - start_cpu
    start = time.perf_counter()
    delivered = Counter[str]()
    while True:
        counts = deliver_due()
        delivered.update(counts)
        if not any(counts.values()):
            break
    outbox_seconds = time.perf_counter() - start
    return {
        "mails": len(batch),
        "intake_total_s": intake_seconds,
        "intake_cpu_s": intake_cpu,
        "intake_median_ms": statistics.median(durations),
        "intake_p95_ms": percentile(durations, 0.95),
        "outbox_total_s": outbox_seconds,
        "outbox_sent": delivered["sent"],
        "outcomes": dict(outcomes),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--keep", help="use this directory instead of a temporary one")
    args = parser.parse_args()
    home = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bt-bench-"))
    home.mkdir(parents=True, exist_ok=True)
    setup(home)
    figures: dict[str, object] = {}
    figures.update(prepare())
    figures.update(bench_decisions())
    figures.update(bench_end_to_end(args.mails))
    from django.db import connection

    figures["database"] = connection.vendor
    print(json.dumps(figures, indent=2, ensure_ascii=False, default=str))
    print(
        f"\nZuordnung + Regelprüfung: Median {figures['decision_median_ms']:.2f} ms, "
        f"95 % {figures['decision_p95_ms']:.2f} ms je Anfrage "
        f"({figures['decision_requests']} Anfragen; Ziel ≤ 10 ms); CPU-Zeit Median "
        f"{figures['decision_cpu_median_ms']:.2f} ms; eine triviale Abfrage im selben Lauf "
        f"{figures['trivial_query_median_ms']:.2f} ms."
    )
    print(
        f"{figures['mails']} Abschlag-E-Mails Ende zu Ende ({figures['database']}): "
        f"Eingang {figures['intake_total_s']:.1f} s (CPU {figures['intake_cpu_s']:.1f} s, "
        f"Median {figures['intake_median_ms']:.1f} ms je E-Mail), "
        f"Postausgang {figures['outbox_total_s']:.1f} s für {figures['outbox_sent']} Sendungen; "
        f"Ergebnis {figures['outcomes']}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
