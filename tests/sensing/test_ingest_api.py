"""POST /api/sensing/readings and GET /api/sensing/dead-letters over the real app: JSON and CSV,
device keys and platform keys, what NGSI-LD then shows, and the metrics."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smartcity.sensing.device_types import DeviceKind
from tests.sensing.ingest_fixtures import iso, register_fleet

READINGS = "/api/sensing/readings"
DEAD = "/api/sensing/dead-letters"


@pytest.fixture
def fleet(platform, admin):
    return register_fleet(platform, admin)


@pytest.fixture
def admin_headers(auth_headers):
    return auth_headers("admin")


def post_json(client, headers, body):
    return client.post(READINGS, json=body, headers=headers)


def post_csv(client, headers, text):
    return client.post(
        READINGS, content=text.encode(), headers={**headers, "Content-Type": "text/csv"}
    )


def test_json_bulk_from_many_devices_is_stored_and_counted(client, admin_headers, fleet, clock):
    at = iso(clock.now() - timedelta(minutes=5))
    body = [
        {"device_id": "DEV-00", "pm25": 35.2, "no2": 41, "observedAt": at},
        {"device_id": "DEV-02", "LAeq": 61.5, "observedAt": at},
        {"device_id": "DEV-01", "pH": 99, "observedAt": at},
        {"device_id": "GHOST", "pm25": 1},
    ]
    response = post_json(client, admin_headers, body)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["stored"], report["duplicates"], report["dead_lettered"]) == (3, 0, 2)
    assert report["reasons"] == {"schema_violation": 1, "unknown_device": 1}
    assert [(e["index"], e["reason"]) for e in report["errors"]] == [
        (2, "schema_violation"),
        (3, "unknown_device"),
    ]
    assert report["errors"][0]["attribute"] == "pH"
    again = post_json(client, admin_headers, body[:2]).json()
    assert (again["stored"], again["duplicates"]) == (0, 3)


def test_csv_bulk_types_values_and_reports_bad_rows(client, admin_headers, fleet, clock):
    at = iso(clock.now() - timedelta(minutes=1))
    text = (
        "device_id,attribute,value,observed_at\n"
        f"DEV-00,pm25,35.2,{at}\n"
        f"DEV-00,no2,41,{at}\n"
        "DEV-03,powerState,on,\n"
        f"DEV-00,pm10,NaN,{at}\n"
        f"DEV-00,pm25,12,{iso(clock.now() + timedelta(hours=1))}\n"
    )
    report = post_csv(client, admin_headers, text).json()
    assert (report["stored"], report["dead_lettered"]) == (3, 2)
    assert [(e["index"], e["reason"]) for e in report["errors"]] == [
        (3, "not_finite"),
        (4, "future_time"),
    ]


def test_readings_are_visible_through_ngsi_ld_current_and_temporal(
    client, admin_headers, fleet, clock
):
    first, second = clock.now() - timedelta(minutes=20), clock.now() - timedelta(minutes=10)
    body = [
        {"device_id": "DEV-00", "pm25": 30, "observedAt": iso(first)},
        {"device_id": "DEV-00", "pm25": 40, "observedAt": iso(second)},
    ]
    assert post_json(client, admin_headers, body).json()["stored"] == 2
    entity_id = "urn:ngsi-ld:AirQualityObserved:DEV-00"
    current = client.get(f"/ngsi-ld/v1/entities/{entity_id}", headers=admin_headers).json()
    assert current["type"] == "AirQualityObserved"
    assert current["pm25"]["value"] == 40 and current["pm25"]["unitCode"] == "GQ"
    assert current["location"]["value"]["type"] == "Point"
    listed = client.get(
        "/ngsi-ld/v1/entities", params={"type": "AirQualityObserved"}, headers=admin_headers
    ).json()
    assert [e["id"] for e in listed] == [entity_id]
    temporal = client.get(
        f"/ngsi-ld/v1/temporal/entities/{entity_id}",
        params={"attrs": "pm25", "timerel": "after", "timeAt": iso(first - timedelta(hours=1))},
        headers=admin_headers,
    )
    assert temporal.status_code == 200, temporal.text
    values = [(i["value"], i["observedAt"]) for i in temporal.json()["pm25"]]
    assert values == [(30, iso(first)), (40, iso(second))]


def test_a_device_key_sends_only_its_own_readings(client, fleet):
    key = fleet.keys["DEV-00"]
    body = [{"pm25": 3}, {"device_id": "DEV-00", "no2": 4}, {"device_id": "DEV-01", "pH": 7}]
    report = post_json(client, {"X-API-Key": key}, body).json()
    assert report["stored"] == 2
    assert [(e["index"], e["reason"]) for e in report["errors"]] == [(2, "foreign_device")]


def test_a_wrong_or_retired_device_key_is_refused(client, admin_headers, fleet):
    wrong = post_json(client, {"X-API-Key": "scd_000000000000_nope"}, [{"pm25": 1}])
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthenticated"
    key = fleet.keys["DEV-00"]
    client.post("/api/sensing/devices/DEV-00/retire", headers=admin_headers)
    assert post_json(client, {"X-API-Key": key}, [{"pm25": 1}]).status_code == 401


def test_ingest_needs_readings_write(client, auth_headers, fleet):
    body = [{"device_id": "DEV-00", "pm25": 1}]
    assert post_json(client, {}, body).status_code == 401
    assert post_json(client, auth_headers("supervisor"), body).status_code == 403
    key = client.post(
        "/api/apikeys",
        json={"name": "gateway", "scopes": ["readings:write"]},
        headers=auth_headers("admin"),
    ).json()["key"]
    assert post_json(client, {"X-API-Key": key}, body).json()["stored"] == 1


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("application/json", b"{not json", 422),
        ("application/json", b"   ", 422),
        ("text/csv", b"device,attr\nx,y\n", 422),
        ("text/csv", b"\xff\xfe\x00", 422),
        ("application/xml", b"<readings/>", 415),
    ],
)
def test_bad_bodies_get_the_api_error_format(
    client, admin_headers, fleet, content_type, body, status
):
    response = client.post(
        READINGS, content=body, headers={**admin_headers, "Content-Type": content_type}
    )
    assert response.status_code == status, response.text
    assert "error" in response.json() and "request_id" in response.json()


def test_an_unparseable_body_is_also_a_dead_letter(client, admin_headers, fleet):
    client.post(
        READINGS,
        content=b'[{"device_id": "DEV-00", "pm25": ',
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    [letter] = client.get(DEAD, headers=admin_headers).json()["items"]
    assert letter["reason"] == "unparseable" and letter["transport"] == "http"
    assert letter["payload"].startswith('[{"device_id"') and letter["route"] == READINGS


def test_nan_in_json_is_a_dead_letter_not_a_broken_batch(client, admin_headers, fleet):
    body = b'[{"device_id": "DEV-00", "pm25": NaN}, {"device_id": "DEV-00", "no2": 5}]'
    response = client.post(
        READINGS, content=body, headers={**admin_headers, "Content-Type": "application/json"}
    )
    report = response.json()
    assert report["stored"] == 1 and report["reasons"] == {"not_finite": 1}


def test_dead_letters_are_listed_with_filters_and_paging(client, admin_headers, fleet, clock):
    body = [
        {"device_id": "DEV-00", "pm25": -1},
        {"device_id": "DEV-00", "banana": 1},
        {"device_id": "GHOST", "pm25": 1},
    ]
    post_json(client, admin_headers, body)
    page = client.get(DEAD, headers=admin_headers).json()
    assert page["total"] == 3
    assert {i["reason"] for i in page["items"]} == {
        "schema_violation",
        "unknown_attribute",
        "unknown_device",
    }
    by_reason = client.get(DEAD, params={"reason": "unknown_device"}, headers=admin_headers)
    assert [i["device_id"] for i in by_reason.json()["items"]] == ["GHOST"]
    by_device = client.get(DEAD, params={"device": "DEV-00"}, headers=admin_headers).json()
    assert by_device["total"] == 2
    later = iso(clock.now() + timedelta(seconds=1))
    assert client.get(DEAD, params={"since": later}, headers=admin_headers).json()["total"] == 0
    paged = client.get(DEAD, params={"limit": 1, "offset": 1}, headers=admin_headers).json()
    assert (len(paged["items"]), paged["total"]) == (1, 3)
    assert client.get(DEAD, params={"reason": "nope"}, headers=admin_headers).status_code == 422


def test_dead_letters_are_for_administrators_and_stay_in_their_tenant(
    client, admin_headers, auth_headers, fleet
):
    post_json(client, admin_headers, [{"device_id": "GHOST", "pm25": 1}])
    assert client.get(DEAD, headers=auth_headers("analyst")).status_code == 403
    suzhou = client.get(DEAD, headers=auth_headers("admin", "suzhou")).json()
    assert suzhou["total"] == 0


def test_metrics_count_readings_and_dead_letters_by_reason(client, admin_headers, fleet):
    body = [
        {"device_id": "DEV-00", "pm25": 1, "no2": 2},
        {"device_id": "GHOST", "pm25": 1},
        {"device_id": "DEV-00", "pm25": float("inf")},
    ]
    client.post(
        READINGS,
        content=b'[{"device_id": "DEV-00", "pm25": 1, "no2": 2}, {"device_id": "GHOST", "pm25": 1},'
        b' {"device_id": "DEV-00", "pm10": Infinity}]',
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert body
    text = client.get("/metrics").text
    assert 'smartcity_ingest_readings_total{outcome="stored",transport="http"} 2.0' in text
    assert (
        'smartcity_ingest_dead_letters_total{reason="unknown_device",transport="http"} 1.0' in text
    )
    assert 'smartcity_ingest_dead_letters_total{reason="not_finite",transport="http"} 1.0' in text


def test_a_streetlight_and_a_parking_spot_through_csv(client, admin_headers, fleet):
    light, spot = fleet.ids[DeviceKind.STREETLIGHT], fleet.ids[DeviceKind.PARKING_SPOT]
    text = (
        "device_id,attribute,value\n"
        f"{light},powerState,on\n"
        f"{light},illuminanceLevel,0.7\n"
        f"{spot},status,occupied\n"
        f"{spot},status,parked\n"
    )
    report = post_csv(client, admin_headers, text).json()
    assert report["stored"] == 3
    assert [e["reason"] for e in report["errors"]] == ["schema_violation"]
