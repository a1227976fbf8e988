"""Cursor pagination: stable under concurrent inserts and fast at any depth (no OFFSET).

The cursor is an opaque, URL-safe string naming the sort key of the last row
returned; the next page continues strictly after it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from buergerticket.api.rest.errors import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

M = TypeVar("M", bound=Model)


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    # 422, not 400: the parameter matches the document (a string), but this value is unusable.
    invalid = ApiError(
        422,
        "invalid_cursor",
        "Der Parameter cursor ist ungültig. Bitte verwenden Sie den Wert aus „next“.",
        errors=[{"field": "cursor", "message": "ungültig"}],
    )
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        raise invalid from None
    if not isinstance(values, list) or len(values) != len(kinds):
        raise invalid
    result: list[Any] = []
    for value, kind in zip(values, kinds, strict=True):
        try:
            if kind is int and isinstance(value, int) and not isinstance(value, bool):
                result.append(value)
            elif kind is dt.datetime and isinstance(value, str):
                parsed = dt.datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    raise ValueError
                result.append(parsed)
            else:
                raise ValueError
        except ValueError:
            raise invalid from None
    return result


def page_url(request: HttpRequest, cursor: str) -> str:
    params = {k: v for k, v in request.GET.items() if k != "cursor"}
    params["cursor"] = cursor
    return request.build_absolute_uri(request.path) + "?" + urlencode(params)


def paginate_desc_id(
    queryset: QuerySet[M], *, cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """Newest first by primary key."""
    if cursor:
        (last,) = decode_cursor(cursor, [int])
        queryset = queryset.filter(pk__lt=last)
    rows = list(queryset.order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor([rows[-1].pk]) if more and rows else None


def paginate_by(
    queryset: QuerySet[M],
    *,
    field: str,
    cursor: str | None,
    limit: int,
    key: Callable[[M], Any],
) -> tuple[list[M], str | None]:
    """Oldest first by (``field``, pk): a change feed a client can poll with ``updated_since``."""
    if cursor:
        value, last = decode_cursor(cursor, [dt.datetime, int])
        queryset = queryset.filter(
            Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": last})
        )
    rows = list(queryset.order_by(field, "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if not (more and rows):
        return rows, None
    value = key(rows[-1])
    return rows, encode_cursor([value.isoformat(), rows[-1].pk])
