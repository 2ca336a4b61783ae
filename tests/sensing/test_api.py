"""/api/sensing/devices over the real app: register, read, list, change, retire, remove."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from smartcity.security.models import AuditEntry
from tests.sensing.conftest import API, device_body, inside


def test_a_registered_device_is_placed_in_its_grid_cell_with_its_ancestors(devices, city):
    cell = city.cells[40]
    created = devices.create(device_body("AQ-0001", cell, name="人民广场空气站", model="AQT530"))
    assert created["cell_code"] == cell.code
    assert created["community_code"] == cell.code[:12]
    assert created["street_code"] == cell.code[:9]
    assert created["district_code"] == cell.code[:6]
    assert created["status"] == "active" and created["last_seen_at"] is None
    assert created["entity_id"] == "urn:ngsi-ld:AirQualityObserved:AQ-0001"
    assert created["device_entity_id"] == "urn:ngsi-ld:Device:AQ-0001"
    assert (created["sdm_type"], created["type_name_zh"]) == (
        "AirQualityObserved",
        "空气质量监测站",
    )
    fetched = devices.get("AQ-0001").json()
    assert fetched["name"] == "人民广场空气站" and fetched["model"] == "AQT530"
    assert fetched["cell_code"] == cell.code and "issued" not in fetched


def test_each_type_feeds_its_smart_data_model_by_default(devices, city):
    expected = {
        "water_quality_buoy": "WaterQualityObserved",
        "noise_monitor": "NoiseLevelObserved",
        "streetlight": "Streetlight",
        "traffic_counter": "TrafficFlowObserved",
        "parking_spot": "ParkingSpot",
        "manhole_cover": "DeviceMeasurement",
    }
    for n, (kind, model) in enumerate(expected.items()):
        body = device_body(f"T-{n}", city.cells[n], type=kind)
        assert devices.create(body)["entity_id"] == f"urn:ngsi-ld:{model}:T-{n}"
    types = devices.client.get("/api/sensing/device-types", headers=devices.headers).json()
    assert len(types) == 10
    assert {t["type"]: t["sdm_type"] for t in types}["smoke_detector"] == "DeviceMeasurement"


def test_a_point_outside_every_cell_is_refused(devices, city):
    beijing = {"device_id": "X1", "type": "noise_monitor", "lon": 116.40, "lat": 39.90}
    outside = devices.request("POST", json=beijing)
    assert outside.status_code == 422
    assert outside.json()["error"]["field"] == "lon"
    assert "no unit grid cell" in outside.json()["error"]["message"]
    assert devices.get("X1").status_code == 404


def test_a_city_without_grid_cells_takes_devices_without_a_cell(devices):
    created = devices.create(
        {"device_id": "EARLY-1", "type": "noise_monitor", "lon": 121.47, "lat": 31.23}
    )
    assert created["cell_code"] is None and created["district_code"] is None


def test_a_device_id_is_unique_per_tenant_but_not_across_tenants(
    client, devices, auth_headers, city
):
    devices.create(device_body("DUP-1", city.cells[1]))
    again = devices.request("POST", json=device_body("DUP-1", city.cells[2]))
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    suzhou = auth_headers("admin", "suzhou")
    body = {"device_id": "DUP-1", "type": "noise_monitor", "lon": 120.6, "lat": 31.3}
    assert client.post(API, json=body, headers=suzhou).status_code == 201
    mine = devices.get("DUP-1").json()
    assert mine["type"] == "air_quality_station"  # the other tenant's device is another device
    assert client.get(f"{API}/DUP-1", headers=suzhou).json()["type"] == "noise_monitor"


def test_another_tenants_device_is_not_found(client, devices, auth_headers, city):
    devices.create(device_body("MINE-1", city.cells[3]))
    suzhou = auth_headers("admin", "suzhou")
    assert client.get(f"{API}/MINE-1", headers=suzhou).status_code == 404
    assert client.patch(f"{API}/MINE-1", json={"name": "x"}, headers=suzhou).status_code == 404
    assert client.delete(f"{API}/MINE-1", headers=suzhou).status_code == 404
    assert client.get(API, headers=suzhou).json()["total"] == 0


def test_list_filters_by_type_status_area_and_department(devices, city):
    cells = city.cells
    far = next(c for c in cells if c.code[:6] != cells[0].code[:6])
    department = city.departments[0].code
    devices.create(device_body("A-1", cells[0], department=department))
    devices.create(device_body("A-2", cells[1], type="streetlight"))
    devices.create(device_body("A-3", far, type="streetlight"))
    devices.patch("A-2", {"status": "faulty"})
    assert devices.list()["total"] == 3
    assert [d["device_id"] for d in devices.list(type="streetlight")["items"]] == ["A-2", "A-3"]
    assert [d["device_id"] for d in devices.list(status="faulty")["items"]] == ["A-2"]
    in_district = devices.list(district=cells[0].code[:6])["items"]
    assert {d["device_id"] for d in in_district} == {"A-1", "A-2"}
    assert [d["device_id"] for d in devices.list(cell=far.code)["items"]] == ["A-3"]
    assert [d["device_id"] for d in devices.list(street=far.code[:9])["items"]] == ["A-3"]
    assert [d["device_id"] for d in devices.list(department=department)["items"]] == ["A-1"]
    assert devices.list(department="nobody")["total"] == 0


def test_list_pages_in_device_id_order(devices, city):
    for n in (3, 1, 2, 5, 4):
        devices.create(device_body(f"P-{n}", city.cells[n]))
    page = devices.list(limit=2, offset=1)
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    assert [d["device_id"] for d in page["items"]] == ["P-2", "P-3"]


def test_patch_changes_only_what_is_sent_and_moves_the_device(devices, city):
    devices.create(device_body("M-1", city.cells[0], name="old", model="m1"))
    lon, lat = inside(city.cells[200])
    changed = devices.patch("M-1", {"lon": lon, "lat": lat, "name": "new"}).json()
    assert changed["cell_code"] == city.cells[200].code
    assert (changed["name"], changed["model"]) == ("new", "m1")
    moved_half = devices.patch("M-1", {"lon": lon})
    assert moved_half.status_code == 422 and moved_half.json()["error"]["field"] == "lon"


def test_changing_the_type_moves_a_default_entity_id_but_keeps_a_chosen_one(devices, city):
    devices.create(device_body("C-1", city.cells[0]))
    body = devices.patch("C-1", {"type": "noise_monitor"}).json()
    assert body["entity_id"] == "urn:ngsi-ld:NoiseLevelObserved:C-1"
    devices.create(device_body("C-2", city.cells[1], entity_id="urn:ngsi-ld:Station:S9"))
    body = devices.patch("C-2", {"type": "noise_monitor"}).json()
    assert body["entity_id"] == "urn:ngsi-ld:Station:S9"
    body = devices.patch("C-2", {"entity_id": None}).json()
    assert body["entity_id"] == "urn:ngsi-ld:NoiseLevelObserved:C-2"


def test_the_owner_department_must_exist_and_can_be_removed(devices, city):
    department = city.departments[1].code
    unknown = devices.request("POST", json=device_body("D-1", city.cells[0], department="nope"))
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "department"
    devices.create(device_body("D-1", city.cells[0], department=department))
    assert devices.patch("D-1", {"department": None}).json()["department"] is None


def test_status_follows_the_transition_table(devices, city):
    devices.create(device_body("S-1", city.cells[0]))
    assert devices.patch("S-1", {"status": "silent"}).json()["status"] == "silent"
    retired = devices.request("POST", "/S-1/retire").json()
    assert retired["status"] == "retired" and retired["credentials"] == []
    refused = devices.patch("S-1", {"status": "faulty"})
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "status"
    assert devices.patch("S-1", {"status": "active"}).json()["status"] == "active"
    new = devices.request("POST", json=device_body("S-2", city.cells[1], status="retired"))
    assert new.status_code == 422


def test_delete_removes_the_device(devices, city):
    devices.create(device_body("DEL-1", city.cells[0]))
    assert devices.request("DELETE", "/DEL-1").status_code == 204
    assert devices.get("DEL-1").status_code == 404
    assert devices.request("DELETE", "/DEL-1").status_code == 404


def test_every_change_is_audited_without_secrets(devices, city, platform):
    created = devices.create(device_body("AU-1", city.cells[0]))
    devices.patch("AU-1", {"name": "renamed"})
    devices.request("POST", "/AU-1/credentials")
    devices.request("POST", "/AU-1/retire")
    devices.request("DELETE", "/AU-1")
    with platform.db.session() as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "device").order_by(AuditEntry.id)
        ).all()
    assert [e.action for e in entries] == [
        "device.create",
        "device.update",
        "device.rotate_credentials",
        "device.retire",
        "device.delete",
    ]
    assert entries[1].before["name"] == "" and entries[1].after["name"] == "renamed"
    secret = created["issued"]["api_key"].split("_", 2)[2]
    text = repr([(e.before, e.after) for e in entries])
    assert secret not in text and created["issued"]["mqtt_password"] not in text
    assert "hash" not in text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"device_id": "bad id", "type": "streetlight", "lon": 121.4, "lat": 31.2}, "device_id"),
        ({"device_id": "ok", "type": "toaster", "lon": 121.4, "lat": 31.2}, "type"),
        ({"device_id": "ok", "type": "streetlight", "lon": 181, "lat": 31.2}, "lon"),
        ({"device_id": "ok", "type": "streetlight", "lon": "NaN", "lat": 31.2}, "lon"),
        ({"device_id": "ok", "type": "streetlight", "lat": 31.2}, "lon"),
        ({"device_id": "ok", "type": "streetlight", "lon": 1, "lat": 1, "x": 1}, "x"),
        ({"device_id": "ok", "type": "streetlight", "lon": 1, "lat": 1, "name": "a\x00"}, "name"),
        (
            {"device_id": "ok", "type": "streetlight", "lon": 1, "lat": 1, "entity_id": "no"},
            "entity_id",
        ),
        (
            {"device_id": "ok", "type": "streetlight", "lon": 1, "lat": 1, "credentials": ["ssh"]},
            "credentials.0",
        ),
    ],
)
def test_bad_input_is_a_422_in_the_apis_error_format(devices, body, field):
    response = devices.request("POST", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error" and error["field"] == field
    assert devices.list()["total"] == 0


def test_bad_queries_and_paths_are_4xx(devices):
    assert devices.request("GET", params={"district": "31"}).status_code == 422
    assert devices.request("GET", params={"status": "asleep"}).status_code == 422
    assert devices.request("GET", params={"limit": 5000}).status_code == 422
    assert devices.request("GET", "/bad%20id").status_code == 422
    assert devices.patch("nothing-here", {"name": "x"}).status_code == 404
    assert devices.patch("nothing-here", {}).status_code == 422
    assert (
        devices.request(
            "PATCH", "/x", content=b"{", headers={"Content-Type": "application/json"}
        ).status_code
        == 422
    )


READS = [("GET", API), ("GET", f"{API}/X-1"), ("GET", "/api/sensing/device-types")]
WRITES = [
    ("POST", API),
    ("PATCH", f"{API}/X-1"),
    ("POST", f"{API}/X-1/retire"),
    ("POST", f"{API}/X-1/credentials"),
    ("DELETE", f"{API}/X-1"),
    ("POST", f"{API}/import"),
]


@pytest.mark.parametrize(
    "role",
    ["admin", "supervisor", "dispatcher", "handler", "analyst", "hotline_operator", "citizen"],
)
def test_staff_read_the_registry_and_only_admins_change_it(client, auth_headers, role):
    headers = auth_headers(role)
    for method, path in READS:
        status = client.request(method, path, headers=headers).status_code
        assert (status == 403) == (role == "citizen"), f"{role} {method} {path}: {status}"
    for method, path in WRITES:
        status = client.request(method, path, headers=headers, json={}).status_code
        assert (status == 403) == (role != "admin"), f"{role} {method} {path}: {status}"


def test_anonymous_callers_are_refused_with_401(client):
    for method, path in READS + WRITES:
        response = client.request(method, path, json={})
        assert response.status_code == 401, f"{method} {path}"
        assert response.json()["error"]["code"] == "unauthenticated"
