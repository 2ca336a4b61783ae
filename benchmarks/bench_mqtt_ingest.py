"""MQTT ingestion end to end: readings per second from a publisher through the broker and
`smartcity ingest` worker processes into the database (stored and queryable), QoS 1, beside a
baseline measured in the same run.

- messages: what an air quality station sends every five minutes, its last five one-minute
  observations of eight quantities (pm25, pm10, no2, so2, co, o3, temperature, relativeHumidity):
  40 readings a message, from 1,000 registered stations, every reading distinct;
- figure: readings published and stored (receipts, history and current values committed) per
  second, publishing for 60 s (`--quick`: 10 s) and then until the last reading is stored; zero
  loss means every published reading is counted in the database;
- baseline: a bare paho subscriber (its own process, QoS 1, no parsing or storage) receiving the
  same messages from the same broker and the same publisher;
- flow: the publisher keeps at most WINDOW messages published but not yet stored (or received),
  as Mosquitto drops what overflows a session's queue (max_queued_messages, 1000 by default);
- then the same with two workers sharing the stream (`$share/<group>/…`, `--workers 2`);
- for reference, the ingestion core alone (`ingest_messages` in this process on batches of the
  same messages, no broker), the ceiling any worker is held to.

Run: python benchmarks/bench_mqtt_ingest.py [--quick] [--postgres] [--broker mosquitto|embedded]
     [--mqtt-url mqtt://127.0.0.1:1883] [--workers 1|2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).parent))
from ngsild_bench import SECRET, database, machine, prepare, write_report

TARGET = 20_000  # readings per second
STATIONS = 1_000
OBSERVATIONS = 5  # one-minute observations a message
QUANTITIES = {
    "pm25": 35.5,
    "pm10": 61.0,
    "no2": 40.0,
    "so2": 8.0,
    "co": 0.7,
    "o3": 90.0,
    "temperature": 21.5,
    "relativeHumidity": 0.55,
}
PER_MESSAGE = OBSERVATIONS * len(QUANTITIES)
WINDOW = 900  # messages published and not yet stored, below Mosquitto's session queue
CHUNK = 50
BATCH = 250  # messages a worker stores and acknowledges together (10,000 readings)
DEFAULT_OUT = Path("var/bench/mqtt_ingest.json")
START = datetime(2026, 1, 5, tzinfo=UTC)
DEFAULT_CONTEXT = "https://uri.etsi.org/ngsi-ld/default-context/"


def register(url: str, slug: str) -> None:
    """A tenant of the run's own (its slug is in the topics) and its 1,000 stations."""
    from smartcity.core.settings import load_settings
    from smartcity.platform import Platform
    from smartcity.security import service as security
    from smartcity.sensing import service as sensing
    from smartcity.sensing.device_types import DeviceKind
    from smartcity.sensing.schemas import DeviceCreate

    plat = Platform.from_settings(load_settings(database_url=url, secret_key=SECRET))
    try:
        with plat.db.session() as session:
            tenant = security.ensure_tenant(
                session, plat.clock, slug=slug, name_zh="基准", name_en="Bench"
            )
            admin = security.system_principal(tenant, "bench")
            for n in range(STATIONS):
                spec = DeviceCreate(
                    device_id=f"AQ-{n:04d}",
                    type=DeviceKind.AIR_QUALITY_STATION,
                    lon=121.0 + (n % 100) * 0.008,
                    lat=30.8 + (n // 100) * 0.06,
                    credentials=[],
                )
                sensing.create_device(session, plat, admin, spec)
    finally:
        plat.close()


def message(slug: str, n: int, epoch: int) -> tuple[str, bytes]:
    """The n-th message of a run: station n % 1000, its own five minutes (none repeats)."""
    station = n % STATIONS
    first = START + timedelta(days=epoch, minutes=(n // STATIONS) * OBSERVATIONS)
    items = [
        {"observedAt": (first + timedelta(minutes=i)).isoformat().replace("+00:00", "Z")}
        | QUANTITIES
        for i in range(OBSERVATIONS)
    ]
    topic = f"city/{slug}/air_quality_station/AQ-{station:04d}/attrs"
    return topic, orjson.dumps(items)


def connect(url: str, client_id: str, *, clean: bool = True) -> mqtt.Client:
    from smartcity.sensing.mqtt.address import parse_broker_url

    address = parse_broker_url(url)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv311,
        clean_session=clean,
    )
    if address.username is not None:
        client.username_pw_set(address.username, address.password)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(address.host, address.port)
    return client


def publish_for(
    url: str, slug: str, seconds: float, done: Callable[[], int], epoch: int
) -> tuple[int, float]:
    """Publish for `seconds`, at most WINDOW messages ahead of `done()`; (messages, started)."""
    client = connect(url, f"bench-pub-{uuid.uuid4().hex[:8]}")
    client.loop_start()
    published, started = 0, time.perf_counter()
    infos = []
    while time.perf_counter() - started < seconds:
        if published - done() > WINDOW - CHUNK:
            time.sleep(0.005)
            continue
        for n in range(published, published + CHUNK):
            topic, payload = message(slug, n, epoch)
            infos.append(client.publish(topic, payload, qos=1))
        published += CHUNK
    for info in infos:
        info.wait_for_publish(120)
    client.disconnect()
    client.loop_stop()
    return published, started


def wait_for(count: int, done: Callable[[], int], timeout: float = 180) -> float:
    """When `done()` reached `count` (perf_counter), or the time it gave up."""
    deadline = time.perf_counter() + timeout
    while done() < count and time.perf_counter() < deadline:
        time.sleep(0.01)
    return time.perf_counter()


class Poll:
    """A counter read every `every` seconds in a thread; `value()` is the last reading."""

    def __init__(self, read: Callable[[], int], every: float) -> None:
        self.read, self.every = read, every
        self.last = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.last = self.read()
            self._stop.wait(self.every)

    def value(self) -> int:
        return self.last

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)


# --- the baseline: a bare subscriber in its own process ---------------------------------------


def bare_subscriber(url: str, topic: str) -> None:
    """Count messages received with QoS 1 and print the count as it grows."""
    received = [0]
    subscribed = threading.Event()
    client = connect(url, f"bench-bare-{uuid.uuid4().hex[:8]}")
    client.on_message = lambda *_: received.__setitem__(0, received[0] + 1)
    client.on_subscribe = lambda *_: subscribed.set()
    client.subscribe(topic, qos=1)
    client.loop_start()
    subscribed.wait(10)
    print("ready", flush=True)
    last = -1
    while True:
        if received[0] != last:
            last = received[0]
            print(last, flush=True)
        time.sleep(0.01)


def run_baseline(url: str, slug: str, seconds: float) -> dict[str, Any]:
    topic = f"city/{slug}/+/+/attrs"
    command = [sys.executable, __file__, "--bare-subscriber", url, topic]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    received = [0]

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            received[0] = int(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        published, started = publish_for(url, slug, seconds, lambda: received[0], epoch=-400)
        ended = wait_for(published, lambda: received[0])
    finally:
        process.terminate()
        process.wait()
    return {
        "readings_per_second": round(received[0] * PER_MESSAGE / (ended - started)),
        "messages": published,
        "received": received[0],
    }


def run_core(db_url: str, slug: str, seconds: float) -> dict[str, Any]:
    """For reference: the ingestion core alone, in this process, on batches of the same
    messages (no broker, no worker): the ceiling the workers are held to."""
    from smartcity.core.settings import load_settings
    from smartcity.platform import Platform
    from smartcity.sensing.ingest.messages import ingest_messages

    plat = Platform.from_settings(load_settings(database_url=db_url, secret_key=SECRET))
    stored, n, started = 0, 0, time.perf_counter()
    try:
        while time.perf_counter() - started < seconds:
            batch = [message(slug, i, epoch=-800) for i in range(n, n + BATCH)]
            stored += ingest_messages(plat, batch, datetime.now(UTC)).stored
            n += BATCH
    finally:
        plat.close()
    return {"readings_per_second": round(stored / (time.perf_counter() - started))}


# --- the figure: publisher → broker → `smartcity ingest` processes → database ------------------


@contextmanager
def workers(
    db_url: str, data_dir: str, mqtt_url: str, slug: str, count: int, protocol: str
) -> Iterator[list[str]]:
    """`count` worker processes sharing the stream when more than one; their client ids."""
    group = f"bench{uuid.uuid4().hex[:8]}" if count > 1 else ""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SMARTCITY_")},
        "SMARTCITY_DATABASE_URL": db_url,
        "SMARTCITY_DATA_DIR": data_dir,
        "SMARTCITY_SECRET_KEY": SECRET,
        "SMARTCITY_LOG_LEVEL": "warning",
        "SMARTCITY_MQTT_TOPIC": f"city/{slug}/+/+/attrs",
        "SMARTCITY_MQTT_PROTOCOL": protocol,
    }
    ids = [f"bench-w{n}-{uuid.uuid4().hex[:8]}" for n in range(count)]
    processes = []
    for client_id in ids:
        command = [str(Path(sys.executable).parent / "smartcity"), "ingest", "--mqtt-url", mqtt_url]
        command += ["--client-id", client_id, "--batch", str(BATCH), "--share-group", group]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        processes.append(process)
        line = process.stdout.readline() if process.stdout else ""
        if "ingesting" not in line:
            raise RuntimeError(f"smartcity ingest did not start: {line}")
    try:
        yield ids
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(60)
        for client_id in ids:  # leave no persistent session behind on the broker
            forget = mqtt.Client(
                CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
            )
            from smartcity.sensing.mqtt.address import parse_broker_url

            address = parse_broker_url(mqtt_url)
            if address.username is not None:
                forget.username_pw_set(address.username, address.password)
            try:
                forget.connect(address.host, address.port, clean_start=True)
                forget.loop(1.0)
                forget.disconnect()
            except OSError:
                pass


def stored_readings(engine: Any, tenant_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM reading_receipts WHERE tenant_id = :t"), {"t": tenant_id}
        ).scalar_one()


def history_rows(engine: Any, tenant_id: int) -> int:
    names = [DEFAULT_CONTEXT + q for q in QUANTITIES]
    marks = ", ".join(f":a{i}" for i in range(len(names)))
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT count(*) FROM ngsi_attribute_instances"
                f" WHERE tenant_id = :t AND attr IN ({marks})"
            ),
            {"t": tenant_id, **{f"a{i}": name for i, name in enumerate(names)}},
        ).scalar_one()


