"""``buergerticket dashboard rebuild``: recompute the dashboard's read model from the cases."""

from __future__ import annotations

import argparse
import time
from typing import Any

from buergerticket.core.cli import group, organisation


def _rebuild(args: argparse.Namespace) -> int:
    from buergerticket.workspace.dashboard.projection import rebuild

    org = organisation(args.org) if args.org else None
    started = time.perf_counter()
    count = rebuild(org.pk if org else None)
    print(f"{count} Vorgänge übernommen in {time.perf_counter() - started:.1f} s.")
    return 0


def register(subparsers: Any) -> None:
    dashboard = group(subparsers, "dashboard", "Verwaltungssteuerung")
    rebuild = dashboard.add_parser(
        "rebuild",
        help="Kennzahlen-Tabelle aus den Vorgängen neu aufbauen (nach Datenimport ohne Schreibweg)",
    )
    rebuild.add_argument("--org", help="nur diese Organisation")
    rebuild.set_defaults(handler=_rebuild)
