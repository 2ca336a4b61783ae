"""The registry's rules called directly, without HTTP."""

from __future__ import annotations

import pytest

from smartcity.core.errors import Conflict, NotFound, ValidationFailed
from smartcity.sensing import service
from smartcity.sensing.device_types import DEVICE_TYPES, DeviceKind
from smartcity.sensing.schemas import STATUSES, DeviceCreate
from tests.sensing.conftest import device_body


def test_every_status_has_its_transitions_and_retired_only_reactivates():
    assert set(service.TRANSITIONS) == set(STATUSES)
    assert all(targets <= set(STATUSES) for targets in service.TRANSITIONS.values())
    assert service.TRANSITIONS["retired"] == {"active"}
    assert all("retired" in service.TRANSITIONS[s] for s in ("active", "silent", "faulty"))


def test_every_type_names_smart_data_model_values():
    controlled = {"airPollution", "noiseLevel", "trafficFlow", "pressure", "smoke", "occupancy"}
    used = {p for t in DEVICE_TYPES.values() for p in t.controlled}
    assert controlled <= used
    assert set(DEVICE_TYPES) == set(DeviceKind)
    categories = {"sensor", "actuator", "meter", "network"}
    assert {c for t in DEVICE_TYPES.values() for c in t.categories} <= categories


def test_create_and_read_through_the_service(platform, admin, city):
    spec = DeviceCreate.model_validate(device_body("SV-1", city.cells[7], type="traffic_counter"))
    with platform.db.session() as s:
        device, issued = service.create_device(s, platform, admin, spec)
        assert device.cell_code == city.cells[7].code and issued.api_key
    with platform.db.session() as s:
        found = service.get_device(s, admin.tenant_id, "SV-1")
        assert found.entity_id == "urn:ngsi-ld:TrafficFlowObserved:SV-1"
        rows, total = service.list_devices(
            s, admin.tenant_id, service.Filters(type="traffic_counter")
        )
        assert total == 1 and rows[0].device_id == "SV-1"
        with pytest.raises(NotFound):
            service.get_device(s, admin.tenant_id + 1000, "SV-1")
        with pytest.raises(ValidationFailed):
            service.list_devices(s, admin.tenant_id, limit=0)


def test_reports_are_checked_and_retired_devices_report_nothing(platform, admin, city):
    spec = DeviceCreate.model_validate(device_body("SV-2", city.cells[8]))
    now = platform.clock.now()
    with platform.db.session() as s:
        service.create_device(s, platform, admin, spec)
    for bad in ({"battery_level": 1.5}, {"battery_level": -0.1}, {"rssi_dbm": 99.0}):
        with platform.db.session() as s, pytest.raises(ValidationFailed):
            service.record_report(s, platform, admin.tenant_id, "SV-2", seen_at=now, **bad)
    with platform.db.session() as s:
        service.retire_device(s, platform, admin, device_id="SV-2")
    with platform.db.session() as s, pytest.raises(Conflict):
        service.record_report(s, platform, admin.tenant_id, "SV-2", seen_at=now)
    with platform.db.session() as s:
        device = service.get_device(s, admin.tenant_id, "SV-2")
        assert device.last_seen_at is None and device.battery_level is None
