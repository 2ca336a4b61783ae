"""Simulator fixtures: a small generated city, as a map and loaded into a tenant of the test's
own (its slug is in the topics, so runs sharing a broker never meet), and a subscriber."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from smartcity.geo import service as geo
from smartcity.geo.layout import CityLayout, generate_shanghai
from smartcity.security import service as security
from smartcity.sensing.mqtt.address import parse_broker_url
from smartcity.simulate.placement import CityMap

MOSQUITTO = "mqtt://127.0.0.1:1883"
WAIT_SECONDS = 60.0


@pytest.fixture(scope="session")
def small_layout() -> CityLayout:
    """16 districts, 16 streets, about 300 cells."""
    return generate_shanghai(cells=100, streets=16, seed=7)


@pytest.fixture(scope="session")
def small_map(small_layout: CityLayout) -> CityMap:
    return CityMap.from_layout(small_layout)


@pytest.fixture(scope="session")
def streets_layout() -> CityLayout:
    """64 streets: Huangpu's first street holds about 300 devices."""
    return generate_shanghai(cells=300, streets=64, seed=7)


@pytest.fixture(scope="session")
def demo_map() -> CityMap:
    """The demo city as `smartcity demo` generates it (4,026 cells)."""
    return CityMap.from_layout(generate_shanghai(seed=2014))


def unique_slug() -> str:
    return f"sim{uuid.uuid4().hex[:10]}"


def load_tenant(platform, layout: CityLayout) -> str:
    """A tenant of the test's own with the city loaded; its slug."""
    slug = unique_slug()
    with platform.db.session() as session:
        tenant = security.ensure_tenant(
            session, platform.clock, slug=slug, name_zh="模拟市", name_en="Simulated city"
        )
        actor = security.system_principal(tenant, "test")
        geo.load_demo_city(session, platform.clock, actor, layout)
    return slug


@pytest.fixture
def city_tenant(platform, small_layout: CityLayout) -> str:
    return load_tenant(platform, small_layout)


@pytest.fixture
def streets_tenant(platform, streets_layout: CityLayout) -> str:
    return load_tenant(platform, streets_layout)


def wait_until(condition, what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {seconds:.0f} s")
        time.sleep(0.05)


@dataclass
class Subscriber:
    """Messages received on a topic filter, each with the monotonic time it arrived."""

    client: mqtt.Client
    received: list[tuple[float, str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.received)


@pytest.fixture
def mosquitto() -> str:
    """Mosquitto's URL: required under CI, skipped elsewhere when it cannot be reached."""
    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=2).close()
    except OSError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Mosquitto is required under CI and cannot be reached: {exc}")
        pytest.skip(f"Mosquitto not reachable at 127.0.0.1:1883: {exc}")
    return MOSQUITTO


@pytest.fixture
def subscribe() -> Iterator:
    """subscribe(url, filter) → a Subscriber, subscribed (QoS 1) when it returns."""
    made: list[Subscriber] = []

    def make(url: str, topic_filter: str) -> Subscriber:
        address = parse_broker_url(url)
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=unique_slug())
        if address.username is not None:
            client.username_pw_set(address.username, address.password)
        sub = Subscriber(client)
        subscribed = threading.Event()

        def on_message(_c, _u, message) -> None:
            with sub.lock:
                sub.received.append((time.monotonic(), message.topic, message.payload))

        client.on_message = on_message
        client.on_subscribe = lambda *_: subscribed.set()
        client.connect(address.host, address.port)
        client.loop_start()
        client.subscribe(topic_filter, qos=1)
        assert subscribed.wait(WAIT_SECONDS), "the subscription was not confirmed"
        made.append(sub)
        return sub

    yield make
    for sub in made:
        sub.client.disconnect()
        sub.client.loop_stop()
