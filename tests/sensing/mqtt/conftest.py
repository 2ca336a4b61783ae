"""MQTT fixtures: Mosquitto at 127.0.0.1:1883 (required under CI, skipped elsewhere when it
cannot be reached, as PostgreSQL is) and the embedded broker, each test with its own tenant."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from smartcity.sensing.mqtt.broker import EmbeddedBroker, Logins
from tests.sensing.mqtt.helpers import BrokerUnderTest, City, make_city

MOSQUITTO = os.environ.get("TEST_MQTT_URL", "mqtt://127.0.0.1:1883")


def _mosquitto_reachable() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 1883), timeout=2):
            return None
    except OSError as exc:
        return str(exc)


@pytest.fixture(scope="session")
def mosquitto() -> BrokerUnderTest:
    problem = _mosquitto_reachable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"Mosquitto is required under CI and cannot be reached: {problem}")
        pytest.skip(f"Mosquitto not reachable at 127.0.0.1:1883: {problem}")
    return BrokerUnderTest("mosquitto", MOSQUITTO, MOSQUITTO, protocol="5", shares=True)


@pytest.fixture
def embedded(platform) -> Iterator[BrokerUnderTest]:
    broker = EmbeddedBroker(Logins(platform))
    broker.start()
    yield BrokerUnderTest(
        "embedded", broker.worker_url, broker.worker_url, protocol="3.1.1", shares=False
    )
    broker.stop()


@pytest.fixture(params=["mosquitto", "embedded"])
def broker(request: pytest.FixtureRequest) -> BrokerUnderTest:
    return request.getfixturevalue(request.param)


@pytest.fixture
def own_city(platform) -> City:
    return make_city(platform)
