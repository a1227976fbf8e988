"""The ``buergerticket`` command.

Each app contributes its commands in an optional ``<app>/cli.py`` with a
``register(subparsers)`` function; this module only finds and dispatches them.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["demo"]:
        # The demo is a development installation by definition.
        os.environ.setdefault("BUERGERTICKET_MODE", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buergerticket.settings")

    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"Fehler in der Konfiguration: {exc}", file=sys.stderr)
        return 2

    from django.apps import apps

    from buergerticket.core.cli import UsageError, build_parser

    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("buergerticket."):
            try:
                modules.append(importlib.import_module(f"{config.name}.cli"))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.cli":
                    raise
    parser = build_parser(modules)
    args = parser.parse_args(args_list)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except UsageError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 2
