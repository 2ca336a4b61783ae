"""Alerts as NGSI-LD `Alert` entities (Smart Data Models): written with each change, and an
NGSI-LD subscription on type Alert is notified at a real HTTP receiver on loopback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from smartcity.context.subscriptions.delivery import deliver_due
from tests.context.api.conftest import Ngsi
from tests.context.subscriptions.conftest import serve_receiver
from tests.rules.conftest import threshold

ALERT_KEYS = {
    "id",
    "type",
    "category",
    "subCategory",
    "severity",
    "alertSource",
    "dateIssued",
    "validFrom",
    "alertStatus",
    "description",
    "location",
    "refDevice",
    "data",
    "name",
}


@pytest.fixture
def app_client(platform):
    from smartcity.web.app import create_app

    app = create_app(platform)
    app.state.background = False  # the test delivers notifications itself
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def ngsi(app_client, auth_headers):
    return Ngsi(app_client, auth_headers("admin"))


def test_an_alert_is_an_ngsi_ld_alert_entity_that_follows_its_lifecycle(
    platform, clock, ngsi, add_device, make_rule, send
):
    add_device("A1")
    make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="pm25",
        severity="high",
        params=threshold(75, 60),
    )
    at = clock.now() - timedelta(minutes=1)
    send("A1", (at, {"pm25": 99}))
    [found] = ngsi.get("/entities", params={"type": "Alert", "options": "keyValues"}).json()
    assert set(found) >= ALERT_KEYS
    assert (found["category"], found["subCategory"]) == ("environment", "airPollution")
    assert (found["severity"], found["alertStatus"]) == ("high", "raised")
    assert found["alertSource"] == "urn:ngsi-ld:AirQualityObserved:A1"
    assert found["refDevice"] == "urn:ngsi-ld:Device:A1"
    assert found["data"]["evidence"][0]["value"] == 99
    assert "validTo" not in found
    send("A1", (at + timedelta(seconds=30), {"pm25": 10}))
    entity = ngsi.get(f"/entities/{found['id']}", params={"options": "keyValues"}).json()
    assert entity["alertStatus"] == "resolved" and "validTo" in entity


def test_a_subscription_on_type_alert_is_notified_when_an_alert_is_raised(
    platform, clock, ngsi, add_device, make_rule, send
):
    platform.settings.notify_allow_private = True  # the receiver listens on loopback
    add_device("A1")
    make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="pm25",
        params=threshold(75, 60),
    )
    with serve_receiver() as receiver:
        subscription = {
            "type": "Subscription",
            "entities": [{"type": "Alert"}],
            "notification": {"endpoint": {"uri": receiver.url, "accept": "application/json"}},
        }
        assert ngsi.post("/subscriptions", subscription).status_code == 201
        send("A1", (clock.now() - timedelta(minutes=1), {"pm25": 50}))
        deliver_due(platform, platform.clock.now())
        assert receiver.bodies == []  # nothing fired, nothing to say
        send("A1", (clock.now(), {"pm25": 120}))
        deliver_due(platform, platform.clock.now())
        [notification] = receiver.bodies
    [alert] = notification["data"]
    assert alert["type"] == "Alert" and alert["alertStatus"]["value"] == "raised"
    assert alert["data"]["value"]["value"] == 120
