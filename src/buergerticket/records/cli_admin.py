"""``buergerticket disposal …``, ``privacy …`` and ``records read-log``."""

from __future__ import annotations

import argparse
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


def _run(org: Any, run_id: int) -> Any:
    from buergerticket.records.models import DisposalRun

    try:
        return DisposalRun.objects.get(organisation=org, pk=run_id)
    except DisposalRun.DoesNotExist:
        raise UsageError(f"Aussonderung Nr. {run_id} gibt es in {org.slug} nicht.") from None


def _run_dict(run: Any) -> dict[str, Any]:
    return {
        "run": run.pk,
        "status": run.status,
        "as_of": run.as_of.isoformat(),
        "approved_by": run.approved_by_label or None,
        "items": [
            {
                "file_number": item.file_number,
                "closed_at": item.closed_at.date().isoformat(),
                "retention_until": item.retention_until.isoformat(),
                "action": item.action,
                "status": item.status,
                "note": item.note,
            }
            for item in run.items.all()
        ],
    }


def _disposal_plan(args: argparse.Namespace) -> int:
    from buergerticket.records.services import disposal

    org = organisation(args.org)
    as_of = parse_date(args.as_of, "Stichtag") if args.as_of else None
    try:
        run = disposal.plan(org, as_of=as_of)
    except disposal.DisposalError as exc:
        raise UsageError(str(exc)) from None
    if run is None:
        print_json({"run": None, "items": []})
    else:
        print_json(_run_dict(run))
    return 0


def _disposal_show(args: argparse.Namespace) -> int:
    print_json(_run_dict(_run(organisation(args.org), args.run)))
    return 0


def _disposal_exclude(args: argparse.Namespace) -> int:
    from buergerticket.records.services import disposal

    org = organisation(args.org)
    run = _run(org, args.run)
    item = run.items.filter(file_number=args.file_number).first()
    if item is None:
        raise UsageError(f"{args.file_number} steht nicht auf der Liste Nr. {run.pk}.")
    try:
        disposal.set_excluded(
            item, staff=staff_member(org, args.by), excluded=True, note=args.reason
        )
    except disposal.DisposalError as exc:
        raise UsageError(str(exc)) from None
    print_json(_run_dict(run))
    return 0


def _disposal_approve(args: argparse.Namespace) -> int:
    from buergerticket.records.services import disposal

    org = organisation(args.org)
    run = _run(org, args.run)
    try:
        run = disposal.approve(run, staff=staff_member(org, args.by))
        report = disposal.execute(run, convert=not args.no_pdfa) if args.execute else None
    except disposal.DisposalError as exc:
        raise UsageError(str(exc)) from None
    data = _run_dict(run)
    if report is not None:
        data.update(done=report.done, failed=report.failed, skipped=report.skipped)
    print_json(data)
    return 0


def _disposal_execute(args: argparse.Namespace) -> int:
    from buergerticket.records.services import disposal

    org = organisation(args.org)
    try:
        report = disposal.execute(_run(org, args.run), convert=not args.no_pdfa)
    except disposal.DisposalError as exc:
        raise UsageError(str(exc)) from None
    print_json({"done": report.done, "failed": report.failed, "skipped": report.skipped})
    return 0 if not report.failed else 1


def _person(args: argparse.Namespace, org: Any) -> Any:
    from buergerticket.org.models import User
    from buergerticket.records.services.privacy import Person

    account = None
    if args.account:
        account = User.objects.filter(username=args.account).first()
        if account is None:
            raise UsageError(f"Konto „{args.account}“ gibt es nicht.")
    person = Person(
        email=args.email or "", name=args.name or "", phone=args.phone or "", account=account
    )
    if not (person.email or person.name or person.phone or person.account):
        raise UsageError("Bitte --email, --name, --phone oder --account angeben.")
    return person


