"""Ingestion's rules called directly: mapping, checks, dead letters, exactly-once storage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from smartcity.context.models import AttributeInstance, ContextEntity
from smartcity.sensing.device_types import DeviceKind
from smartcity.sensing.ingest.models import DeadLetter, ReadingReceipt
from smartcity.sensing.models import Device
from tests.sensing.ingest_fixtures import POINT, ingest_items, iso, register, register_fleet

PM25 = "https://uri.etsi.org/ngsi-ld/default-context/pm25"
NO2 = "https://uri.etsi.org/ngsi-ld/default-context/no2"


@pytest.fixture
def fleet(platform, admin):
    return register_fleet(platform, admin)


def _entity(platform, tenant_id, entity_id):
    with platform.db.session() as s:
        return s.scalar(
            select(ContextEntity).where(
                ContextEntity.tenant_id == tenant_id, ContextEntity.entity_id == entity_id
            )
        )


def _history(platform, tenant_id, entity_id, attr):
    with platform.db.session() as s:
        rows = s.scalars(
            select(AttributeInstance)
            .where(
                AttributeInstance.tenant_id == tenant_id,
                AttributeInstance.entity_id == entity_id,
                AttributeInstance.attr == attr,
            )
            .order_by(AttributeInstance.observed_at)
        )
        return [r.instance for r in rows]


def _letters(platform):
    with platform.db.session() as s:
        return list(s.scalars(select(DeadLetter).order_by(DeadLetter.id)))


def test_first_reading_creates_the_entity_with_its_model_type_location_and_device(
    platform, tenant_id, fleet
):
    at = platform.clock.now() - timedelta(minutes=1)
    outcome = ingest_items(
        platform,
        tenant_id,
        [{"device_id": "DEV-00", "pm25": 35.2, "no2": 41, "observedAt": iso(at)}],
    )
    assert (outcome.stored, outcome.duplicates, outcome.letters) == (2, 0, [])
    row = _entity(platform, tenant_id, "urn:ngsi-ld:AirQualityObserved:DEV-00")
    assert row.types == ["https://uri.etsi.org/ngsi-ld/default-context/AirQualityObserved"]
    assert row.attrs["location"]["value"]["coordinates"] == list(POINT)
    assert row.attrs["https://uri.etsi.org/ngsi-ld/default-context/refDevice"]["object"] == (
        "urn:ngsi-ld:Device:DEV-00"
    )
    assert row.attrs[PM25]["value"] == 35.2
    assert row.attrs[PM25]["observedAt"] == iso(at)
    assert row.attrs[PM25]["unitCode"] == "GQ"
    assert [i["value"] for i in _history(platform, tenant_id, row.entity_id, NO2)] == [41]


def test_a_reading_without_a_time_takes_the_receive_time(platform, tenant_id, fleet):
    ingest_items(platform, tenant_id, [{"device_id": "DEV-00", "pm25": 10}])
    row = _entity(platform, tenant_id, "urn:ngsi-ld:AirQualityObserved:DEV-00")
    assert row.attrs[PM25]["observedAt"] == iso(platform.clock.now())


def test_an_ngsi_ld_fragment_keeps_its_own_time_and_unit(platform, tenant_id, fleet):
    at = iso(platform.clock.now() - timedelta(hours=1))
    fragment = {"type": "Property", "value": 12.5, "observedAt": at, "unitCode": "GP"}
    outcome = ingest_items(platform, tenant_id, [{"device_id": "DEV-00", "pm25": fragment}])
    assert outcome.stored == 1
    shown = _entity(platform, tenant_id, "urn:ngsi-ld:AirQualityObserved:DEV-00").attrs[PM25]
    assert (shown["value"], shown["observedAt"], shown["unitCode"]) == (12.5, at, "GP")


def test_current_value_follows_the_latest_observation_not_the_latest_arrival(
    platform, tenant_id, fleet
):
    now = platform.clock.now()
    ingest_items(platform, tenant_id, [{"device_id": "DEV-00", "pm25": 20, "observedAt": iso(now)}])
    late = {"device_id": "DEV-00", "pm25": 99, "observedAt": iso(now - timedelta(hours=1))}
    ingest_items(platform, tenant_id, [late])
    entity_id = "urn:ngsi-ld:AirQualityObserved:DEV-00"
    assert _entity(platform, tenant_id, entity_id).attrs[PM25]["value"] == 20
    assert [i["value"] for i in _history(platform, tenant_id, entity_id, PM25)] == [99, 20]


@pytest.mark.parametrize(
    ("kind", "reading", "model", "attr"),
    [
        (DeviceKind.AIR_QUALITY_STATION, {"pm10": 51.0}, "AirQualityObserved", "pm10"),
        (DeviceKind.WATER_QUALITY_BUOY, {"pH": 7.2}, "WaterQualityObserved", "pH"),
        (DeviceKind.NOISE_MONITOR, {"LAeq": 62.4}, "NoiseLevelObserved", "LAeq"),
        (DeviceKind.STREETLIGHT, {"powerState": "on"}, "Streetlight", "powerState"),
        (DeviceKind.TRAFFIC_COUNTER, {"intensity": 120}, "TrafficFlowObserved", "intensity"),
        (DeviceKind.PARKING_SPOT, {"status": "occupied"}, "ParkingSpot", "status"),
        (DeviceKind.PIPE_PRESSURE_SENSOR, {"pressure": 3.1}, "DeviceMeasurement", "pressure"),
        (DeviceKind.SMOKE_DETECTOR, {"smoke": True}, "DeviceMeasurement", "smoke"),
    ],
)
def test_each_kind_maps_onto_its_smart_data_model(
    platform, tenant_id, fleet, kind, reading, model, attr
):
    device_id = fleet.ids[kind]
    outcome = ingest_items(platform, tenant_id, [{"device_id": device_id, **reading}])
    assert (outcome.stored, outcome.letters) == (1, [])
    row = _entity(platform, tenant_id, f"urn:ngsi-ld:{model}:{device_id}")
    assert row.types == [f"https://uri.etsi.org/ngsi-ld/default-context/{model}"]
    stored = row.attrs[platform.contexts.core.stored_name(attr)]
    assert stored["value"] == reading[attr]


@pytest.mark.parametrize(
    ("kind", "reading", "reason"),
    [
        (DeviceKind.AIR_QUALITY_STATION, {"pm25": -3}, "schema_violation"),
        (DeviceKind.AIR_QUALITY_STATION, {"tsp": 73.3}, "schema_violation"),  # an integer
        (DeviceKind.AIR_QUALITY_STATION, {"relativeHumidity": 54}, "schema_violation"),  # 0–1
        (DeviceKind.WATER_QUALITY_BUOY, {"pH": 15}, "schema_violation"),
        (DeviceKind.STREETLIGHT, {"powerState": "dimmed"}, "schema_violation"),
        (DeviceKind.PARKING_SPOT, {"status": 1}, "schema_violation"),
        (DeviceKind.NOISE_MONITOR, {"LAeq": "loud"}, "schema_violation"),
        (DeviceKind.PIPE_PRESSURE_SENSOR, {"pressure": [1, 2]}, "schema_violation"),
        (DeviceKind.AIR_QUALITY_STATION, {"pm25": float("nan")}, "not_finite"),
        (DeviceKind.AIR_QUALITY_STATION, {"pm25": float("inf")}, "not_finite"),
        (DeviceKind.AIR_QUALITY_STATION, {"banana": 1}, "unknown_attribute"),
        (DeviceKind.PIPE_PRESSURE_SENSOR, {"pm25": 1}, "unknown_attribute"),
        (DeviceKind.AIR_QUALITY_STATION, {"pm25": 1, "observedAt": "yesterday"}, "bad_time"),
        (
            DeviceKind.AIR_QUALITY_STATION,
            {"pm25": 1, "observedAt": "2026-01-05T09:00:00"},
            "bad_time",
        ),
        (DeviceKind.AIR_QUALITY_STATION, {"batteryLevel": 7}, "schema_violation"),
    ],
)
def test_impossible_values_are_dead_letters_with_their_reason(
    platform, tenant_id, fleet, kind, reading, reason
):
    device_id = fleet.ids[kind]
    outcome = ingest_items(platform, tenant_id, [{"device_id": device_id, **reading}])
    assert outcome.stored == 0
    assert [x.reason.value for x in outcome.letters] == [reason]
    [letter] = _letters(platform)
    assert (letter.reason, letter.device_id, letter.tenant_id) == (reason, device_id, tenant_id)
    assert letter.transport == "http" and letter.payload and letter.payload_size > 0


def test_a_time_beyond_the_tolerance_is_refused_and_one_within_it_kept(platform, tenant_id, fleet):
    now = platform.clock.now()
    items = [
        {"device_id": "DEV-00", "pm25": 1, "observedAt": iso(now + timedelta(minutes=4))},
        {"device_id": "DEV-00", "pm25": 2, "observedAt": iso(now + timedelta(minutes=6))},
    ]
    outcome = ingest_items(platform, tenant_id, items)
    assert outcome.stored == 1
    assert [(x.reason.value, x.index) for x in outcome.letters] == [("future_time", 1)]


def test_unknown_and_retired_devices_are_dead_letters_and_the_good_readings_are_kept(
    platform, tenant_id, admin, fleet
):
    from smartcity.sensing import service

    with platform.db.session() as s:
        service.retire_device(s, platform, admin, device_id="DEV-02")
    items = [
        {"device_id": "DEV-00", "pm25": 5},
        {"device_id": "NOBODY", "pm25": 5},
        {"device_id": "DEV-02", "LAeq": 50},
        {"pm25": 5},
        "not an object",
        {"device_id": "DEV-00", "no2": 7},
    ]
    outcome = ingest_items(platform, tenant_id, items)
    assert outcome.stored == 2
    assert [(x.index, x.reason.value) for x in outcome.letters] == [
        (1, "unknown_device"),
        (2, "retired_device"),
        (3, "invalid_payload"),
        (4, "invalid_payload"),
    ]
    assert len(_letters(platform)) == 4


def test_another_tenants_device_is_unknown(platform, tenant_id, other_tenant_admin, fleet):
    suzhou = other_tenant_admin.tenant_id
    outcome = ingest_items(platform, suzhou, [{"device_id": "DEV-00", "pm25": 5}])
    assert [x.reason.value for x in outcome.letters] == ["unknown_device"]
    assert _entity(platform, suzhou, "urn:ngsi-ld:AirQualityObserved:DEV-00") is None


def test_a_redelivered_reading_is_stored_once(platform, tenant_id, fleet):
    item = {"device_id": "DEV-00", "pm25": 35, "no2": 4, "observedAt": iso(platform.clock.now())}
    first = ingest_items(platform, tenant_id, [item])
    again = ingest_items(platform, tenant_id, [item, {**item, "pm25": 36}])
    assert (first.stored, first.duplicates) == (2, 0)
    assert (again.stored, again.duplicates) == (0, 4)
    entity_id = "urn:ngsi-ld:AirQualityObserved:DEV-00"
    assert [i["value"] for i in _history(platform, tenant_id, entity_id, PM25)] == [35]
    with platform.db.session() as s:
        assert s.scalar(select(func.count()).select_from(ReadingReceipt)) == 2


def test_the_same_reading_twice_in_one_batch_is_stored_once(platform, tenant_id, fleet):
    item = {"device_id": "DEV-00", "pm25": 35, "observedAt": iso(platform.clock.now())}
    outcome = ingest_items(platform, tenant_id, [item, item])
    assert (outcome.stored, outcome.duplicates) == (1, 1)


def test_a_report_moves_last_seen_battery_and_signal_and_wakes_a_silent_device(
    platform, tenant_id, admin, fleet
):
    from smartcity.sensing import service

    with platform.db.session() as s:
        service.update_device(s, platform, admin, device_id="DEV-00", changes={"status": "silent"})
    at = platform.clock.now() - timedelta(minutes=2)
    item = {
        "device_id": "DEV-00",
        "pm25": 3,
        "batteryLevel": 0.8,
        "rssi": -71,
        "observedAt": iso(at),
    }
    ingest_items(platform, tenant_id, [item])
    with platform.db.session() as s:
        device = s.scalar(select(Device).where(Device.device_id == "DEV-00"))
        assert (device.last_seen_at, device.battery_level, device.rssi_dbm) == (at, 0.8, -71)
        assert device.status == "active"
    older = {"device_id": "DEV-00", "pm25": 4, "observedAt": iso(at - timedelta(hours=1))}
    ingest_items(platform, tenant_id, [older])
    with platform.db.session() as s:
        device = s.scalar(select(Device).where(Device.device_id == "DEV-00"))
        assert device.last_seen_at == at and device.battery_level == 0.8  # never backwards
    device_entity = _entity(platform, tenant_id, "urn:ngsi-ld:Device:DEV-00").attrs
    core = platform.contexts.core
    assert device_entity[core.stored_name("batteryLevel")]["value"] == 0.8
    assert device_entity[core.stored_name("deviceState")]["value"] == "active"


def test_a_battery_reported_after_an_operators_change_still_becomes_current(
    platform, tenant_id, admin, fleet
):
    from smartcity.sensing import service

    at = platform.clock.now() - timedelta(minutes=10)
    ingest_items(
        platform, tenant_id, [{"device_id": "DEV-00", "batteryLevel": 0.8, "observedAt": iso(at)}]
    )
    with platform.db.session() as s:  # the registry rewrites the Device entity
        service.update_device(s, platform, admin, device_id="DEV-00", changes={"name": "renamed"})
    later = {
        "device_id": "DEV-00",
        "batteryLevel": 0.5,
        "observedAt": iso(at + timedelta(minutes=5)),
    }
    ingest_items(platform, tenant_id, [later])
    attrs = _entity(platform, tenant_id, "urn:ngsi-ld:Device:DEV-00").attrs
    assert attrs[platform.contexts.core.stored_name("batteryLevel")]["value"] == 0.5


def test_a_device_key_takes_only_its_own_readings(platform, tenant_id, fleet):
    items = [{"pm25": 1}, {"device_id": "DEV-00", "no2": 2}, {"device_id": "DEV-01", "pH": 7}]
    outcome = ingest_items(platform, tenant_id, items, only_device="DEV-00")
    assert outcome.stored == 2
    assert [(x.index, x.reason.value) for x in outcome.letters] == [(2, "foreign_device")]


def test_a_custom_entity_id_is_fed(platform, tenant_id, admin):
    register(
        platform, admin, "AQ-X", DeviceKind.AIR_QUALITY_STATION, entity_id="urn:ngsi-ld:AQ:site-9"
    )
    ingest_items(platform, tenant_id, [{"device_id": "AQ-X", "pm25": 1}])
    assert _entity(platform, tenant_id, "urn:ngsi-ld:AQ:site-9") is not None
