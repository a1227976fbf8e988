"""``buergerticket api-client …`` and ``buergerticket webhook …``."""

from __future__ import annotations

import argparse
from typing import Any

from buergerticket.api import clients
from buergerticket.api.models import ApiClient, Scope, Webhook
from buergerticket.api.webhooks import registry
from buergerticket.core.cli import UsageError, group, organisation, print_json, staff_member
from buergerticket.org.models import Department


def _departments(org: Any, codes: list[str]) -> list[Department]:
    found = {d.code: d for d in Department.objects.filter(organisation=org, code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise UsageError(f"Fachbereich „{missing[0]}“ gibt es in {org.slug} nicht.")
    return [found[c] for c in codes]


def _create(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    staff = staff_member(org, args.as_staff) if args.as_staff else None
    try:
        created = clients.create_client(
            organisation=org,
            name=args.name,
            scopes=args.scope or [],
            departments=_departments(org, args.department or []),
            staff=staff,
            created_by="Kommandozeile",
        )
    except clients.ClientError as exc:
        raise UsageError(str(exc)) from None
    client = created.client
    if args.json:
        print_json(
            {
                "name": client.name,
                "organisation": org.slug,
                "scopes": client.scopes,
                "token": created.token,
            }
        )
    else:
        print(f"API-Client „{client.name}“ für {org.slug} angelegt.")
        print(f"Berechtigungen: {', '.join(client.scopes)}")
        print("Token (wird nur jetzt angezeigt, auch als Open311-api_key verwendbar):")
        print(created.token)
    return 0


def _client(org: Any, name: str) -> ApiClient:
    client = ApiClient.objects.filter(organisation=org, name=name).first()
    if client is None:
        raise UsageError(f"API-Client „{name}“ gibt es in {org.slug} nicht.")
    return client


def _list(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    rows = [
        {
            "name": c.name,
            "token_prefix": c.token_prefix,
            "scopes": c.scopes,
            "departments": [d.code for d in c.departments.all()],
            "acts_as": c.staff.user.username if c.staff else None,
            "active": c.active,
            "last_used_at": c.last_used_at.isoformat() if c.last_used_at else None,
        }
        for c in ApiClient.objects.filter(organisation=org).select_related("staff__user")
    ]
    print_json(rows)
    return 0


def _revoke(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    client = _client(org, args.name)
    clients.revoke_client(client)
    print(f"API-Client „{client.name}“ ist gesperrt.")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    client = _client(org, args.name)
    if not client.active:
        raise UsageError(f"API-Client „{client.name}“ ist gesperrt.")
    print(clients.rotate_token(client))
    return 0


def _webhook_create(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    try:
        hook = registry.create_webhook(
            organisation=org,
            url=args.url,
            event_types=args.event or [],
            description=args.description or "",
            created_by="Kommandozeile",
        )
    except registry.WebhookError as exc:
        raise UsageError(str(exc)) from None
    print_json(
        {"id": hook.pk, "url": hook.url, "event_types": hook.event_types, "secret": hook.secret}
    )
    return 0


def _webhook_list(args: argparse.Namespace) -> int:
    org = organisation(args.org)
    print_json(
        [
            {
                "id": h.pk,
                "url": h.url,
                "event_types": h.event_types,
                "active": h.active,
                "disabled_reason": h.disabled_reason,
            }
            for h in Webhook.objects.filter(organisation=org)
        ]
    )
    return 0


def register(subparsers: Any) -> None:
    api_client = group(subparsers, "api-client", "API-Clients (REST und Open311) verwalten")
    create = api_client.add_parser("create", help="Client anlegen und Token einmal anzeigen")
    create.add_argument("--org", required=True)
    create.add_argument("--name", required=True)
    create.add_argument(
        "--scope",
        action="append",
        metavar="SCOPE",
        help=f"Berechtigung, mehrfach möglich ({', '.join(Scope.values)}); "
        "Standard: cases:read, catalog:read, tasks:read",
    )
    create.add_argument(
        "--department",
        action="append",
        metavar="CODE",
        help="nur Vorgänge dieses Fachbereichs (mehrfach möglich)",
    )
    create.add_argument(
        "--as-staff", metavar="USERNAME", help="Client handelt mit den Rechten dieser Person"
    )
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=_create)
    listing = api_client.add_parser("list", help="Clients auflisten")
    listing.add_argument("--org", required=True)
    listing.set_defaults(handler=_list)
    revoke = api_client.add_parser("revoke", help="Client sperren")
    revoke.add_argument("--org", required=True)
    revoke.add_argument("--name", required=True)
    revoke.set_defaults(handler=_revoke)
    rotate = api_client.add_parser("rotate", help="Neues Token ausgeben, altes ungültig")
    rotate.add_argument("--org", required=True)
    rotate.add_argument("--name", required=True)
    rotate.set_defaults(handler=_rotate)

    webhook = group(subparsers, "webhook", "Webhooks verwalten")
    wcreate = webhook.add_parser("create", help="Webhook einrichten (zeigt das Geheimnis)")
    wcreate.add_argument("--org", required=True)
    wcreate.add_argument("--url", required=True)
    wcreate.add_argument(
        "--event",
        action="append",
        metavar="TYPE",
        help="Ereignisart, mehrfach möglich; ohne Angabe: alle",
    )
    wcreate.add_argument("--description")
    wcreate.set_defaults(handler=_webhook_create)
    wlist = webhook.add_parser("list", help="Webhooks auflisten")
    wlist.add_argument("--org", required=True)
    wlist.set_defaults(handler=_webhook_list)
