"""Publishing over MQTT (real Mosquitto at 127.0.0.1:1883, topics under a tenant of the test's
own): the rate cap holds, every report arrives with QoS 1, the background runner stops."""

from __future__ import annotations

import threading
import time

import orjson
import pytest

from smartcity.security import service as security
from smartcity.sensing import service as sensing
from smartcity.sensing.mqtt.broker import EmbeddedBroker, Logins
from smartcity.simulate.model import FaultRates
from smartcity.simulate.placement import Scale
from smartcity.simulate.publisher import TokenBucket
from smartcity.simulate.runner import SimulationConfig, prepare_run, start_background
from tests.simulate.conftest import unique_slug, wait_until


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_token_bucket_lets_through_its_rate_after_the_burst():
    fake = FakeTime()
    bucket = TokenBucket(100, burst=10, clock=fake.clock, sleep=fake.sleep)
    for _ in range(10):
        bucket.take()
    assert fake.now == 0.0
    for _ in range(200):
        bucket.take()
    assert fake.now == pytest.approx(2.0, rel=1e-6)


def test_the_token_bucket_refuses_a_rate_of_zero():
    with pytest.raises(ValueError):
        TokenBucket(0)


def test_the_rate_cap_holds_on_a_real_broker(mosquitto, subscribe):
    tenant = unique_slug()
    sub = subscribe(mosquitto, f"city/{tenant}/#")
    config = SimulationConfig(
        mosquitto,
        tenant=tenant,
        speed=3600,
        scale=Scale.DISTRICT,
        rate=200,
        duration=2.0,
        register=False,
    )
    prepared = prepare_run(config, None)
    try:
        stats = prepared.publisher.run(config.duration)
    finally:
        prepared.close()
    wait_until(lambda: sub.count() == stats.sent, "every message at the subscriber")
    burst = prepared.publisher.bucket.burst
    # Sending stops when the duration is up: at most the rate times it, plus one burst (and
    # the message that was waiting for a token when time ran out).
    assert sub.count() <= 200 * config.duration + burst + 1
    assert stats.sent >= 100  # the fleet had far more due than the cap let through
    # The subscription's window holds what the run sent, all of it: nothing lost under the cap.
    assert len({(topic, payload) for _, topic, payload in sub.received}) == stats.sent


def test_every_report_of_a_run_arrives_on_its_own_topic(mosquitto, subscribe):
    tenant = unique_slug()
    sub = subscribe(mosquitto, f"city/{tenant}/+/+/attrs")
    config = SimulationConfig(
        mosquitto,
        tenant=tenant,
        speed=600,
        scale=Scale.DISTRICT,
        duration=1.0,
        register=False,
        faults=FaultRates(silent=0, stuck=0, spike=0, drift=0),
    )
    prepared = prepare_run(config, None)
    try:
        stats = prepared.publisher.run(config.duration)
    finally:
        prepared.close()
    assert stats.sent > 0 and stats.acknowledged == stats.sent
    wait_until(lambda: sub.count() == stats.sent, "every message at the subscriber")
    ids = {d.device_id: d.kind.value for d in prepared.publisher.devices}
    for _, topic, payload in sub.received:
        _, slug, kind, device_id, _ = topic.split("/")
        assert slug == tenant and ids[device_id] == kind
        assert orjson.loads(payload)


def test_simulated_time_never_runs_ahead_of_the_wall_clock(mosquitto, subscribe):
    tenant = unique_slug()
    sub = subscribe(mosquitto, f"city/{tenant}/#")
    config = SimulationConfig(mosquitto, tenant=tenant, speed=100_000, duration=1.0, register=False)
    prepared = prepare_run(config, None)
    try:
        prepared.publisher.run(config.duration)
    finally:
        prepared.close()

    # The broker may drop some of a burst this size for a slow subscriber (its queue limit):
    # what matters is that none that arrive is stamped in the future, so wait until they stop.
    def settled() -> bool:
        now = sub.count()
        time.sleep(0.5)
        return now > 0 and sub.count() == now

    wait_until(settled, "the messages to stop arriving")
    assert sub.count() <= prepared.publisher.stats.sent
    latest = 0.0
    for _, _, payload in sub.received:
        body = orjson.loads(payload)
        for item in body if isinstance(body, list) else [body]:
            stamp = item.get("observedAt") or next(
                v["observedAt"] for v in item.values() if isinstance(v, dict)
            )
            latest = max(latest, _epoch(stamp))
    assert latest <= time.time() + 1


def _epoch(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp).timestamp()


def test_the_background_simulator_registers_logs_in_and_publishes_until_stopped(
    platform, streets_tenant, subscribe
):
    """The demo's way: the embedded broker, which only lets registered devices in."""
    with EmbeddedBroker(Logins(platform)) as broker:
        sub = subscribe(broker.worker_url, f"city/{streets_tenant}/#")
        stop = start_background(
            platform, broker.device_url, tenant=streets_tenant, scale="street", speed=3600
        )
        try:
            wait_until(lambda: sub.count() > 20, "messages from the background simulator")
        finally:
            stop()
        assert not [t for t in threading.enumerate() if t.name == "smartcity-simulate"]
    with platform.db.session() as session:
        tenant_id = security.get_tenant(session, slug=streets_tenant).id
        _, total = sensing.list_devices(session, tenant_id, sensing.Filters())
    assert total > 100


def test_the_progress_display_shows_rate_devices_episodes_and_faults(mosquitto):
    from rich.console import Console

    from smartcity.simulate.progress import render

    config = SimulationConfig(
        mosquitto, tenant=unique_slug(), speed=3600, duration=0.5, register=False
    )
    prepared = prepare_run(config, None)
    try:
        prepared.publisher.run(config.duration)
    finally:
        prepared.close()
    console = Console(record=True, width=160)
    console.print(render(prepared.publisher))
    text = console.export_text()
    for label in ("messages/s", "devices", "episodes", "faults", "readings"):
        assert label in text
    assert f"{len(prepared.publisher.devices):,}" in text


def test_several_processes_share_the_fleet_and_the_rate_cap(mosquitto, subscribe):
    tenant = unique_slug()
    sub = subscribe(mosquitto, f"city/{tenant}/#")
    config = SimulationConfig(
        mosquitto, tenant=tenant, speed=3600, rate=200, duration=2.0, register=False, processes=2
    )
    prepared = prepare_run(config, None)
    stats = prepared.publisher.run(config.duration)
    prepared.close()
    # Each process sends at most its half of the rate for the duration, plus its burst.
    assert 100 <= stats.sent <= 2 * (100 * 2.0 + 5 + 1)
    assert stats.acknowledged == stats.sent
    wait_until(lambda: sub.count() == stats.sent, "every message at the subscriber")
    topics = {topic for _, topic, _ in sub.received}
    assert len(topics) > 50  # devices of both shards
