"""GET /api/sensing/health: the fleet per device type and district."""

from __future__ import annotations

from datetime import timedelta

from smartcity.sensing.device_types import DeviceKind

HEALTH = "/api/sensing/health"


def test_health_counts_statuses_and_the_mean_time_since_the_last_reading(
    client, auth_headers, clock, places, add_device, send, devices_api
):
    add_device("A1", place=0)
    add_device("A2", place=0)
    add_device("A3", place=0)
    add_device("A4", place=1)
    add_device("N1", DeviceKind.NOISE_MONITOR, place=0)
    send("A1", (clock.now() - timedelta(minutes=10), {"pm25": 20}))
    send("A2", (clock.now() - timedelta(minutes=20), {"pm25": 20}))
    assert devices_api.patch("A3", {"status": "faulty"}).status_code == 200
    clock.advance(minutes=5)
    response = client.get(HEALTH, headers=auth_headers("analyst"))
    assert response.status_code == 200, response.text
    groups = {(g["device_type"], g["district_code"]): g for g in response.json()["items"]}
    air = groups[("air_quality_station", places[0].district)]
    assert (air["total"], air["active"], air["faulty"], air["silent"], air["retired"]) == (
        3,
        2,
        1,
        0,
        0,
    )
    assert air["never_reported"] == 1  # A3
    assert air["mean_seconds_since_last_reading"] == 20 * 60  # (15 + 25 minutes) / 2
    assert air["type_name_zh"] == "空气质量监测站" and air["district_name_zh"]
    assert groups[("air_quality_station", places[1].district)]["never_reported"] == 1
    assert groups[("noise_monitor", places[0].district)]["mean_seconds_since_last_reading"] is None
    narrowed = client.get(
        HEALTH, params={"type": "noise_monitor"}, headers=auth_headers("analyst")
    ).json()["items"]
    assert [g["device_type"] for g in narrowed] == ["noise_monitor"]
    by_district = client.get(
        HEALTH, params={"district": places[1].district}, headers=auth_headers("analyst")
    ).json()["items"]
    assert [g["total"] for g in by_district] == [1]


def test_health_needs_devices_read_and_checks_its_filters(client, auth_headers):
    assert client.get(HEALTH, headers=auth_headers("citizen")).status_code == 403
    assert client.get(HEALTH).status_code == 401
    admin = auth_headers("admin")
    assert client.get(HEALTH, params={"district": "31"}, headers=admin).status_code == 422
    assert client.get(HEALTH, params={"type": "toaster"}, headers=admin).status_code == 422
    assert client.get(HEALTH, headers=admin).json()["items"] == []