def run_workers(
    db_url: str, data_dir: str, mqtt_url: str, slug: str, count: int, seconds: float, protocol: str
) -> dict[str, Any]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        tenant_id = conn.execute(
            text("SELECT id FROM tenants WHERE slug = :s"), {"s": slug}
        ).scalar_one()
    before = stored_readings(engine, tenant_id)
    history_before = history_rows(engine, tenant_id)
    poll = Poll(lambda: (stored_readings(engine, tenant_id) - before) // PER_MESSAGE, 0.25)
    try:
        with workers(db_url, data_dir, mqtt_url, slug, count, protocol):
            published, started = publish_for(mqtt_url, slug, seconds, poll.value, epoch=count)
            ended = wait_for(published, poll.value)
    finally:
        poll.close()
    stored = stored_readings(engine, tenant_id) - before
    history = history_rows(engine, tenant_id) - history_before
    engine.dispose()
    expected = published * PER_MESSAGE
    rate = stored / (ended - started)
    return {
        "workers": count,
        "readings_per_second": round(rate),
        "published_readings": expected,
        "stored_readings": stored,
        "history_rows": history,
        "lost": expected - stored,
        "seconds": round(ended - started, 2),
    }


@contextmanager
def broker(kind: str, url: str) -> Iterator[tuple[str, str]]:
    """(URL, the workers' MQTT version) of the broker under test."""
    if kind == "mosquitto":
        yield url, "5"
        return
    from smartcity.sensing.mqtt.broker import EmbeddedBroker, Logins

    embedded = EmbeddedBroker(Logins(None))
    embedded.start()
    try:
        yield embedded.worker_url, "3.1.1"
    finally:
        embedded.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="publish for 10 s instead of 60 s")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--broker", choices=["mosquitto", "embedded"], default="mosquitto")
    parser.add_argument("--mqtt-url", default="mqtt://127.0.0.1:1883")
    parser.add_argument("--workers", type=int, choices=[1, 2], help="default: 1, then 2")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--bare-subscriber", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_subscriber:
        bare_subscriber(*args.bare_subscriber)
        return
    seconds = 10.0 if args.quick else 60.0
    backend = "postgresql" if args.postgres else "sqlite"
    counts = [args.workers] if args.workers else [1, 2]
    if args.broker == "embedded" and 2 in counts:
        print("the embedded broker (amqtt) has no shared subscriptions: one worker only")
        counts = [1]
    slug = f"bench{uuid.uuid4().hex[:8]}"
    report: dict[str, Any] = {
        "machine": {**machine(), "load_generator": "python (paho-mqtt, 1 publisher)"},
        "quick": args.quick,
        "backend": backend,
        "broker": args.broker,
        "readings_per_message": PER_MESSAGE,
        "batch_messages": BATCH,
        "target_per_second": TARGET,
        "runs": [],
    }
    with (
        database(backend, "smartcity_bench_mqtt") as db_url,
        broker(args.broker, args.mqtt_url) as (mqtt_url, protocol),
    ):
        prepare(db_url)
        register(db_url, slug)
        baseline = run_baseline(mqtt_url, slug, seconds)
        report["baseline"] = baseline
        report["reference_core_in_process"] = run_core(db_url, slug, min(seconds, 20.0))
        for count in counts:
            with _data_dir() as data_dir:
                result = run_workers(db_url, data_dir, mqtt_url, slug, count, seconds, protocol)
            result["ratio"] = round(
                result["readings_per_second"] / baseline["readings_per_second"], 3
            )
            result["met"] = result["readings_per_second"] >= TARGET and result["lost"] == 0
            result["share_of_core"] = round(
                result["readings_per_second"]
                / report["reference_core_in_process"]["readings_per_second"],
                3,
            )
            report["runs"].append(result)
            verdict = "met" if result["met"] else "NOT met"
            print(
                f"[{backend}, {args.broker}] MQTT ingest, {count} worker(s):"
                f" {result['readings_per_second']:>8,} readings/s"
                f"  baseline bare subscriber {baseline['readings_per_second']:>8,}/s"
                f"  ratio {result['ratio']:.2f}  target {TARGET:,}/s: {verdict}"
                f"  ({result['stored_readings']:,} of {result['published_readings']:,} stored,"
                f" {result['lost']:,} lost, {result['seconds']} s;"
                f" ingestion core alone in-process"
                f" {report['reference_core_in_process']['readings_per_second']:,}/s)"
            )
    write_report(args.out, report)
    print(f"written to {args.out}")


@contextmanager
def _data_dir() -> Iterator[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        yield folder


if __name__ == "__main__":
    main()
