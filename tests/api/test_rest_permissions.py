"""Every REST endpoint against every boundary: no token, missing scope, other organisation,
other department, a client acting as a person, a revoked client."""

from __future__ import annotations

import pytest

from buergerticket.api.models import ApiClient
from buergerticket.cases.models import Case, Message
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db

# (method, path, body, scope); {case} and {hook} are filled in per test.
ENDPOINTS = [
    ("get", "/cases", None, "cases:read"),
    ("get", "/cases/{case}", None, "cases:read"),
    ("get", "/cases/{case}/messages", None, "cases:read"),
    ("get", "/cases/{case}/events", None, "cases:read"),
    ("post", "/cases", {"service": "maengel-strasse", "subject": "x"}, "cases:write"),
    ("post", "/cases/{case}/replies", {"body": "Antwort"}, "cases:write"),
    ("post", "/cases/{case}/notes", {"text": "Vermerk"}, "cases:write"),
    ("post", "/cases/{case}/status", {"status": "in_bearbeitung"}, "cases:write"),
    ("post", "/cases/{case}/assignment", {"owner": "t.nguyen"}, "cases:write"),
    ("get", "/services", None, "catalog:read"),
    ("get", "/services/maengel-strasse", None, "catalog:read"),
    ("get", "/departments", None, "catalog:read"),
    ("get", "/tasks", None, "tasks:read"),
    ("get", "/webhooks", None, "webhooks"),
    ("post", "/webhooks", {"url": "https://example.org/hook"}, "webhooks"),
    ("get", "/webhooks/{hook}", None, "webhooks"),
    ("patch", "/webhooks/{hook}", {"active": False}, "webhooks"),
    ("delete", "/webhooks/{hook}", None, "webhooks"),
    ("get", "/webhooks/{hook}/deliveries", None, "webhooks"),
]
ALL_SCOPES = ["cases:read", "cases:write", "catalog:read", "tasks:read", "open311", "webhooks"]
CASE_PATHS = [e for e in ENDPOINTS if "{case}" in e[1]]
HOOK_PATHS = [e for e in ENDPOINTS if "{hook}" in e[1]]


@pytest.fixture
def target(open_case, musterstadt):
    from buergerticket.api.webhooks.registry import create_webhook

    case = open_case()  # Tiefbauamt (TBA), Musterstadt
    hook = create_webhook(organisation=musterstadt, url="https://example.org/a")
    return {"case": case.pk, "hook": hook.pk}


def call(api: Api, method: str, path: str, body, target, **headers):
    url = path.format(**target)
    if method == "get":
        return api.get(url, **headers)
    if method == "delete":
        return api.delete(url, **headers)
    if method == "patch":
        return api.patch(url, body, **headers)
    return api.post(url, body, **headers)


def etag_for(target) -> str:
    case = Case.objects.get(pk=target["case"])
    return f'"{case.pk}-{case.version}"'


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS)
def test_without_token_everything_is_401(target, method, path, body, scope):
    for token in (None, "bt_erfunden", ""):
        response = call(Api(token), method, path, body, target)
        assert response.status_code == 401, (path, token)
        assert response.json()["code"] == "unauthenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS)
def test_missing_scope_is_403(api_as, target, method, path, body, scope):
    api = api_as([s for s in ALL_SCOPES if s != scope])
    response = call(api, method, path, body, target, HTTP_IF_MATCH=etag_for(target))
    assert response.status_code == 403, (path, response.content)
    assert response.json()["code"] == "insufficient_scope"


@pytest.mark.parametrize(("method", "path", "body", "scope"), CASE_PATHS + HOOK_PATHS)
def test_other_organisation_sees_nothing(api_as, target, method, path, body, scope):
    api = api_as(ALL_SCOPES, org="stadtwerke")
    before = Message.objects.count()
    response = call(api, method, path, body, target, HTTP_IF_MATCH=etag_for(target))
    assert response.status_code == 404, (path, response.content)
    assert Message.objects.count() == before


def test_other_organisation_lists_are_empty_or_its_own(api_as, target):
    api = api_as(ALL_SCOPES, org="stadtwerke")
    assert api.get("/cases").json()["items"] == []
    assert api.get("/tasks").json()["items"] == []
    assert api.get("/webhooks").json() == []
    assert {s["code"] for s in api.get("/services").json()} <= {
        "sw-abschlag",
        "sw-zaehlerstand",
        "sw-umzug",
        "sw-rechnung",
        "sw-allgemein",
    }
    assert {d["code"] for d in api.get("/departments").json()} == {"KUN", "ABR"}
    assert api.get("/services/maengel-strasse").status_code == 404
    # A Stadtwerke client cannot open a case with a Musterstadt service either.
    response = api.post("/cases", {"service": "maengel-strasse", "subject": "x"})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_service"


@pytest.mark.parametrize(("method", "path", "body", "scope"), CASE_PATHS)
def test_other_department_sees_nothing(api_as, target, method, path, body, scope):
    api = api_as(ALL_SCOPES, departments=["UMW"])
    response = call(api, method, path, body, target, HTTP_IF_MATCH=etag_for(target))
    assert response.status_code == 404, (path, response.content)


def test_department_restricted_lists_and_intake(api_as, target, open_case):
    waste = open_case("maengel-muell", subject="Sperrmüll am Wald")
    api = api_as(ALL_SCOPES, departments=["UMW"])
    assert [c["id"] for c in api.get("/cases").json()["items"]] == [waste.pk]
    assert {s["department"]["code"] for s in api.get("/services").json()} == {"UMW"}
    assert [d["code"] for d in api.get("/departments").json()] == ["UMW"]
    assert api.get("/services/maengel-strasse").status_code == 404
    assert api.post("/cases", {"service": "maengel-strasse", "subject": "x"}).status_code == 403
    assert api.post("/cases", {"subject": "ohne Leistung"}).status_code == 422
    assert api.post("/cases", {"service": "maengel-muell", "subject": "Müll"}).status_code == 201


def test_client_acting_as_a_person_has_exactly_their_rights(api_as, target, open_case):
    ordnung = open_case("ordnung-parken", subject="Falschparker")
    api = api_as(ALL_SCOPES, as_staff="l.fischer")  # Ordnungsamt
    assert [c["id"] for c in api.get("/cases").json()["items"]] == [ordnung.pk]
    assert api.get(f"/cases/{target['case']}").status_code == 404
    note = api.post(f"/cases/{ordnung.pk}/notes", {"text": "vor Ort geprüft"})
    assert note.status_code == 201
    assert note.json()["author"] == "Lena Fischer"


def test_revoked_client_and_departed_person_lose_access(api_as, make_client, target):
    from buergerticket.api.clients import revoke_client
    from buergerticket.org.models import Staff

    token = make_client(ALL_SCOPES, name="Altverfahren")
    api = Api(token)
    assert api.get("/cases").status_code == 200
    revoke_client(ApiClient.objects.get(name="Altverfahren"))
    assert api.get("/cases").status_code == 401
    person = api_as(ALL_SCOPES, as_staff="l.fischer")
    Staff.objects.filter(user__username="l.fischer").update(active=False)
    assert person.get("/cases").status_code == 401
