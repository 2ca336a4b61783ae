"""Each device is an NGSI-LD `Device` entity (Smart Data Models) that follows the registry."""

from __future__ import annotations

from datetime import timedelta

from smartcity.sensing import service
from tests.sensing.conftest import device_body

ENTITIES = "/ngsi-ld/v1/entities"


def _fleet(devices) -> list[dict]:
    response = devices.client.get(
        ENTITIES, params={"type": "Device", "options": "keyValues"}, headers=devices.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def _entity(devices, device_id: str, **params) -> dict:
    response = devices.client.get(
        f"{ENTITIES}/urn:ngsi-ld:Device:{device_id}", params=params, headers=devices.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_registered_devices_are_listed_as_device_entities(devices, city):
    department = city.departments[0].code
    devices.create(device_body("E-1", city.cells[0], model="AQT530", department=department))
    devices.create(device_body("E-2", city.cells[1], type="streetlight", credentials=["mqtt"]))
    fleet = {e["id"]: e for e in _fleet(devices)}
    assert set(fleet) == {"urn:ngsi-ld:Device:E-1", "urn:ngsi-ld:Device:E-2"}
    first = fleet["urn:ngsi-ld:Device:E-1"]
    assert first["type"] == "Device"
    assert first["deviceState"] == "active"
    assert first["controlledProperty"] == ["airPollution", "temperature", "humidity"]
    assert first["deviceCategory"] == ["sensor"]
    assert first["modelName"] == "AQT530" and first["owner"] == [department]
    assert first["unitGridCell"] == city.cells[0].code
    assert first["refObservedEntity"] == "urn:ngsi-ld:AirQualityObserved:E-1"
    assert first["supportedProtocol"] == ["http", "mqtt"]
    assert first["location"]["type"] == "Point"
    second = fleet["urn:ngsi-ld:Device:E-2"]
    assert second["deviceCategory"] == ["actuator", "sensor"]
    assert second["supportedProtocol"] == ["mqtt"] and "owner" not in second


def test_no_credential_reaches_the_entity(devices, city):
    created = devices.create(device_body("E-3", city.cells[0]))
    text = devices.client.get(f"{ENTITIES}/urn:ngsi-ld:Device:E-3", headers=devices.headers).text
    issued = created["issued"]
    for secret in (issued["api_key"], issued["api_key"].split("_", 2)[2], issued["mqtt_password"]):
        assert secret not in text
    assert created["api_key_prefix"] not in text and "hash" not in text


def test_changes_and_retirement_reach_the_entity(devices, city):
    devices.create(device_body("E-4", city.cells[0], model="old"))
    lon, lat = city.cells[5].geometry.representative_point().coords[0]
    devices.patch("E-4", {"model": "new", "lon": lon, "lat": lat, "status": "faulty"})
    entity = _entity(devices, "E-4", options="keyValues")
    assert entity["modelName"] == "new" and entity["deviceState"] == "faulty"
    assert entity["location"]["coordinates"] == [lon, lat]
    assert entity["unitGridCell"] == city.cells[5].code
    devices.request("POST", "/E-4/retire")
    entity = _entity(devices, "E-4", options="keyValues")
    assert entity["deviceState"] == "retired" and "supportedProtocol" not in entity


def test_deleting_a_device_deletes_its_entity(devices, city):
    devices.create(device_body("E-5", city.cells[0]))
    devices.request("DELETE", "/E-5")
    gone = devices.client.get(f"{ENTITIES}/urn:ngsi-ld:Device:E-5", headers=devices.headers)
    assert gone.status_code == 404
    assert _fleet(devices) == []


def test_an_entity_removed_through_ngsi_ld_comes_back_on_the_next_change(devices, city):
    devices.create(device_body("E-6", city.cells[0]))
    devices.client.delete(f"{ENTITIES}/urn:ngsi-ld:Device:E-6", headers=devices.headers)
    devices.patch("E-6", {"name": "back"})
    assert _entity(devices, "E-6", options="keyValues")["name"] == "back"


def test_what_a_device_reports_about_itself_reaches_registry_and_entity(
    devices, city, platform, tenant_id
):
    devices.create(device_body("E-7", city.cells[0]))
    devices.patch("E-7", {"status": "silent"})
    seen = platform.clock.now() + timedelta(minutes=5)
    with platform.db.session() as s:
        service.record_report(
            s, platform, tenant_id, "E-7", seen_at=seen, battery_level=0.42, rssi_dbm=-71.5
        )
    device = devices.get("E-7").json()
    assert (device["battery_level"], device["rssi_dbm"]) == (0.42, -71.5)
    assert device["status"] == "active"  # a silent device that reports is heard again
    assert device["last_seen_at"] == "2026-01-05T01:05:00Z"
    entity = _entity(devices, "E-7", options="keyValues")
    assert (entity["batteryLevel"], entity["rssi"]) == (0.42, -71.5)
    reported = entity["dateLastValueReported"]
    assert reported == {"@type": "DateTime", "@value": "2026-01-05T01:05:00Z"}
    with platform.db.session() as s:  # an older report does not move last_seen back
        service.record_report(s, platform, tenant_id, "E-7", seen_at=seen - timedelta(hours=1))
    assert devices.get("E-7").json()["last_seen_at"] == device["last_seen_at"]