def _privacy_erase(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from buergerticket.records.services import privacy

    org = organisation(args.org)
    person = _person(args, org)
    try:
        if args.dry_run:
            print_json([asdict(o) for o in privacy.plan(org, person, args.mode)])
            return 0
        request = privacy.erase(
            org, person, mode=args.mode, staff=staff_member(org, args.by), reference=args.reference
        )
    except privacy.PrivacyError as exc:
        raise UsageError(str(exc)) from None
    print_json({"request": request.pk, "kind": request.kind, "outcomes": request.outcomes})
    return 0


def _privacy_export(args: argparse.Namespace) -> int:
    from buergerticket.records.services import privacy

    org = organisation(args.org)
    person = _person(args, org)
    out = Path(args.out)
    if out.exists():
        raise UsageError(f"{out} gibt es schon.")
    try:
        data, request = privacy.access_export(
            org, person, staff=staff_member(org, args.by), reference=args.reference
        )
    except privacy.PrivacyError as exc:
        raise UsageError(str(exc)) from None
    out.write_bytes(data)
    print_json({"request": request.pk, "cases": len(request.outcomes), "file": str(out)})
    return 0


def _privacy_rule(args: argparse.Namespace) -> int:
    from buergerticket.catalog.models import Service
    from buergerticket.records.services import privacy

    org = organisation(args.org)
    service = Service.objects.filter(organisation=org, code=args.service).first()
    if service is None:
        raise UsageError(f"Leistung „{args.service}“ gibt es in {org.slug} nicht.")
    if args.days is None and not args.off:
        raise UsageError("Bitte --days N oder --off angeben.")
    try:
        rule = privacy.set_rule(service, None if args.off else args.days)
    except privacy.PrivacyError as exc:
        raise UsageError(str(exc)) from None
    print_json(
        {
            "service": service.code,
            "anonymise_after_days": rule.anonymise_after_days if rule else None,
        }
    )
    return 0


def _privacy_due(args: argparse.Namespace) -> int:
    from buergerticket.records.services.privacy import anonymise_due

    print_json({"anonymised": anonymise_due()})
    return 0


def _read_log(args: argparse.Namespace) -> int:
    from buergerticket.records.selectors import read_log

    org = organisation(args.org)
    rows = read_log(
        org,
        file_number=args.case or "",
        reader=args.user or "",
        start=parse_date(args.date_from) if args.date_from else None,
        end=parse_date(args.date_to) if args.date_to else None,
    )[: args.limit]
    print_json(
        [
            {
                "at": row.at.isoformat(),
                "reader": row.reader,
                "file_number": row.file_number,
                "document": row.document_name or None,
                "channel": row.channel,
            }
            for row in rows
        ]
    )
    return 0


def register(subparsers: Any) -> None:
    disposal = group(subparsers, "disposal", "Aussonderung nach Ablauf der Aufbewahrungsfrist")
    p = disposal.add_parser("plan", help="fällige Vorgänge zur Freigabe auflisten")
    p.add_argument("--org", required=True)
    p.add_argument("--as-of", help="Stichtag (JJJJ-MM-TT, Standard: heute)")
    p.set_defaults(handler=_disposal_plan)
    p = disposal.add_parser("show", help="Aussonderungsliste anzeigen")
    p.add_argument("run", type=int)
    p.add_argument("--org", required=True)
    p.set_defaults(handler=_disposal_show)
    p = disposal.add_parser("exclude", help="Vorgang von der Liste nehmen")
    p.add_argument("run", type=int)
    p.add_argument("file_number")
    p.add_argument("--org", required=True)
    p.add_argument("--by", required=True, help="Administrator:in (Benutzername)")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=_disposal_exclude)
    p = disposal.add_parser("approve", help="Liste freigeben (Administration)")
    p.add_argument("run", type=int)
    p.add_argument("--org", required=True)
    p.add_argument("--by", required=True, help="Administrator:in (Benutzername)")
    p.add_argument("--execute", action="store_true", help="sofort durchführen statt im Worker")
    p.add_argument("--no-pdfa", action="store_true")
    p.set_defaults(handler=_disposal_approve)
    p = disposal.add_parser("execute", help="freigegebene Liste durchführen")
    p.add_argument("run", type=int)
    p.add_argument("--org", required=True)
    p.add_argument("--no-pdfa", action="store_true")
    p.set_defaults(handler=_disposal_execute)

    privacy = group(subparsers, "privacy", "Datenschutz: Auskunft, Löschung, Anonymisierung")
    for name, handler, help_text in (
        ("erase", _privacy_erase, "Daten einer Person löschen oder anonymisieren"),
        ("export", _privacy_export, "Auskunft nach Art. 15 DSGVO als ZIP"),
    ):
        p = privacy.add_parser(name, help=help_text)
        p.add_argument("--org", required=True)
        p.add_argument("--email")
        p.add_argument("--name")
        p.add_argument("--phone")
        p.add_argument("--account", help="Bürgerkonto (Benutzername)")
        p.add_argument("--by", required=True, help="Datenschutz oder Administration (Benutzername)")
        p.add_argument("--reference", required=True, help="Bezug, z. B. Aktenzeichen des Antrags")
        if name == "erase":
            p.add_argument("--mode", choices=["anonymise", "erase"], default="anonymise")
            p.add_argument("--dry-run", action="store_true", help="nur anzeigen, was geschähe")
        else:
            p.add_argument("out")
        p.set_defaults(handler=handler)
    p = privacy.add_parser("rule", help="automatische Anonymisierung je Leistung")
    p.add_argument("--org", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--days", type=int)
    p.add_argument("--off", action="store_true")
    p.set_defaults(handler=_privacy_rule)
    p = privacy.add_parser("anonymise-due", help="fällige automatische Anonymisierungen ausführen")
    p.set_defaults(handler=_privacy_due)

    records = group(subparsers, "records", "Suchindex und Texterkennung")
    p = records.add_parser("read-log", help="Zugriffsprotokoll anzeigen")
    p.add_argument("--org", required=True)
    p.add_argument("--case", help="Aktenzeichen")
    p.add_argument("--user", help="Person (Benutzername oder Name)")
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.add_argument("--limit", type=int, default=200)
    p.set_defaults(handler=_read_log)
