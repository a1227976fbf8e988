"""``buergerticket portal check`` (configuration and clamd) and ``portal revoke-links``."""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.db import transaction

from buergerticket.core.cli import UsageError, group, organisation


def _check(args: argparse.Namespace) -> int:
    from buergerticket.portal import clamd

    print(f"Öffentliche Adresse: {settings.PUBLIC_BASE_URL}")
    print(f"Kartenkacheln: {settings.MAP_TILES or 'keine (nur Anschrift)'}")
    limit = settings.PORTAL_UPLOAD_MAX_BYTES // (1024 * 1024)
    print(f"Uploads: höchstens {settings.PORTAL_UPLOAD_MAX_FILES} Dateien je {limit} MB")
    if not settings.CLAMD:
        print("Virenprüfung: nicht eingerichtet (BUERGERTICKET_CLAMD)")
        return 0
    if clamd.ping(settings.CLAMD):
        verdict = clamd.scan(settings.CLAMD, clamd.EICAR_TEST)
        if verdict.clean:
            print(
                f"Virenprüfung: clamd unter {settings.CLAMD} antwortet, erkennt aber "
                "die EICAR-Testdatei nicht (Signaturen fehlen?)"
            )
            return 1
        print(f"Virenprüfung: clamd unter {settings.CLAMD} bereit ({verdict.signature} erkannt)")
        return 0
    print(f"Virenprüfung: clamd unter {settings.CLAMD} NICHT erreichbar – Uploads werden abgelehnt")
    return 1


def _revoke(args: argparse.Namespace) -> int:
    from buergerticket.cases import services
    from buergerticket.cases.history import Actor
    from buergerticket.cases.models import Case
    from buergerticket.portal import tracking

    org = organisation(args.org)
    case = Case.objects.filter(organisation=org, file_number=args.file_number).first()
    if case is None:
        raise UsageError(f"Vorgang „{args.file_number}“ gibt es in {org.slug} nicht.")
    with transaction.atomic():
        count = tracking.revoke_all(case, by=args.by)
        services.record_event(
            case,
            actor=Actor.system(args.by),
            type="tracking_links_revoked",
            details={"count": count, "by": "cli"},
        )
    print(f"{count} private Link(s) zu {case.file_number} gesperrt.")
    return 0


def register(subparsers: Any) -> None:
    portal = group(subparsers, "portal", "Bürgerportal")
    check = portal.add_parser("check", help="Konfiguration und Virenprüfung (clamd) prüfen")
    check.set_defaults(handler=_check)
    revoke = portal.add_parser("revoke-links", help="private Links eines Vorgangs sperren")
    revoke.add_argument("org", help="Kennung der Organisation")
    revoke.add_argument("file_number", help="Aktenzeichen")
    revoke.add_argument("--by", default="Administration", help="wer sperrt (für den Verlauf)")
    revoke.set_defaults(handler=_revoke)
