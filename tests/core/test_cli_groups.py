"""Command groups shared by several apps (``core.cli.group``)."""

import gc

from buergerticket.core.cli import build_parser, group


class _App:
    """A stand-in app module contributing to the shared group ``case``."""

    def __init__(self, command):
        self.command = command

    def register(self, subparsers):
        group(subparsers, "case", "Vorgänge").add_parser(self.command)


def test_groups_are_per_parser_even_when_ids_are_reused():
    for _ in range(300):  # freed parsers' ids get reused; each build must start clean
        parser = build_parser([_App("open"), _App("show")])
        args = parser.parse_args(["case", "show"])
        assert args is not None
        del parser
        gc.collect(1)  # free the parser (argparse keeps cycles) so its id can recur
