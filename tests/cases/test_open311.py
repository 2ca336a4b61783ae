"""Open311 GeoReport v2: discovery, services and their definitions, requests posted with an
API key and read back by id, token and filters, in JSON and XML, with the spec's errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from smartcity.security import service as security
from tests.cases.conftest import inside

V2 = "/open311/v2"


@pytest.fixture
def api_key(platform, admin) -> str:
    with platform.db.session() as session:
        issued = security.create_api_key(
            session, platform.clock, admin, name="citizen-app", scopes=["cases:report"]
        )
        return issued.secret


def _post(client, api_key, cell, **extra):
    lon, lat = inside(cell)
    form = {"api_key": api_key, "service_code": "C0101", "lat": lat, "long": lon, **extra}
    return client.post(f"{V2}/requests.json", data=form)


def test_discovery_and_services_answer_in_json_and_xml(city, client):
    found = client.get(f"{V2}/discovery.json").json()
    assert found["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    services = client.get(f"{V2}/services.json").json()
    assert {"service_code": "C0101", "metadata": True, "type": "realtime"}.items() <= (
        next(s for s in services if s["service_code"] == "C0101").items()
    )
    xml = client.get(f"{V2}/services.xml")
    assert xml.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == "services" and root[0].tag == "service"
    assert len(root) == len(services)
    definition = ET.fromstring(client.get(f"{V2}/services/C0101.xml").content)
    assert definition.find("attributes/attribute/code").text == "priority"
    assert definition.find("attributes/attribute/values/value/key").text == "low"


def test_a_posted_request_is_a_case_read_back_by_id_token_and_filters(
    city, client, api_key, caller, clock
):
    posted = _post(client, api_key, city.cells[0], description="井盖丢失", phone="13812345678")
    assert posted.status_code == 201, posted.text
    [row] = posted.json()
    request_id, token = row["service_request_id"], row["token"]
    [by_token] = client.get(f"{V2}/tokens/{token}.json").json()
    assert by_token["service_request_id"] == request_id
    [found] = client.get(f"{V2}/requests/{request_id}.json").json()
    assert found["status"] == "open" and found["service_code"] == "C0101"
    assert "13812345678" not in str(found) and "phone" not in found
    xml = ET.fromstring(client.get(f"{V2}/requests/{request_id}.xml").content)
    assert xml.tag == "service_requests" and xml.find("request/status").text == "open"

    dispatcher = caller("dispatcher")
    dispatcher.ok(dispatcher.act(request_id, "reject", reason="重复上报"))
    [closed] = client.get(f"{V2}/requests.json", params={"status": "closed"}).json()
    assert closed["service_request_id"] == request_id
    assert "重复上报" in closed["status_notes"]
    assert client.get(f"{V2}/requests.json", params={"status": "open"}).json() == []
    clock.advance(days=91)
    assert client.get(f"{V2}/requests.json").json() == []  # the default window is 90 days
    start = (clock.now() - timedelta(days=100)).isoformat()
    assert len(client.get(f"{V2}/requests.json", params={"start_date": start}).json()) == 1


def test_errors_follow_the_spec(city, client, api_key):
    no_key = _post(client, "", city.cells[0])
    assert no_key.status_code == 403
    assert no_key.json()[0]["code"] == 403 and no_key.json()[0]["description"]
    bad_key = _post(client, "sk_nothing_here", city.cells[0])
    assert bad_key.status_code == 403
    unknown = _post(client, api_key, city.cells[0], service_code="C9999")
    assert unknown.status_code == 400
    outside = client.post(
        f"{V2}/requests.json",
        data={"api_key": api_key, "service_code": "C0101", "lat": 10, "long": 100},
    )
    assert outside.status_code == 400
    missing = client.get(f"{V2}/requests/SH20260105-999999.xml")
    assert missing.status_code == 404
    error = ET.fromstring(missing.content)
    assert error.tag == "errors" and error.find("error/code").text == "404"
    assert client.get(f"{V2}/requests.json", params={"start_date": "yesterday"}).status_code == 400
    assert client.get(f"{V2}/services.yaml").status_code == 404


def test_a_key_without_cases_report_is_refused(city, client, platform, admin):
    with platform.db.session() as session:
        other = security.create_api_key(
            session, platform.clock, admin, name="reader", scopes=["geo:read"]
        ).secret
    response = _post(client, other, city.cells[0])
    assert response.status_code == 403
    assert client.get(f"{V2}/requests.json").json() == []
