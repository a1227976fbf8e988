"""``buergerticket case …`` and ``buergerticket staff …``."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from buergerticket.cases import selectors, services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Channel, Status
from buergerticket.catalog.models import Service
from buergerticket.core.cli import (
    UsageError,
    group,
    organisation,
    parse_date,
    print_json,
    staff_member,
)
from buergerticket.intake import pipeline


def _open(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    try:
        service = Service.objects.select_related("owner", "department", "file_plan").get(
            organisation=org, code=args.service
        )
    except Service.DoesNotExist:
        raise UsageError(f"Leistung „{args.service}“ gibt es in {org.slug} nicht.") from None
    if args.channel not in Channel.values:
        raise UsageError(
            f"Unbekannter Kanal „{args.channel}“ (erlaubt: {', '.join(Channel.values)})."
        )
    if args.requester_email:
        try:
            validate_email(args.requester_email)
        except ValidationError:
            raise UsageError(
                f"„{args.requester_email}“ ist keine gültige E-Mail-Adresse."
            ) from None
    actor = Actor.system("Kommandozeile")
    if args.user:
        actor = Actor.for_staff(staff_member(org, args.user))
    draft = pipeline.Draft(
        organisation=org,
        service=service,
        channel=args.channel,
        subject=args.subject,
        text=args.text,
        requester=services.Requester(
            name=args.requester_name or "", email=args.requester_email or ""
        ),
    )
    try:
        case = pipeline.submit(draft, actor=actor).case
    except services.CaseError as exc:
        raise UsageError(str(exc)) from None
    print_json(selectors.case_as_dict(selectors.case_by_file_number(org, case.file_number)))
    return 0


def _show(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    try:
        case = selectors.case_by_file_number(org, args.file_number)
    except Case.DoesNotExist:
        raise UsageError(f"Vorgang „{args.file_number}“ gibt es in {org.slug} nicht.") from None
    data = selectors.case_as_dict(case)
    if args.json:
        print_json(data)
    else:
        print(f"{data['file_number']}  {data['subject']}")
        print(
            f"  Status {data['status']}, zuständig {data['owner']} ({data['department']}), "
            f"Frist {data['deadline']}"
        )
        for event in data["events"]:
            print(f"  {event['at'][:16]}  {event['type']:<20} {event['actor']}")
    return 0


def _list(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    cases = Case.objects.filter(organisation=org).select_related(
        "organisation", "service", "department", "owner", "regular_owner"
    )
    if args.status:
        if args.status not in Status.values:
            raise UsageError(
                f"Unbekannter Status „{args.status}“ (erlaubt: {', '.join(Status.values)})."
            )
        cases = cases.filter(status=args.status)
    if args.owner:
        cases = cases.filter(owner=staff_member(org, args.owner))
    rows = [
        selectors.case_as_dict(c, with_events=False)
        for c in cases.order_by("-created_at")[: args.limit]
    ]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print(
                f"{row['file_number']:<28} {row['status']:<15} {row['owner']:<12} "
                f"{row['deadline']}  {row['subject'][:50]}"
            )
    return 0


def _absent(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    person = staff_member(org, args.username)
    start, end = parse_date(args.start, "Beginn"), parse_date(args.end, "Ende")
    actor = staff_member(org, args.by) if args.by else None
    try:
        absence = services.record_absence(
            staff=person, start=start, end=end, actor=actor, note=args.note or ""
        )
    except (services.CaseError, services.CasePermissionDenied) as exc:
        raise UsageError(str(exc)) from None
    deputy = person.deputy.user.username if person.deputy else None
    print_json(
        {
            "staff": person.user.username,
            "from": absence.start.isoformat(),
            "to": absence.end.isoformat(),
            "deputy": deputy,
        }
    )
    return 0


def _set_password(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    person = staff_member(org, args.username)
    password = sys.stdin.readline().rstrip("\n") if args.stdin else getpass.getpass("Passwort: ")
    try:
        validate_password(password, person.user)
    except ValidationError as exc:
        raise UsageError(" ".join(exc.messages)) from None
    person.user.set_password(password)
    person.user.save(update_fields=["password"])
    print(f"Passwort für {person.user.username} gesetzt.")
    return 0


def register(subparsers: Any) -> None:
    case = group(subparsers, "case", "Vorgänge anlegen und anzeigen")
    p = case.add_parser("open", help="Vorgang anlegen (gibt ihn als JSON aus)")
    p.add_argument("--org", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--channel", required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--text", required=True)
    p.add_argument("--requester-name")
    p.add_argument("--requester-email")
    p.add_argument("--user", help="als diese:r Mitarbeiter:in erfassen")
    p.set_defaults(handler=_open)
    p = case.add_parser("show", help="Vorgang mit Verlauf anzeigen")
    p.add_argument("file_number")
    p.add_argument("--org", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_show)
    p = case.add_parser("list", help="Vorgänge auflisten")
    p.add_argument("--org", required=True)
    p.add_argument("--status")
    p.add_argument("--owner")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list)

    staff = group(subparsers, "staff", "Mitarbeitende verwalten")
    p = staff.add_parser("absent", help="Abwesenheit eintragen")
    p.add_argument("username")
    p.add_argument("--org", required=True)
    p.add_argument("--from", dest="start", required=True)
    p.add_argument("--to", dest="end", required=True)
    p.add_argument("--note")
    p.add_argument("--by", help="eingetragen von (Leitung oder Administration)")
    p.set_defaults(handler=_absent)
    p = staff.add_parser("set-password", help="Passwort setzen")
    p.add_argument("username")
    p.add_argument("--org", required=True)
    p.add_argument("--stdin", action="store_true", help="Passwort von der Standardeingabe lesen")
    p.set_defaults(handler=_set_password)
