"""Fixed-window rate limits in the shared cache (login, public forms, API)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, the proxy (gunicorn forwarded_allow_ips) sets REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, ident: str) -> str:
    return "rl:" + scope + ":" + hashlib.sha256(ident.encode()).hexdigest()[:32]


def exceeded(scope: str, ident: str, limit: int) -> bool:
    """True when ``ident`` has used up ``limit`` hits in the current window."""
    return int(cache.get(_key(scope, ident), 0)) >= limit


def hit(scope: str, ident: str, window_seconds: int) -> int:
    """Count one hit and return the count in the current window."""
    key = _key(scope, ident)
    if cache.add(key, 1, timeout=window_seconds):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return 1


def reset(scope: str, ident: str) -> None:
    cache.delete(_key(scope, ident))
