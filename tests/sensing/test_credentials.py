"""Device credentials: shown once, kept as hashes, rotated, revoked on retirement, and usable by
the ingestion to come (HTTP API key, MQTT username/password)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from smartcity.core.errors import Unauthenticated
from smartcity.sensing import service
from smartcity.sensing.models import Device
from tests.sensing.conftest import device_body


def _row(platform, device_id: str) -> Device:
    with platform.db.session() as s:
        return s.scalars(select(Device).where(Device.device_id == device_id)).one()


def test_credentials_are_shown_once_and_stored_only_as_hashes(devices, city, platform):
    created = devices.create(device_body("K-1", city.cells[0]))
    issued = created["issued"]
    key, password = issued["api_key"], issued["mqtt_password"]
    assert key.startswith("scd_") and len(password) >= 32
    assert issued["mqtt_username"] == "K-1@shanghai" == created["mqtt_username"]
    assert created["api_key_prefix"] == key.split("_")[1]
    assert created["credentials"] == ["api_key", "mqtt"]
    for later in (devices.get("K-1").text, devices.request("GET").text):
        assert key not in later and password not in later and '"issued"' not in later
    row = _row(platform, "K-1")
    secret = key.split("_", 2)[2]
    assert row.api_key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.mqtt_password_hash == hashlib.sha256(password.encode()).hexdigest()
    stored = repr({c.name: getattr(row, c.name) for c in Device.__table__.columns})
    assert secret not in stored and password not in stored


def test_a_device_can_be_given_only_some_credentials(devices, city):
    only_key = devices.create(device_body("K-2", city.cells[0], credentials=["api_key"]))
    assert only_key["issued"]["mqtt_password"] is None and only_key["mqtt_username"] is None
    none = devices.create(device_body("K-3", city.cells[1], credentials=[]))
    assert none["credentials"] == [] and none["issued"]["api_key"] is None


def test_the_credentials_authenticate_their_device(devices, city, platform):
    issued = devices.create(device_body("K-4", city.cells[0]))["issued"]
    with platform.db.session() as s:
        assert service.authenticate_api_key(s, issued["api_key"]).device_id == "K-4"
        by_mqtt = service.authenticate_mqtt(s, "K-4@shanghai", issued["mqtt_password"])
        assert by_mqtt.device_id == "K-4"
        for wrong in (issued["api_key"] + "x", "scd_000000000000_x", "sck_abc", ""):
            with pytest.raises(Unauthenticated):
                service.authenticate_api_key(s, wrong)
        with pytest.raises(Unauthenticated):
            service.authenticate_mqtt(s, "K-4@shanghai", "guess")
        with pytest.raises(Unauthenticated):
            service.authenticate_mqtt(s, "K-4@suzhou", issued["mqtt_password"])


def test_rotation_shows_new_secrets_once_and_the_old_ones_stop_working(devices, city, platform):
    old = devices.create(device_body("K-5", city.cells[0]))["issued"]
    response = devices.request("POST", "/K-5/credentials")
    assert response.status_code == 200
    new = response.json()
    assert new["api_key"] != old["api_key"] and new["mqtt_password"] != old["mqtt_password"]
    assert new["mqtt_username"] == old["mqtt_username"]
    with platform.db.session() as s:
        with pytest.raises(Unauthenticated):
            service.authenticate_api_key(s, old["api_key"])
        with pytest.raises(Unauthenticated):
            service.authenticate_mqtt(s, "K-5@shanghai", old["mqtt_password"])
        assert service.authenticate_api_key(s, new["api_key"]).device_id == "K-5"
    assert new["api_key"] not in devices.get("K-5").text


def test_rotation_can_change_which_credentials_a_device_holds(devices, city):
    devices.create(device_body("K-6", city.cells[0]))
    new = devices.request("POST", "/K-6/credentials", json={"kinds": ["mqtt"]}).json()
    assert new["api_key"] is None and new["mqtt_password"]
    device = devices.get("K-6").json()
    assert device["credentials"] == ["mqtt"] and device["api_key_prefix"] is None
    twice = devices.request("POST", "/K-6/credentials", json={"kinds": ["mqtt", "mqtt"]})
    assert twice.status_code == 422


def test_a_retired_device_can_no_longer_authenticate(devices, city, platform):
    issued = devices.create(device_body("K-7", city.cells[0]))["issued"]
    devices.request("POST", "/K-7/retire")
    with platform.db.session() as s:
        with pytest.raises(Unauthenticated):
            service.authenticate_api_key(s, issued["api_key"])
        with pytest.raises(Unauthenticated):
            service.authenticate_mqtt(s, "K-7@shanghai", issued["mqtt_password"])
    refused = devices.request("POST", "/K-7/credentials")
    assert refused.status_code == 409
    devices.patch("K-7", {"status": "active"})
    fresh = devices.request("POST", "/K-7/credentials").json()
    assert fresh["api_key"] and fresh["mqtt_password"]  # reactivated: both kinds again
