"""Existing Open311 client software works against our server unchanged (over real HTTP)."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(live_server, catalog):
    return live_server.url + "/open311/v2"


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_client_reads_services_and_requests(endpoint, make_client, output_format):
    key = make_client(["open311"])
    created = requests.post(
        endpoint + "/requests.json",
        data={
            "jurisdiction_id": "musterstadt",
            "api_key": key,
            "service_code": "maengel-beleuchtung",
            "lat": "51.5",
            "long": "7.46",
            "description": "Laterne flackert",
        },
        timeout=10,
    )
    assert created.status_code == 201, created.text
    request_id = created.json()[0]["service_request_id"]

    client = GeoReport(endpoint, jurisdiction="musterstadt", output_format=output_format)
    services = client.get_service_list()
    assert {s["service_code"] for s in services} >= {"maengel-strasse", "maengel-beleuchtung"}
    definition = client.get_service_definition("maengel-beleuchtung")
    assert definition["service_code"] == "maengel-beleuchtung"
    listed = client.get_service_requests(service_code="maengel-beleuchtung", status="open")
    # xmltodict gives a dict for a single element, a list for several.
    listed = listed if isinstance(listed, list) else [listed]
    assert [r["service_request_id"] for r in listed] == [request_id]
    one = client.get_service_request(request_id)
    assert one["service_request_id"] == request_id
    assert one["status"] == "open"
    assert one["description"] == "Laterne flackert"
    assert one["agency_responsible"] == "Tiefbauamt"


def test_post_with_api_key_in_the_query_string_as_old_clients_do(endpoint, make_client):
    key = make_client(["open311"])
    response = requests.post(
        f"{endpoint}/requests.xml?jurisdiction_id=musterstadt&api_key={key}",
        data={
            "service_code": "ordnung-parken",
            "address_string": "Markt 1",
            "description": "Feuerwehrzufahrt zugeparkt",
        },
        timeout=10,
    )
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<service_request_id>" in response.content
