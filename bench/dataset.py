"""Generate a realistic dataset of N cases (default 1,000,000) for the benchmarks.

    python bench/dataset.py [--cases N] [--home DIR]

Builds ``DIR/buergerticket.sqlite3`` (or uses ``DATABASE_URL``), loads the demo
catalog for both organisations and bulk-inserts cases spread over three years
with their history (hash-chained exactly like the write path, so
``audit verify`` holds), the initial message, and file-number sequences that
continue without gaps. Bulk SQL instead of the write path: the write path's own
speed is measured separately (bench/write_path.py); here we only need data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from dataset_history import events_for

ROOT = Path(__file__).resolve().parent.parent


def setup(home: Path) -> None:
    os.environ["BUERGERTICKET_MODE"] = "development"
    os.environ["BUERGERTICKET_HOME"] = str(home)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buergerticket.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


WORDS = [
    "bitte",
    "dringend",
    "seit",
    "Tagen",
    "gestern",
    "heute",
    "Nachbarn",
    "Kinder",
    "Schule",
    "Spielplatz",
    "Radweg",
    "Gehweg",
    "Ampel",
    "Kreuzung",
    "Bushaltestelle",
    "Parkplatz",
    "Grünfläche",
    "Baum",
    "Hecke",
    "Container",
    "Glas",
    "Papier",
    "Rechnung",
    "Vertrag",
    "Zähler",
    "Umzug",
    "Termin",
    "Antrag",
    "Bescheinigung",
    "Gebühr",
    "Formular",
    "Auskunft",
]


def generate(n: int, seed: int = 1) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from buergerticket.cases.history import event_hash
    from buergerticket.cases.models import Case, CaseEvent, FileNumberSequence, Status
    from buergerticket.catalog.deadlines import add_days
    from buergerticket.catalog.models import Service
    from buergerticket.demo.data import FIRST, LAST, REQUESTS, STREETS, load_demo_catalog
    from buergerticket.org.models import Staff

    load_demo_catalog()
    if Case.objects.exists():
        print(f"Datenbank enthält schon {Case.objects.count()} Vorgänge – nichts zu tun.")
        return
    rng = random.Random(seed)
    texts = REQUESTS
    services = list(
        Service.objects.select_related("organisation", "department", "owner", "file_plan").filter(
            code__in=texts
        )
    )
    members: dict[int, list[Staff]] = {}
    for person in Staff.objects.filter(active=True):
        if person.works_cases:
            members.setdefault(person.department_id, []).append(person)
    # Musterstadt gets three quarters of the cases, as a city has more requests.
    weights = [3.0 if s.organisation.slug == "musterstadt" else 2.0 for s in services]
    now = timezone.now()
    start = now - dt.timedelta(days=3 * 365)
    span = (now - start).total_seconds()
    sequences: dict[tuple[int, int], int] = {}
    deadline_cache: dict[tuple[dt.date, int, str, str], dt.date] = {}
    channels = ["portal", "email", "email", "email", "phone", "counter", "api", "open311"]

    case_cols = (
        "organisation_id, file_number, year, sequence, service_id, department_id, owner_id, "
        "channel, status, priority, subject, text, form_data, tags, requester_name, "
        "requester_email, requester_phone, requester_address, location_address, created_at, "
        "updated_at, decided_at, closed_at, closed_automatically, deadline, "
        "deadline_suspended_since, escalated_at, attention, legal_hold, version, "
        "last_event_seq, last_event_hash"
    )
    case_sql = (
        f"INSERT INTO cases_case ({case_cols}) VALUES "
        f"({', '.join(['%s'] * len(case_cols.split(',')))})"
    )
    event_sql = (
        "INSERT INTO cases_caseevent (case_id, organisation_id, seq, type, actor_kind, actor_id, "
        "actor_label, on_behalf_of_id, at, details, reason, prev_hash, hash) VALUES "
        "(%s, %s, %s, %s, %s, %s, %s, NULL, %s, %s, %s, %s, %s)"
    )
    message_sql = (
        "INSERT INTO cases_message (case_id, kind, channel, author_id, author_label, subject, "
        "body, body_html, created_at, message_id, in_reply_to, recipient, delivery_status, "
        "delivery_error) VALUES (%s, 'incoming', %s, NULL, %s, %s, %s, '', %s, '', '', '', '', '')"
    )
    import json

    batch = 20_000
    t0 = time.perf_counter()
    created = 0
    while created < n:
        size = min(batch, n - created)
        rows: list[tuple[Any, ...]] = []
        pending_events: list[list[CaseEvent]] = []
        pending_msgs: list[tuple[Any, ...]] = []
        stamps = sorted(start + dt.timedelta(seconds=rng.random() * span) for _ in range(size))
        for created_at in stamps:
            service = rng.choices(services, weights)[0]
            org = service.organisation
            year = created_at.year
            seq = sequences.get((org.pk, year), 0) + 1
            sequences[(org.pk, year)] = seq
            file_number = org.file_number_pattern.format(
                file_plan=service.file_plan.code,
                seq=seq,
                year=year,
                org=org.slug,
                department=service.department.code,
            )
            subject, body = rng.choice(texts[service.code])
            street, no = rng.choice(STREETS), rng.randint(1, 140)
            subject = subject.format(street=street, no=no)
            body = body.format(street=street, no=no) + " " + " ".join(rng.sample(WORDS, 6)) + "."
            first, last = rng.choice(FIRST), rng.choice(LAST)
            day = timezone.localdate(created_at)
            key = (day, service.deadline_days, service.deadline_unit, org.state)
            if key not in deadline_cache:
                deadline_cache[key] = add_days(
                    day, service.deadline_days, service.deadline_unit, org.state
                )
            deadline = deadline_cache[key]
            age_days = (now - created_at).days
            owner = service.owner
            if rng.random() < 0.15:
                owner = rng.choice(members.get(service.department_id, [owner]))
            # Older cases are almost all closed; the last weeks hold the open work.
            p_closed = 0.999 if age_days > 60 else (0.9 if age_days > 14 else 0.35)
            roll = rng.random()
            if roll < p_closed:
                status = Status.CLOSED
            elif roll < p_closed + (1 - p_closed) * 0.2:
                status = Status.WAITING
            elif roll < p_closed + (1 - p_closed) * 0.5:
                status = Status.NEW
            else:
                status = Status.IN_PROGRESS
            closed_at = (
                created_at + dt.timedelta(hours=rng.uniform(1, 24 * 20))
                if status == Status.CLOSED
                else None
            )
            if closed_at and closed_at > now:
                closed_at = now
            automated = (
                status == Status.CLOSED and service.code == "sw-abschlag" and rng.random() < 0.6
            )
            events = events_for(service, owner, created_at, closed_at, status, automated)
            prev = ""
            for i, event in enumerate(events, start=1):
                event.organisation_id = org.pk
                event.seq = i
                event.prev_hash = prev
                event.hash = event_hash(event, file_number)
                prev = event.hash
            rows.append(
                (
                    org.pk,
                    file_number,
                    year,
                    seq,
                    service.pk,
                    service.department_id,
                    owner.pk,
                    rng.choice(channels),
                    status,
                    rng.choice([2, 2, 2, 2, 1, 3, 4]),
                    subject,
                    body,
                    "{}",
                    "[]",
                    f"{first} {last}",
                    f"{first}.{last}{no}@example.org".lower(),
                    "",
                    f"{street} {no}, 12345 Musterstadt",
                    "",
                    created_at,
                    closed_at or created_at,
                    closed_at,
                    closed_at,
                    automated,
                    deadline,
                    day if status == Status.WAITING else None,
                    None,
                    "",
                    False,
                    len(events),
                    len(events),
                    prev,
                )
            )
            pending_events.append(events)
            pending_msgs.append(
                (rng.choice(channels), f"{first} {last}", subject, body, created_at)
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(case_sql, rows)
            org_numbers = [(r[0], r[1]) for r in rows]
            ids = _ids(cursor, org_numbers)
            event_rows = []
            msg_rows = []
            for (key, events), msg in zip(
                zip(org_numbers, pending_events, strict=True), pending_msgs, strict=True
            ):
                case_id = ids[key]
                for e in events:
                    event_rows.append(
                        (
                            case_id,
                            e.organisation_id,
                            e.seq,
                            e.type,
                            e.actor_kind,
                            e.actor_id,
                            e.actor_label,
                            e.at,
                            json.dumps(e.details, ensure_ascii=False),
                            e.reason,
                            e.prev_hash,
                            e.hash,
                        )
                    )
                msg_rows.append((case_id, *msg))
            cursor.executemany(event_sql, event_rows)
            cursor.executemany(message_sql, msg_rows)
        created += size
        rate = created / (time.perf_counter() - t0)
        print(f"  {created:>9,} Vorgänge ({rate:,.0f}/s)", flush=True)
    with transaction.atomic():
        for (org_id, year), last in sequences.items():
            FileNumberSequence.objects.update_or_create(
                organisation_id=org_id, year=year, defaults={"last_value": last}
            )
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")
    print(f"Fertig: {n:,} Vorgänge in {time.perf_counter() - t0:.0f} s.")


def _ids(cursor: Any, keys: list[tuple[int, str]]) -> dict[tuple[int, str], int]:
    ids: dict[tuple[int, str], int] = {}
    by_org: dict[int, list[str]] = {}
    for org_id, number in keys:
        by_org.setdefault(org_id, []).append(number)
    for org_id, numbers in by_org.items():
        for i in range(0, len(numbers), 500):
            chunk = numbers[i : i + 500]
            cursor.execute(
                "SELECT organisation_id, file_number, id FROM cases_case WHERE organisation_id = %s"
                f" AND file_number IN ({', '.join(['%s'] * len(chunk))})",
                [org_id, *chunk],
            )
            for o, f, pk in cursor.fetchall():
                ids[(o, f)] = pk
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument(
        "--home",
        default=str(ROOT / "var" / "bench-1m"),
        help="BUERGERTICKET_HOME of the dataset (SQLite file inside)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    home = Path(args.home)
    home.mkdir(parents=True, exist_ok=True)
    setup(home)
    generate(args.cases, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
