"""Open311 GeoReport v2 as a defect-reporting app sees it: spec field names, JSON and XML."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from buergerticket.api.models import Open311Request
from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Case, Status
from buergerticket.catalog.models import Service

pytestmark = pytest.mark.django_db

POTHOLE = {
    "jurisdiction_id": "musterstadt",
    "service_code": "maengel-strasse",
    "lat": "51.512345",
    "long": "7.465432",
    "address_string": "Lindenallee 3",
    "description": "Tiefes Schlagloch auf dem Radweg",
    "email": "melder@example.org",
    "first_name": "Max",
    "last_name": "Muster",
    "phone": "0231 123456",
    "media_url": "https://fotos.example.org/42.jpg",
    "device_id": "ios-123",
}


def parse_xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own server's answer


@pytest.fixture
def key(make_client):
    return make_client(["open311"], name="Mängelmelder-App")


@pytest.fixture
def http():
    return Client()


def post(http, fmt="json", **params):
    return http.post(f"/open311/v2/requests.{fmt}", params)


def test_discovery_names_the_v2_endpoint_and_formats(http, catalog):
    data = http.get("/open311/v2/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    xml = parse_xml(http.get("/open311/v2/discovery.xml").content)
    assert xml.tag == "discovery"
    assert [f.text for f in xml.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_lists_only_services_marked_open311(http, catalog):
    response = http.get("/open311/v2/services.json", {"jurisdiction_id": "musterstadt"})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    codes = {s["service_code"] for s in response.json()}
    assert codes == {"maengel-strasse", "maengel-beleuchtung", "maengel-muell", "ordnung-parken"}
    first = response.json()[0]
    assert set(first) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert first["type"] == "realtime"
    xml = http.get("/open311/v2/services.xml", {"jurisdiction_id": "musterstadt"})
    assert xml["Content-Type"] == "text/xml; charset=utf-8"
    assert xml.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = parse_xml(xml.content)
    assert root.tag == "services"
    assert len(root.findall("service")) == 4
    assert root.find("service/metadata").text in ("true", "false")


def test_service_definition_from_the_catalog_form(http, catalog):
    Service.objects.filter(code="maengel-strasse").update(
        form=[
            {
                "name": "schaden",
                "label": "Art des Schadens",
                "type": "select",
                "required": True,
                "choices": ["Schlagloch", "Riss", "Absenkung"],
            },
            {"name": "breite_cm", "label": "Breite in cm", "type": "number"},
        ]
    )
    data = http.get("/open311/v2/services/maengel-strasse.json").json()
    assert data["service_code"] == "maengel-strasse"
    first = data["attributes"][0]
    assert first["code"] == "schaden" and first["datatype"] == "singlevaluelist"
    assert first["required"] is True and first["variable"] is True
    assert first["values"][0] == {"key": "Schlagloch", "name": "Schlagloch"}
    assert data["attributes"][1]["datatype"] == "number"
    root = parse_xml(http.get("/open311/v2/services/maengel-strasse.xml").content)
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key").text == "Schlagloch"
    listed = http.get("/open311/v2/services.json").json()
    assert {s["service_code"]: s["metadata"] for s in listed}["maengel-strasse"] is True
    missing = http.get("/open311/v2/services/bau-anfrage.json")
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404


def test_post_opens_a_case_through_the_intake_path(http, key):
    response = post(http, api_key=key, **POTHOLE)
    assert response.status_code == 201, response.content
    (record,) = response.json()
    assert set(record) == {"service_request_id", "token", "service_notice", "account_id"}
    case = Case.objects.get(pk=int(record["service_request_id"]))
    assert case.channel == "open311"
    assert case.service.code == "maengel-strasse"
    assert case.text == "Tiefes Schlagloch auf dem Radweg"
    assert case.location_address == "Lindenallee 3"
    assert str(case.latitude) == "51.512345"
    assert case.requester_name == "Max Muster"
    assert case.requester_email == "melder@example.org"
    assert case.form_data["media_url"] == "https://fotos.example.org/42.jpg"
    assert case.file_number in record["service_notice"]
    assert Open311Request.objects.get(case=case).device_id == "ios-123"
    token = http.get(f"/open311/v2/tokens/{record['token']}.json").json()
    assert token == [{"service_request_id": record["service_request_id"], "token": record["token"]}]


def test_post_in_xml_and_with_attributes(http, key):
    Service.objects.filter(code="maengel-strasse").update(
        form=[
            {
                "name": "schaden",
                "label": "Art",
                "type": "select",
                "required": True,
                "choices": ["Schlagloch", "Riss"],
            }
        ]
    )
    missing = post(http, "xml", api_key=key, **POTHOLE)
    assert missing.status_code == 400
    error = parse_xml(missing.content)
    assert error.tag == "errors"
    assert error.find("error/code").text == "400"
    assert "schaden" in error.find("error/description").text
    wrong = post(http, api_key=key, **POTHOLE, **{"attribute[schaden]": "Loch"})
    assert wrong.status_code == 400 and "nicht erlaubt" in wrong.json()[0]["description"]
    ok = post(http, "xml", api_key=key, **POTHOLE, **{"attribute[schaden]": "Riss"})
    assert ok.status_code == 201
    root = parse_xml(ok.content)
    assert root.tag == "service_requests"
    case = Case.objects.get(pk=int(root.find("request/service_request_id").text))
    assert case.form_data["schaden"] == "Riss"


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        ({}, 400, "api_key"),
        ({"api_key": "bt_falsch"}, 403, "ungültig"),
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "gibt-es-nicht"}, 404, "gibt es hier nicht"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "Ort fehlt"),
        ({"lat": "91"}, 400, "lat"),
        ({"long": ""}, 400, "gehören zusammen"),
        ({"email": "kein-mail"}, 400, "email"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"jurisdiction_id": "stadtwerke"}, 403, "jurisdiction_id"),
    ],
)
def test_post_errors_use_the_spec_format(http, key, params, status, fragment):
    body = {**POTHOLE, "api_key": key, **params}
    if "api_key" in params and params["api_key"] is None:
        body.pop("api_key")
    if params == {}:
        body.pop("api_key")
    response = post(http, **body)
    assert response.status_code == status
    (error,) = response.json()
    assert error["code"] == status
    assert fragment in error["description"]
    assert not Case.objects.filter(channel="open311").exists()


def test_post_needs_the_open311_scope_and_respects_departments(http, make_client):
    read_only = make_client(["cases:read"])
    assert post(http, api_key=read_only, **POTHOLE).status_code == 403
    umwelt_only = make_client(["open311"], departments=["UMW"])
    assert post(http, api_key=umwelt_only, **POTHOLE).status_code == 403
    assert (
        post(http, api_key=umwelt_only, **{**POTHOLE, "service_code": "maengel-muell"}).status_code
        == 201
    )


def test_status_and_agency_response_flow_back(http, key, staff):
    record = post(http, api_key=key, **POTHOLE).json()[0]
    case_id = int(record["service_request_id"])
    before = http.get(f"/open311/v2/requests/{case_id}.json").json()
    assert len(before) == 1
    assert before[0]["status"] == "open"
    assert before[0]["agency_responsible"] == "Tiefbauamt"
    assert before[0]["description"] == "Tiefes Schlagloch auf dem Radweg"
    clerk = Actor.for_staff(staff("s.wagner"))
    services.add_reply(case_id, actor=clerk, body="Der Bauhof repariert die Stelle morgen.")
    services.set_status(case_id, actor=clerk, status=Status.CLOSED)
    after = http.get(f"/open311/v2/requests/{case_id}.json").json()[0]
    assert after["status"] == "closed"
    assert after["status_notes"] == "Der Bauhof repariert die Stelle morgen."
    assert after["updated_datetime"] >= after["requested_datetime"]
    assert after["expected_datetime"] == ""
    root = parse_xml(http.get(f"/open311/v2/requests/{case_id}.xml").content)
    assert root.find("request/status").text == "closed"


def test_requests_from_other_channels_show_no_personal_text(http, open_case):
    portal = open_case(text="Ich, Erika Mustermann aus der Hauptstraße 5, melde …")
    open_case("melde-bescheinigung", subject="nicht öffentlich")
    data = http.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in data] == [str(portal.pk)]
    assert data[0]["description"] == ""
    assert "Erika" not in http.get("/open311/v2/requests.json").content.decode()
    assert http.get(f"/open311/v2/requests/{portal.pk}.json").status_code == 200


def test_requests_filters(http, key, open_case):
    first = post(http, api_key=key, **POTHOLE).json()[0]["service_request_id"]
    light = post(http, api_key=key, **{**POTHOLE, "service_code": "maengel-beleuchtung"}).json()[0]
    ids = lambda r: [x["service_request_id"] for x in r.json()]  # noqa: E731
    assert ids(http.get("/open311/v2/requests.json", {"service_code": "maengel-strasse"})) == [
        first
    ]
    assert set(ids(http.get("/open311/v2/requests.json", {"status": "open"}))) == {
        first,
        light["service_request_id"],
    }
    assert ids(http.get("/open311/v2/requests.json", {"status": "closed"})) == []
    assert ids(
        http.get("/open311/v2/requests.json", {"service_request_id": f"{first},999999"})
    ) == [first]
    old = http.get(
        "/open311/v2/requests.json",
        {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"},
    )
    assert old.status_code == 200 and old.json() == []
    too_long = http.get(
        "/open311/v2/requests.json",
        {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-06-01T00:00:00Z"},
    )
    assert too_long.status_code == 400
    assert http.get("/open311/v2/requests.json", {"start_date": "gestern"}).status_code == 400
    assert http.get("/open311/v2/requests.json", {"status": "pending"}).status_code == 400
    assert (
        http.get("/open311/v2/requests.json", {"jurisdiction_id": "nirgendwo"}).status_code == 404
    )
    assert http.get("/open311/v2/requests/abc.json").status_code == 404
    assert http.get("/open311/v2/tokens/unbekannt.json").status_code == 404


def test_default_window_is_the_last_90_days(http, open_case):
    now = dt.datetime.now(dt.UTC)
    recent = open_case(received_at=now - dt.timedelta(days=10))
    open_case(received_at=now - dt.timedelta(days=120))
    data = http.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in data] == [str(recent.pk)]


def test_service_notice_follows_accept_language(key):
    english = Client(headers={"Accept-Language": "en"})
    record = post(english, api_key=key, **POTHOLE).json()[0]
    assert record["service_notice"].startswith("Your report was registered under file number")
