"""``buergerticket search``, ``audit verify``, ``case export``, ``records …``,
``disposal …`` and ``privacy …``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from buergerticket.core.cli import (
    UsageError,
    group,
    organisation,
    parse_date,
    print_json,
    staff_member,
)


def _service_ids(org: Any, codes: list[str]) -> tuple[int, ...]:
    from buergerticket.catalog.models import Service

    ids = []
    for code in codes:
        try:
            ids.append(Service.objects.get(organisation=org, code=code).pk)
        except Service.DoesNotExist:
            raise UsageError(f"Leistung „{code}“ gibt es in {org.slug} nicht.") from None
    return tuple(ids)


def _search(args: argparse.Namespace) -> int:
    from buergerticket.cases.models import Status
    from buergerticket.org.models import Department
    from buergerticket.records.search.engine import Filters, search

    org = organisation(args.org)
    staff = staff_member(org, args.user) if args.user else None
    if args.status and args.status not in ("open", "closed", *Status.values):
        allowed = ", ".join(("open", "closed", *Status.values))
        raise UsageError(f"Unbekannter Status „{args.status}“ (erlaubt: {allowed}).")
    department = None
    if args.department:
        department = Department.objects.filter(organisation=org, code=args.department).first()
        if department is None:
            raise UsageError(f"Fachbereich „{args.department}“ gibt es in {org.slug} nicht.")
    filters = Filters(
        services=_service_ids(org, args.service or []),
        department=department.pk if department else None,
        status=args.status or "",
        owner=staff_member(org, args.owner).pk if args.owner else None,
        created_from=parse_date(args.date_from, "Von-Datum") if args.date_from else None,
        created_to=parse_date(args.date_to, "Bis-Datum") if args.date_to else None,
    )
    text = " ".join(args.query)
    results = search(
        organisation=org,
        staff=staff,
        text=text,
        filters=filters,
        page=args.page,
        page_size=args.limit,
        sort=args.sort,
    )
    rows: list[dict[str, Any]] = [
        {
            "file_number": hit.case.file_number,
            "exact": hit.exact,
            "subject": hit.case.subject,
            "service": hit.case.service.code,
            "department": hit.case.department.code,
            "status": hit.case.status,
            "owner": hit.case.owner.username,
            "created_at": hit.case.created_at.isoformat(),
            "snippet": hit.snippet.text if hit.snippet else "",
            "found_in": str(hit.snippet.source) if hit.snippet else "",
        }
        for hit in results.hits
    ]
    if args.json:
        print_json(
            {
                "query": text,
                "total": results.total,
                "more": results.capped,
                "page": results.page,
                "hits": rows,
            }
        )
    else:
        for row in rows:
            print(f"{row['file_number']:<28} {row['status']:<15} {row['subject'][:60]}")
            if row["snippet"]:
                print(f"    {row['snippet'][:150]}")
        print(f"{results.total}{'+' if results.capped else ''} Treffer")
    return 0


def _reindex(args: argparse.Namespace) -> int:
    from buergerticket.records.search.indexer import reindex

    org = organisation(args.org) if args.org else None
    count = reindex(organisation_id=org.pk if org else None)
    print(f"{count} Vorgänge indexiert.")
    return 0


def _extract(args: argparse.Namespace) -> int:
    from buergerticket.records.extraction import extract_pending

    total = 0
    while True:
        done = extract_pending(limit=200)
        total += done
        if done < 200 or not args.all:
            break
    print(f"{total} Dokumente verarbeitet.")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from buergerticket.records.audit import verify

    org = organisation(args.org) if args.org else None

    def progress(count: int) -> None:
        if count % 50_000 == 0:
            print(f"… {count} Vorgänge geprüft", file=sys.stderr)

    report = verify(org, progress=progress)
    problems = report.problems or []
    if args.json:
        print_json(
            {
                "intact": report.intact,
                "cases": report.cases,
                "events": report.events,
                "disposal_records": report.disposal_records,
                "problems": [
                    {
                        "organisation": p.organisation,
                        "file_number": p.file_number,
                        "problem": p.message,
                    }
                    for p in problems
                ],
            }
        )
    else:
        for problem in problems:
            print(f"VERLETZT {problem}")
        state = "intakt" if report.intact else f"{len(problems)} Fehler"
        print(
            f"{report.cases} Vorgänge, {report.events} Ereignisse, "
            f"{report.disposal_records} Aussonderungsnachweise geprüft: {state}."
        )
    return 0 if report.intact else 1


def _export(args: argparse.Namespace) -> int:
    from buergerticket.cases import selectors
    from buergerticket.cases.models import Case
    from buergerticket.records.export.package import build

    org = organisation(args.org)
    try:
        case = selectors.case_by_file_number(org, args.file_number)
    except Case.DoesNotExist:
        raise UsageError(f"Vorgang „{args.file_number}“ gibt es in {org.slug} nicht.") from None
    out = Path(args.out)
    if out.exists() and not args.force:
        raise UsageError(f"{out} gibt es schon (--force überschreibt).")
    if not out.parent.exists():
        raise UsageError(f"Das Verzeichnis {out.parent} gibt es nicht.")
    package = build(case, convert=not args.no_pdfa)
    out.write_bytes(package.data)
    print_json(
        {
            "file_number": case.file_number,
            "package": str(out),
            "sha256": package.sha256,
            "files": len(package.files),
            "pdfa": package.pdfa,
        }
    )
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("search", help="Volltextsuche in Vorgängen")
    p.add_argument("query", nargs="+", help='Suchbegriffe ("Phrase", wort*, -ohne, a ODER b)')
    p.add_argument("--org", required=True)
    p.add_argument("--user", help="mit den Rechten dieser Person suchen")
    p.add_argument("--status", help="open, closed oder ein Status")
    p.add_argument("--service", action="append", help="Leistung (mehrfach möglich)")
    p.add_argument("--department", help="Fachbereich (Kürzel)")
    p.add_argument("--owner", help="zuständige Person (Benutzername)")
    p.add_argument("--from", dest="date_from", help="Eingang ab (JJJJ-MM-TT)")
    p.add_argument("--to", dest="date_to", help="Eingang bis (JJJJ-MM-TT)")
    p.add_argument("--sort", choices=["relevanz", "neueste"], default="relevanz")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_search)

    audit = group(subparsers, "audit", "Prüfungen der Revisionssicherheit")
    p = audit.add_parser("verify", help="Hash-Ketten aller Historien prüfen (Exit 1 bei Fehlern)")
    p.add_argument("--org")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_verify)

    case = group(subparsers, "case", "Vorgänge anlegen und anzeigen")
    p = case.add_parser("export", help="Archivpaket (XDOMEA-Struktur, ZIP) schreiben")
    p.add_argument("file_number")
    p.add_argument("out", help="Zieldatei (.zip)")
    p.add_argument("--org", required=True)
    p.add_argument("--no-pdfa", action="store_true", help="ohne PDF/A-Umwandlung")
    p.add_argument("--force", action="store_true", help="vorhandene Datei überschreiben")
    p.set_defaults(handler=_export)

    records = group(subparsers, "records", "Suchindex und Texterkennung")
    p = records.add_parser("reindex", help="Suchindex neu aufbauen")
    p.add_argument("--org")
    p.set_defaults(handler=_reindex)
    p = records.add_parser("extract-text", help="Text aus neuen Anhängen erkennen")
    p.add_argument("--all", action="store_true", help="bis alle verarbeitet sind")
    p.set_defaults(handler=_extract)

    from buergerticket.records import cli_admin

    cli_admin.register(subparsers)
