"""OAuth2 client-credentials tokens for IMAP XOAUTH2 (Exchange Online / Microsoft 365).

Microsoft retired basic authentication for Exchange Online; an app
registration with the ``IMAP.AccessAsApp`` permission gets a token from the
tenant's token endpoint with the client-credentials grant, and logs in to the
shared mailbox with SASL XOAUTH2. Tokens are cached until shortly before they
expire.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from buergerticket.intake.models import Mailbox

from . import secrets

MICROSOFT_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"  # noqa: S105
EXCHANGE_SCOPE = "https://outlook.office365.com/.default"
_MARGIN = 120  # seconds before expiry a token is renewed


class OAuthError(Exception):
    """No token; the message is German and names the identity provider's reason."""


@dataclass
class _Token:
    value: str
    expires: float


_cache: dict[tuple[str, str, str], _Token] = {}
_lock = threading.Lock()


def token_url(mailbox: Mailbox) -> str:
    if mailbox.oauth_token_url:
        return mailbox.oauth_token_url
    if not mailbox.oauth_tenant:
        raise OAuthError("Für OAuth2 fehlt die Mandanten-ID (Tenant) oder eine Token-Adresse.")
    return MICROSOFT_TOKEN_URL.format(tenant=urllib.parse.quote(mailbox.oauth_tenant, safe=""))


def access_token(mailbox: Mailbox, *, ssl_context: ssl.SSLContext | None = None) -> str:
    url = token_url(mailbox)
    scope = mailbox.oauth_scope or EXCHANGE_SCOPE
    key = (url, mailbox.oauth_client_id, scope)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached.expires - _MARGIN > time.monotonic():
            return cached.value
    try:
        client_secret = secrets.reveal(mailbox.secret)
    except secrets.SecretError as exc:
        raise OAuthError(str(exc)) from None
    body = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": mailbox.oauth_client_id,
            "client_secret": client_secret,
            "scope": scope,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is configured by an administrator
        url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30, context=ssl_context) as response:  # noqa: S310
            data = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise OAuthError(f"Token-Abruf abgelehnt ({exc.code}): {_provider_reason(exc)}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise OAuthError(f"Token-Adresse nicht erreichbar: {exc}") from None
    value = data.get("access_token") if isinstance(data, dict) else None
    if not value:
        raise OAuthError("Die Antwort der Token-Adresse enthält kein access_token.")
    expires = time.monotonic() + float(data.get("expires_in", 3600))
    with _lock:
        _cache[key] = _Token(value, expires)
    return str(value)


def forget(mailbox: Mailbox) -> None:
    """Drop a cached token (the server rejected it)."""
    url = token_url(mailbox)
    with _lock:
        _cache.pop((url, mailbox.oauth_client_id, mailbox.oauth_scope or EXCHANGE_SCOPE), None)


def _provider_reason(exc: urllib.error.HTTPError) -> str:
    try:
        data = json.loads(exc.read().decode("utf-8"))
    except (ValueError, OSError):
        return exc.reason or ""
    if isinstance(data, dict):
        text = data.get("error_description") or data.get("error") or ""
        return str(text).splitlines()[0][:300] if text else ""
    return ""
