"""CLI plumbing shared by the apps' commands, and the process commands (serve, worker, manage)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterable
from types import ModuleType
from typing import Any, NoReturn

from django.core.management import call_command


class UsageError(Exception):
    """Wrong input on the command line: printed in German, exit status 2, nothing written."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"Fehler: {message}\n")


def group(subparsers: Any, name: str, help: str) -> Any:
    """The sub-command group ``name`` (e.g. ``case``), shared by several apps."""
    # Kept on the subparsers object itself: a registry keyed by id() handed a
    # stale group to a new parser when Python reused the id of a freed one
    # (several CLI runs in one process, as in the tests).
    groups: dict[str, Any] = subparsers.__dict__.setdefault("_bt_groups", {})
    if name not in groups:
        parser = subparsers.add_parser(name, help=help)
        groups[name] = parser.add_subparsers(title="Befehle", metavar="BEFEHL")
    return groups[name]


def build_parser(modules: Iterable[ModuleType]) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="buergerticket",
        description="Bürgerticket – Vorgangsbearbeitung für Kommunen und Stadtwerke",
    )
    subparsers = parser.add_subparsers(title="Befehle", metavar="BEFEHL", parser_class=_Parser)
    for module in modules:
        module.register(subparsers)
    return parser


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def parse_date(value: str, what: str = "Datum") -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{what} „{value}“ ist kein Datum im Format JJJJ-MM-TT.") from None


def organisation(slug: str) -> Any:
    from buergerticket.org.models import Organisation

    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "keine"
        raise UsageError(f"Organisation „{slug}“ gibt es nicht (vorhanden: {known}).") from None


def staff_member(org: Any, username: str) -> Any:
    from buergerticket.org.models import Staff

    try:
        return Staff.objects.select_related("user", "department", "organisation").get(
            organisation=org, user__username=username
        )
    except Staff.DoesNotExist:
        raise UsageError(f"Mitarbeiter:in „{username}“ gibt es in {org.slug} nicht.") from None


# --- process commands -----------------------------------------------------


def _worker(args: argparse.Namespace) -> int:
    from buergerticket.core.worker import Worker

    Worker().run_forever()
    return 0


def _serve(args: argparse.Namespace) -> int:
    from buergerticket.core.server import serve

    serve(host=args.host, port=args.port, workers=args.workers)
    return 0


def _manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["buergerticket manage", *args.arguments])
    return 0


def _migrate(args: argparse.Namespace) -> int:
    call_command("migrate", interactive=False, verbosity=1)
    call_command("createcachetable", verbosity=0)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from buergerticket.demo.runner import run

    return run(host=args.host, port=args.port, cases=args.cases)


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser("demo", help="Demo mit Musterstadt-Daten starten (SQLite)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--cases", type=int, default=300, help="Anzahl Demo-Vorgänge")
    demo.set_defaults(handler=_demo)
    serve = subparsers.add_parser("serve", help="Webserver starten")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=0, help="Anzahl Prozesse (Standard: 2 je CPU-Kern)"
    )
    serve.set_defaults(handler=_serve)
    worker = subparsers.add_parser("worker", help="Hintergrundverarbeitung starten")
    worker.set_defaults(handler=_worker)
    migrate = subparsers.add_parser("migrate", help="Datenbank anlegen oder aktualisieren")
    migrate.set_defaults(handler=_migrate)
    manage = subparsers.add_parser("manage", help="Django-Verwaltungsbefehl ausführen")
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=_manage)
