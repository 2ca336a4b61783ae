"""The issue's faults, against Mosquitto: the worker killed (SIGKILL) in the middle of 100,000
readings, the database away for a while, and 10,000 malformed payloads among valid ones."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy.engine import make_url

from smartcity.core.settings import load_settings
from smartcity.platform import Platform
from tests.conftest import SECRET
from tests.sensing.mqtt.helpers import (
    AIR,
    TcpProxy,
    count_distinct_history,
    count_history,
    count_receipts,
    dead_letters,
    forget_session,
    iso,
    publisher,
    readings_of,
    register_station,
    running_worker,
    stream,
    unique,
    wait_until,
    worker_config,
)

PG_ONLY = [pytest.param("postgresql", marks=pytest.mark.postgresql)]


class IngestProcess:
    """`smartcity ingest` as its own process, as an operator runs it."""

    def __init__(self, database_url: str, data_dir: Path, url: str, client_id: str, topic: str):
        env = {
            **os.environ,
            "SMARTCITY_DATABASE_URL": database_url,
            "SMARTCITY_DATA_DIR": str(data_dir),
            "SMARTCITY_SECRET_KEY": SECRET,
            "SMARTCITY_MQTT_TOPIC": topic,
            "SMARTCITY_LOG_LEVEL": "warning",
        }
        command = [sys.executable, "-m", "smartcity", "ingest", "--mqtt-url", url]
        command += ["--client-id", client_id, "--batch", "10"]
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        line = self.process.stdout.readline()  # printed once subscribed
        if "ingesting" not in line:
            self.process.kill()
            raise AssertionError(
                f"smartcity ingest did not start: {line}{self.process.stderr.read()}"
            )

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def terminate(self) -> str:
        self.process.terminate()
        out, _ = self.process.communicate(timeout=60)
        assert self.process.returncode == 0, self.process.stderr
        return out


def test_a_worker_killed_mid_stream_stores_every_reading_exactly_once_after_restart(
    platform, mosquitto, own_city, database_url, tmp_path
):
    for n in range(len(own_city.stations), 10):
        own_city.stations.append(register_station(platform, own_city, f"AQ-{n:03d}"))
    start = platform.clock.now() - timedelta(days=30)
    messages = stream(own_city, start, 500, observations=25)  # 200 readings a message
    total = readings_of(messages)
    assert total == 100_000
    client_id = unique("kill-")
    args = (database_url, tmp_path / "var", mosquitto.worker_url, client_id, own_city.topic_filter)
    first = IngestProcess(*args)
    with publisher(mosquitto.publisher_url) as pub:
        pub.publish(messages)
    wait_until(lambda: count_receipts(platform, own_city.tenant_id) > 0, "a first commit")
    first.kill()
    at_kill = count_receipts(platform, own_city.tenant_id)
    assert 0 < at_kill < total
    second = IngestProcess(*args)
    wait_until(lambda: count_receipts(platform, own_city.tenant_id) == total, "all readings")
    said = second.terminate()
    assert "stopped:" in said
    forget_session(worker_config(mosquitto, own_city, client_id=client_id))
    assert count_history(platform, own_city.tenant_id) == total
    assert count_distinct_history(platform, own_city.tenant_id) == total


@pytest.mark.parametrize("backend", PG_ONLY)
def test_the_worker_waits_for_the_database_and_loses_nothing(
    platform, mosquitto, own_city, database_url
):
    url = make_url(database_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    proxied = Platform.from_settings(load_settings(database_url=through, secret_key=SECRET))
    start = platform.clock.now() - timedelta(days=10)
    messages = stream(own_city, start, 200, observations=4)
    before, during = messages[:100], messages[100:]
    config = worker_config(mosquitto, own_city)
    try:
        with running_worker(proxied, config) as worker, publisher(mosquitto.publisher_url) as pub:
            pub.publish(before)
            stored = "smartcity_mqtt_readings_stored"
            wait_until(lambda: worker.value(stored) == readings_of(before), "the first half")
            proxy.cut()
            pub.publish(during)
            wait_until(lambda: worker.value("smartcity_mqtt_store_retries") >= 3, "retries")
            assert worker.value("smartcity_mqtt_messages_acknowledged") == len(before)
            proxy.restore()
            wait_until(lambda: worker.value(stored) == readings_of(messages), "every reading")
            acked = "smartcity_mqtt_messages_acknowledged"  # just after the commit
            wait_until(lambda: worker.value(acked) == len(messages), "every message acknowledged")
    finally:
        proxied.close()
        proxy.close()
    forget_session(config)
    assert count_history(platform, own_city.tenant_id) == readings_of(messages)
    assert count_distinct_history(platform, own_city.tenant_id) == readings_of(messages)


def _malformed(own_city, n: int, now) -> tuple[str, bytes]:
    """The n-th malformed payload: each makes exactly one dead letter."""
    device = own_city.stations[n % len(own_city.stations)]
    topic = own_city.topic(device)
    at = iso(now - timedelta(days=40, seconds=n))
    kinds = [
        (topic, b"{not json " + str(n).encode()),
        (topic, f'{{"pm25": NaN, "observedAt": "{at}"}}'.encode()),
        (topic, orjson.dumps({"pm25": 1, "observedAt": iso(now + timedelta(days=1))})),
        (topic, orjson.dumps({"toaster": n, "observedAt": at})),
        (own_city.topic(f"GHOST-{n}"), orjson.dumps({"pm25": 1, "observedAt": at})),
        (topic, orjson.dumps({"pm25": -1 - n, "observedAt": at})),
        (topic, orjson.dumps({"pm25": 1, "observedAt": "yesterday"})),
        (topic, b"[]"),
        (own_city.topic(device, "toaster"), orjson.dumps({"pm25": 1})),
        (topic, b'"just words"'),
    ]
    return kinds[n % len(kinds)]


def test_ten_thousand_malformed_payloads_among_valid_ones(platform, mosquitto, own_city):
    now = platform.clock.now()
    valid = stream(own_city, now - timedelta(days=20), 2000)
    bad = [_malformed(own_city, n, now) for n in range(10_000)]
    mixed = []
    for i, message in enumerate(valid):  # one valid, five malformed, and so on
        mixed += [message, *bad[5 * i : 5 * i + 5]]
    config = worker_config(mosquitto, own_city, batch_messages=500)
    with running_worker(platform, config) as worker, publisher(mosquitto.publisher_url) as pub:
        acked = "smartcity_mqtt_messages_acknowledged"
        pub.publish(mixed, taken=lambda: worker.value(acked))
        wait_until(lambda: worker.value(acked) == len(mixed), "every message acknowledged")
    forget_session(config)
    assert count_history(platform, own_city.tenant_id) == readings_of(valid)
    prefix = f"city/{own_city.slug}/"
    letters = [d for d in dead_letters(platform) if d.route.startswith(prefix)]
    assert len(letters) == 10_000
    assert all(d.reason and d.message for d in letters)
    assert {d.reason for d in letters} == {
        "unparseable",
        "not_finite",
        "future_time",
        "unknown_attribute",
        "unknown_device",
        "schema_violation",
        "bad_time",
        "invalid_payload",
        "bad_topic",
    }
    assert readings_of(valid) == 2000 * len(AIR)
