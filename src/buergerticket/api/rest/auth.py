"""Bearer-token authentication, scopes and a per-client rate limit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from buergerticket.api.clients import client_for_token
from buergerticket.api.models import ApiClient, Scope
from buergerticket.api.rest.errors import ApiError
from buergerticket.core import ratelimit


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` of an API client (also its Open311 api_key)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = client_for_token(token.strip())
        if client is None:
            return None
        limit = int(getattr(settings, "API_RATE_LIMIT", 0))
        if limit:
            ident = str(client.pk)
            if ratelimit.hit("api", ident, 60) > limit:
                raise ApiError(
                    429,
                    "rate_limited",
                    f"Zu viele Anfragen: höchstens {limit} pro Minute je API-Client.",
                    headers={"Retry-After": "60"},
                )
        return client


def client_of(
    request: HttpRequest, scope: Scope | str | None = None, params: Iterable[str] = ()
) -> ApiClient:
    """The authenticated client; 400 for query parameters the operation does not know
    (a mistyped filter must not silently widen a result), 403 when it lacks ``scope``."""
    unknown = sorted(set(request.GET) - set(params))
    if unknown:
        raise ApiError(
            400,
            "invalid_request",
            f"Unbekannter Parameter „{unknown[0][:40]}“.",
            errors=[{"field": name[:40], "message": "unbekannt"} for name in unknown[:10]],
        )
    client: Any = getattr(request, "auth", None)
    if not isinstance(client, ApiClient):
        raise ApiError(401, "unauthenticated", "Bitte melden Sie sich mit einem Token an.")
    if scope is not None and not client.has_scope(str(scope)):
        raise ApiError(
            403,
            "insufficient_scope",
            f"Diesem API-Client fehlt die Berechtigung „{scope}“.",
        )
    return client
