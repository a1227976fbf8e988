"""Workspace pages over the 1,000,000-case dataset, through the whole Django stack.

    python bench/workspace_pages.py [--home DIR] [--repeat N]

Targets (issue 2): department queue first page with its counts ≤ 50 ms median
and ≤ 150 ms p95; case detail page ≤ 50 ms median.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from common import DEFAULT_HOME, machine, setup_django, summary, timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=str(DEFAULT_HOME))
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    setup_django(Path(args.home))
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from buergerticket.cases.models import Case
    from buergerticket.org.models import Department, Staff

    settings.ALLOWED_HOSTS = ["testserver"]
    total = Case.objects.count()
    busiest = (
        Case.objects.filter(is_open=True)
        .values("department")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    department = Department.objects.get(pk=busiest["department"])
    clerk = next(
        s
        for s in Staff.objects.filter(department=department).select_related("user")
        if s.works_cases
    )
    client = Client()
    client.force_login(clerk.user)
    print(f"Maschine: {machine()}")
    print(
        f"Datenbestand: {total:,} Vorgänge; Fachbereich {department.code} mit "
        f"{busiest['n']:,} offenen Vorgängen, angemeldet als {clerk.user.username}"
    )

    def queue() -> None:
        response = client.get("/arbeitsplatz/fachbereich/")
        assert response.status_code == 200

    samples = timed(queue, args.repeat)
    print(
        f"Fachbereichs-Warteschlange (1. Seite + Zähler): {summary(samples)}"
        "   Ziel: Median ≤ 50 ms, p95 ≤ 150 ms"
    )

    rng = random.Random(7)
    ids = list(Case.objects.filter(department=department).values_list("pk", flat=True)[:50_000])

    def detail() -> None:
        response = client.get(f"/arbeitsplatz/vorgaenge/{rng.choice(ids)}/")
        assert response.status_code == 200

    samples = timed(detail, args.repeat)
    print(
        f"Vorgangsansicht:                                {summary(samples)}   Ziel: Median ≤ 50 ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
