"""``buergerticket ingest-mail`` and ``buergerticket mail …`` (fetch, listen, keys)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import InterfaceError, OperationalError

from buergerticket.core.cli import UsageError, group, organisation, print_json

# sysexits.h: a mail transfer agent piping into us retries later on 75.
EX_TEMPFAIL = 75


def _files(paths: list[str]) -> Iterator[Path]:
    """The mail files named: .eml files, Maildirs (oldest first) or folders of .eml."""
    for name in paths:
        path = Path(name)
        if not path.is_dir():
            yield path
        elif (path / "cur").is_dir() or (path / "new").is_dir():
            # Maildir names start with the delivery time: oldest first, across new/ and cur/.
            found = [
                f for sub in ("new", "cur") if (path / sub).is_dir() for f in (path / sub).iterdir()
            ]
            yield from (f for f in sorted(found, key=lambda f: f.name) if f.is_file())
        else:
            yield from (f for f in sorted(path.glob("*.eml")) if f.is_file())


def _messages(paths: list[str]) -> Iterator[tuple[str, bytes]]:
    for name in paths:
        if name == "-":
            yield "-", sys.stdin.buffer.read()
        else:
            for file in _files([name]):
                yield str(file), file.read_bytes()


def _check_paths(paths: list[str]) -> None:
    for name in paths:
        if name == "-":
            continue
        path = Path(name)
        if not path.exists():
            raise UsageError(f"„{name}“ gibt es nicht.")
        if path.is_file():
            try:
                with path.open("rb"):
                    pass
            except OSError as exc:
                raise UsageError(f"„{name}“ ist nicht lesbar: {exc.strerror}.") from None


def _ingest_mail(args: argparse.Namespace) -> int:
    from buergerticket.intake.mail import batch

    org = organisation(args.org)
    _check_paths(args.paths)
    if args.jobs < 1:
        raise UsageError("--jobs muss mindestens 1 sein.")
    if args.jobs > 1:
        if "-" in args.paths:
            raise UsageError("Die Standardeingabe (-) geht nur mit --jobs 1.")
        files = [(str(f), str(f)) for f in _files(args.paths)]
        healthy = batch.ingest_files(org, files, jobs=args.jobs, emit=_print_line)
        return 0 if healthy else EX_TEMPFAIL
    try:
        batch.ingest_sequence(org, _messages(args.paths), emit=_print_line)
    except (OperationalError, InterfaceError) as exc:
        _print_line({"result": "error", "reason": "database", "detail": str(exc)})
        return EX_TEMPFAIL
    return 0


def _print_line(line: dict[str, Any]) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


def _fetch(args: argparse.Namespace) -> int:
    from buergerticket.intake.mail import fetcher
    from buergerticket.intake.models import Mailbox

    mailboxes = Mailbox.objects.select_related("organisation").filter(enabled=True)
    if args.org:
        mailboxes = mailboxes.filter(organisation=organisation(args.org))
    if args.mailbox:
        mailboxes = mailboxes.filter(pk=args.mailbox)
        if not mailboxes.exists():
            raise UsageError(f"Ein aktives Postfach {args.mailbox} gibt es nicht.")
    status = 0
    for mailbox in mailboxes:
        stats = fetcher.poll(mailbox, limit=args.limit)
        print(
            json.dumps({"mailbox": mailbox.pk, "address": mailbox.address, **stats.as_dict()}),
            flush=True,
        )
        if stats.error:
            status = EX_TEMPFAIL
    return status


def _listen(args: argparse.Namespace) -> int:
    from buergerticket.intake.mail import listener

    listener.serve(host=args.host, port=args.port, lmtp=not args.smtp)
    return 0


def _generate_key(args: argparse.Namespace) -> int:
    from buergerticket.intake.mail import secrets

    print(secrets.generate_key())
    return 0


def _set_secret(args: argparse.Namespace) -> int:
    from buergerticket.intake.mail import secrets
    from buergerticket.intake.models import Mailbox

    mailbox = Mailbox.objects.filter(pk=args.mailbox).first()
    if mailbox is None:
        raise UsageError(f"Postfach {args.mailbox} gibt es nicht.")
    try:
        if args.env:
            value = secrets.env_reference(args.env)
        else:
            value = secrets.encrypt(sys.stdin.readline().rstrip("\n"))
    except secrets.SecretError as exc:
        raise UsageError(str(exc)) from None
    Mailbox.objects.filter(pk=mailbox.pk).update(secret=value)
    print(f"Zugangsdaten für Postfach {mailbox.pk} ({mailbox.address}) gespeichert.")
    return 0


def _rotate_secrets(args: argparse.Namespace) -> int:
    from buergerticket.intake.mail import secrets
    from buergerticket.intake.models import Mailbox

    count = 0
    try:
        for mailbox in Mailbox.objects.filter(secret__startswith="fernet:"):  # noqa: S106
            Mailbox.objects.filter(pk=mailbox.pk).update(secret=secrets.rotate(mailbox.secret))
            count += 1
    except secrets.SecretError as exc:
        raise UsageError(str(exc)) from None
    print(f"{count} gespeicherte Zugangsdaten mit dem neuesten Schlüssel verschlüsselt.")
    return 0


def _mailboxes(args: argparse.Namespace) -> int:
    from buergerticket.intake import selectors

    org = organisation(args.org)
    print_json(selectors.mailbox_overview(org))
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "ingest-mail",
        help="E-Mails (.eml-Dateien, Maildir oder - für die Standardeingabe) übernehmen",
        description="Übernimmt E-Mails auf demselben Weg wie IMAP und der LMTP-Empfang und "
        "gibt je Nachricht eine JSON-Zeile aus. Exit-Status 0: alle verarbeitet "
        "(Quarantäne zählt als verarbeitet); 75: später erneut versuchen.",
    )
    p.add_argument("--org", required=True, help="Kennung der Organisation")
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="so viele Prozesse parallel (Nachrichten eines Absenders bleiben in Reihenfolge)",
    )
    p.add_argument("paths", nargs="+", metavar="PFAD")
    p.set_defaults(handler=_ingest_mail)

    mail = group(subparsers, "mail", "E-Mail-Eingang: Abruf, Empfang, Zugangsdaten")
    p = mail.add_parser("fetch", help="Sammelpostfächer jetzt einmal abrufen (IMAP)")
    p.add_argument("--org")
    p.add_argument("--mailbox", type=int, help="nur dieses Postfach (ID)")
    p.add_argument("--limit", type=int, default=10_000, help="höchstens so viele Nachrichten")
    p.set_defaults(handler=_fetch)
    p = mail.add_parser("listen", help="LMTP-/SMTP-Empfang für den Mailserver starten")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2424)
    p.add_argument("--smtp", action="store_true", help="SMTP statt LMTP sprechen")
    p.set_defaults(handler=_listen)
    p = mail.add_parser("mailboxes", help="Sammelpostfächer und ihren Abrufstand anzeigen")
    p.add_argument("--org", required=True)
    p.set_defaults(handler=_mailboxes)
    p = mail.add_parser("generate-key", help="Schlüssel für BUERGERTICKET_SECRETS_KEYS erzeugen")
    p.set_defaults(handler=_generate_key)
    p = mail.add_parser(
        "rotate-secrets",
        help="gespeicherte Zugangsdaten mit dem ersten Schlüssel neu verschlüsseln",
    )
    p.set_defaults(handler=_rotate_secrets)
    p = mail.add_parser("set-secret", help="Passwort oder Client-Secret eines Postfachs setzen")
    p.add_argument("--mailbox", type=int, required=True)
    p.add_argument(
        "--env", help="aus dieser Umgebungsvariable lesen statt verschlüsselt zu speichern"
    )
    p.set_defaults(handler=_set_secret)
