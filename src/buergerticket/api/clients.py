"""API clients: creating them with a token shown once, finding them by token, revoking."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from buergerticket.api.models import DEFAULT_SCOPES, ApiClient, Scope
from buergerticket.org.models import Department, Organisation, Staff

TOKEN_PREFIX = "bt_"  # noqa: S105 - a marker, not a secret
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ClientError(ValueError):
    """Invalid client settings; the message is German and shown as is."""


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    token: str  # shown once, never stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def validate_scopes(scopes: Iterable[str]) -> list[str]:
    result: list[str] = []
    for scope in scopes:
        if scope not in Scope.values:
            raise ClientError(
                f"Unbekannte Berechtigung „{scope}“ (erlaubt: {', '.join(Scope.values)})."
            )
        if scope not in result:
            result.append(scope)
    return result


def create_client(
    *,
    organisation: Organisation,
    name: str,
    scopes: Sequence[str] = (),
    departments: Sequence[Department] = (),
    staff: Staff | None = None,
    created_by: str = "",
) -> NewClient:
    name = name.strip()
    if not name:
        raise ClientError("Bitte geben Sie dem API-Client einen Namen.")
    if len(name) > 100:
        raise ClientError("Der Name darf höchstens 100 Zeichen lang sein.")
    chosen = validate_scopes(scopes) if scopes else [str(s) for s in DEFAULT_SCOPES]
    for department in departments:
        if department.organisation_id != organisation.pk:
            raise ClientError(f"Der Fachbereich {department.code} gehört nicht zu {organisation}.")
    if staff is not None and staff.organisation_id != organisation.pk:
        raise ClientError(f"{staff.name} gehört nicht zu {organisation}.")
    if ApiClient.objects.filter(organisation=organisation, name=name).exists():
        raise ClientError(f"Einen API-Client „{name}“ gibt es in {organisation} schon.")
    token = _new_token()
    with transaction.atomic():
        client = ApiClient.objects.create(
            organisation=organisation,
            name=name,
            token_prefix=token[:10],
            token_hash=hash_token(token),
            scopes=chosen,
            staff=staff,
            created_by=created_by,
        )
        if departments:
            client.departments.set(departments)
    return NewClient(client=client, token=token)


def rotate_token(client: ApiClient) -> str:
    """A new token for the client; the old one stops working at once."""
    token = _new_token()
    ApiClient.objects.filter(pk=client.pk).update(
        token_prefix=token[:10], token_hash=hash_token(token)
    )
    client.token_prefix, client.token_hash = token[:10], hash_token(token)
    return token


def revoke_client(client: ApiClient) -> None:
    now = timezone.now()
    ApiClient.objects.filter(pk=client.pk).update(active=False, revoked_at=now)
    client.active, client.revoked_at = False, now


def client_for_token(token: str) -> ApiClient | None:
    """The active client owning ``token`` (with what the API needs preloaded), or None."""
    if not token or len(token) > 200:
        return None
    client = (
        ApiClient.objects.select_related("organisation", "staff", "staff__user")
        .filter(token_hash=hash_token(token), active=True)
        .first()
    )
    if client is None:
        return None
    if client.staff is not None and not client.staff.active:
        # A client acting as a person stops when that person leaves.
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    # Department restrictions are read on every request; cache them on the instance.
    client.department_ids = set(  # type: ignore[attr-defined]
        client.departments.values_list("pk", flat=True)
    )
    return client


def department_ids(client: ApiClient) -> set[int]:
    cached = getattr(client, "department_ids", None)
    if cached is None:
        cached = set(client.departments.values_list("pk", flat=True))
        client.department_ids = cached  # type: ignore[attr-defined]
    return set(cached)
