"""``buergerticket api-client …`` and the administrators' page for API clients."""

from __future__ import annotations

import pytest
from django.test import Client

from buergerticket.api.models import ApiClient
from buergerticket.cli import main
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_create_prints_a_token_once_that_works_for_rest_and_open311(catalog, capsys):
    status = main(
        [
            "api-client",
            "create",
            "--org",
            "musterstadt",
            "--name",
            "Fachverfahren Tiefbau",
            "--scope",
            "cases:read",
            "--scope",
            "open311",
            "--department",
            "TBA",
        ]
    )
    assert status == 0
    out = capsys.readouterr().out
    token = out.strip().splitlines()[-1]
    assert token.startswith("bt_")
    client = ApiClient.objects.get(name="Fachverfahren Tiefbau")
    assert client.scopes == ["cases:read", "open311"]
    assert token not in (client.token_hash, client.token_prefix)
    assert [d.code for d in client.departments.all()] == ["TBA"]
    assert Api(token).get("/cases").status_code == 200
    assert Api(token).get("/services").status_code == 403
    response = Client().post(
        "/open311/v2/requests.json",
        {"api_key": token, "service_code": "maengel-strasse", "address_string": "Markt 2"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nirgendwo", "--name", "x"], "Organisation"),
        (["--org", "musterstadt", "--name", "x", "--scope", "alles"], "Unbekannte Berechtigung"),
        (["--org", "musterstadt", "--name", "x", "--department", "XYZ"], "Fachbereich"),
        (["--org", "musterstadt", "--name", "x", "--as-staff", "niemand"], "niemand"),
    ],
)
def test_wrong_input_exits_2_and_writes_nothing(catalog, capsys, args, message):
    assert main(["api-client", "create", *args]) == 2
    assert message in capsys.readouterr().err
    assert not ApiClient.objects.exists()


def test_revoke_and_rotate(catalog, capsys):
    main(["api-client", "create", "--org", "musterstadt", "--name", "App"])
    old = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["api-client", "rotate", "--org", "musterstadt", "--name", "App"]) == 0
    new = capsys.readouterr().out.strip()
    assert Api(old).get("/cases").status_code == 401
    assert Api(new).get("/cases").status_code == 200
    assert main(["api-client", "revoke", "--org", "musterstadt", "--name", "App"]) == 0
    assert Api(new).get("/cases").status_code == 401


def test_administrators_create_clients_in_the_workspace(staff):
    admin = Client()
    admin.force_login(staff("admin").user)
    page = admin.get("/arbeitsplatz/schnittstellen/clients/")
    assert page.status_code == 200
    response = admin.post(
        "/arbeitsplatz/schnittstellen/clients/",
        {"name": "Rechenzentrum", "scopes": ["cases:read", "webhooks"]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    client = ApiClient.objects.get(name="Rechenzentrum")
    token = html.split('id="secret">')[1].split("<")[0]
    assert Api(token).get("/webhooks").status_code == 200
    # Shown once: the list page does not contain it.
    assert token not in admin.get("/arbeitsplatz/schnittstellen/clients/").content.decode()
    invalid = admin.post("/arbeitsplatz/schnittstellen/clients/", {"name": "", "scopes": []})
    assert invalid.status_code == 200 and "kern-error" in invalid.content.decode()
    admin.post(f"/arbeitsplatz/schnittstellen/clients/{client.pk}/sperren/")
    assert Api(token).get("/webhooks").status_code == 401
    lead = Client()
    lead.force_login(staff("t.nguyen").user)
    assert lead.get("/arbeitsplatz/schnittstellen/clients/").status_code == 403


def test_reference_page_and_openapi_document_need_no_token(catalog):
    http = Client()
    document = http.get("/api/v1/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    assert "/api/v1/cases/{case_id}/status" in paths
    page = http.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "POST /api/v1/cases" in html and "CasePage" in html
    assert "<script" not in html.split("</head>")[1].replace('<script src="/static', "")
