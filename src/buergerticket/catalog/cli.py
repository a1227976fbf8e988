"""``buergerticket load-catalog FILE``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from buergerticket.catalog.loader import CatalogError, load_catalog_file
from buergerticket.core.cli import print_json


def _load(args: argparse.Namespace) -> int:
    try:
        report = load_catalog_file(args.file)
    except CatalogError as exc:
        print(f"Der Katalog wurde nicht geladen ({len(exc.problems)} Fehler):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    if args.json:
        print_json(report.as_dict())
    elif report.changed:
        parts = [f"{n} {k} neu" for k, n in report.created.items()]
        parts += [f"{n} {k} geändert" for k, n in report.updated.items()]
        print("Katalog geladen: " + ", ".join(parts) + ".")
    else:
        print("Katalog geladen: keine Änderungen.")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("load-catalog", help="Leistungskatalog (YAML) laden")
    parser.add_argument("file")
    parser.add_argument("--json", action="store_true", help="Bericht als JSON ausgeben")
    parser.set_defaults(handler=_load)
