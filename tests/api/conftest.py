"""Helpers for API tests: API clients with real tokens, JSON calls through Django's test client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client


class Api:
    """Calls /api/v1/ with a bearer token, like any HTTP client would."""

    def __init__(self, token: str | None):
        self.token = token
        self.http = Client()

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        # Tests name headers the WSGI way (HTTP_IF_MATCH); send them as real header names.
        result = {
            (k[5:].replace("_", "-").title() if k.startswith("HTTP_") else k): v
            for k, v in (headers or {}).items()
        }
        if self.token is not None:
            result.setdefault("Authorization", f"Bearer {self.token}")
        return result

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.http.get("/api/v1" + path, params or {}, headers=self._headers(headers))

    def post(self, path: str, body: Any = None, *, raw: str | None = None, **headers: str) -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.http.post(
            "/api/v1" + path, data, content_type="application/json", headers=self._headers(headers)
        )

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self.http.patch(
            "/api/v1" + path,
            json.dumps(body),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def delete(self, path: str, **headers: str) -> Any:
        return self.http.delete("/api/v1" + path, headers=self._headers(headers))


@pytest.fixture
def make_client(catalog):
    """``make_client(scopes=[...], org=..., departments=["TBA"], as_staff=None)`` → token."""
    from buergerticket.api.clients import create_client
    from buergerticket.org.models import Department, Organisation, Staff

    counter = {"n": 0}

    def make(
        scopes: list[str] | None = None,
        *,
        org: str = "musterstadt",
        departments: list[str] | None = None,
        as_staff: str | None = None,
        name: str | None = None,
    ) -> str:
        counter["n"] += 1
        organisation = Organisation.objects.get(slug=org)
        created = create_client(
            organisation=organisation,
            name=name or f"Testsystem {counter['n']}",
            scopes=scopes
            if scopes is not None
            else ["cases:read", "cases:write", "catalog:read", "tasks:read", "open311", "webhooks"],
            departments=list(
                Department.objects.filter(organisation=organisation, code__in=departments or [])
            ),
            staff=Staff.objects.get(user__username=as_staff) if as_staff else None,
        )
        return created.token

    return make


@pytest.fixture
def api(make_client):
    """An Api with a full-scope client of Musterstadt (whole organisation)."""
    return Api(make_client())


@pytest.fixture
def api_as(make_client):
    def make(*args: Any, **kwargs: Any) -> Api:
        return Api(make_client(*args, **kwargs))

    return make
