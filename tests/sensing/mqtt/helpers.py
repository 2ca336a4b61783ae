"""MQTT test helpers: a tenant of one's own (its slug is in the topics, so parallel runs on one
broker never meet), air quality stations, a publisher, a worker in a thread, counts of what was
stored, and a TCP proxy that can cut the database away."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import func, select

from smartcity.context.models import AttributeInstance
from smartcity.platform import Platform
from smartcity.security import service as security
from smartcity.security.principal import Principal
from smartcity.sensing import service as sensing
from smartcity.sensing.device_types import DeviceKind
from smartcity.sensing.ingest.models import DeadLetter, ReadingReceipt
from smartcity.sensing.mqtt.address import parse_broker_url
from smartcity.sensing.mqtt.worker import IngestWorker, WorkerConfig
from smartcity.sensing.schemas import DeviceCreate

# What an air quality station reports at each observation (all within the model's ranges).
AIR = {
    "pm25": 35.5,
    "pm10": 61.0,
    "no2": 40.0,
    "so2": 8.0,
    "co": 0.7,
    "o3": 90.0,
    "temperature": 21.5,
    "relativeHumidity": 0.55,
}
POINT = (121.4737, 31.2304)
WAIT_SECONDS = 90.0
# Messages a session may have waiting on the broker (Mosquitto drops beyond its
# max_queued_messages, 1000 by default, plus the worker's in-flight window).
BROKER_QUEUE = 1000  # the longest any condition is waited for before the test fails


@dataclass(frozen=True)
class BrokerUnderTest:
    """A broker the tests run against, and how the worker and the publishers reach it."""

    name: str
    worker_url: str
    publisher_url: str
    protocol: str  # what the worker speaks to it
    shares: bool  # supports $share/<group>/… subscriptions


@dataclass(frozen=True)
class City:
    """A tenant of the test's own, with its stations."""

    slug: str
    tenant_id: int
    principal: Principal
    stations: list[str]

    def topic(self, device_id: str, kind: str = "air_quality_station") -> str:
        return f"city/{self.slug}/{kind}/{device_id}/attrs"

    @property
    def topic_filter(self) -> str:
        return f"city/{self.slug}/+/+/attrs"


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def make_city(platform: Platform, stations: int = 5) -> City:
    slug = unique("t")
    with platform.db.session() as session:
        tenant = security.ensure_tenant(
            session, platform.clock, slug=slug, name_zh="测试市", name_en="Test city"
        )
        principal = security.system_principal(tenant, "test")
        tenant_id = tenant.id
    city = City(slug, tenant_id, principal, [])
    for n in range(stations):
        city.stations.append(register_station(platform, city, f"AQ-{n:03d}"))
    return city


def register_station(
    platform: Platform, city: City, device_id: str, *, mqtt_login: bool = False
) -> str:
    spec = DeviceCreate(
        device_id=device_id,
        type=DeviceKind.AIR_QUALITY_STATION,
        lon=POINT[0],
        lat=POINT[1],
        credentials=["mqtt"] if mqtt_login else [],
    )
    with platform.db.session() as session:
        sensing.create_device(session, platform, city.principal, spec)
    return device_id


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def station_payload(start: datetime, first: int, observations: int) -> bytes:
    """`observations` consecutive minutes of every AIR attribute, from minute `first` on."""
    items = [
        {"observedAt": iso(start + timedelta(minutes=first + i)), **AIR}
        for i in range(observations)
    ]
    return orjson.dumps(items)


def stream(
    city: City, start: datetime, messages: int, observations: int = 1
) -> list[tuple[str, bytes]]:
    """Messages spread over the city's stations, every reading distinct (device, attr, time)."""
    out = []
    for n in range(messages):
        device = city.stations[n % len(city.stations)]
        minute = (n // len(city.stations)) * observations
        out.append((city.topic(device), station_payload(start, minute, observations)))
    return out


def readings_of(messages: Sequence[tuple[str, bytes]]) -> int:
    return sum(len(orjson.loads(p)) * len(AIR) for _, p in messages)


class Publisher:
    """A device gateway publishing with QoS 1; `publish` returns once the broker has them all."""

    def __init__(self, url: str, client_id: str | None = None) -> None:
        address = parse_broker_url(url)
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or unique("pub-"),
            protocol=mqtt.MQTTv311,
        )
        if address.username is not None:
            self.client.username_pw_set(address.username, address.password)
        self.client.max_inflight_messages_set(500)
        self.client.max_queued_messages_set(0)
        self.client.connect(address.host, address.port)
        self.client.loop_start()

    def publish(
        self,
        messages: Sequence[tuple[str, bytes]],
        qos: int = 1,
        *,
        taken: Callable[[], float] | None = None,
    ) -> None:
        """Publish; with `taken` (messages the worker has acknowledged so far), keep at most
        BROKER_QUEUE of them waiting, as a broker drops what overflows a session's queue."""
        infos = []
        for start in range(0, len(messages), 100):
            if taken is not None:
                ahead = start + 100 - BROKER_QUEUE
                wait_until(lambda ahead=ahead: taken() >= ahead, "the worker to catch up")
            chunk = messages[start : start + 100]
            infos += [self.client.publish(topic, payload, qos=qos) for topic, payload in chunk]
        for info in infos:
            info.wait_for_publish(WAIT_SECONDS)
            assert info.is_published(), "the broker did not take a message"

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@contextmanager
def publisher(url: str) -> Iterator[Publisher]:
    pub = Publisher(url)
    try:
        yield pub
    finally:
        pub.close()


def worker_config(broker: BrokerUnderTest, city: City, **extra: Any) -> WorkerConfig:
    values: dict[str, Any] = {
        "address": parse_broker_url(broker.worker_url),
        "client_id": unique("w-"),
        "protocol": broker.protocol,
        "batch_messages": 200,
        "batch_window": 0.05,
        "topic": city.topic_filter,
    }
    values.update(extra)
    return WorkerConfig(**values)


class RunningWorker:
    """A worker's `run()` in a thread."""

    def __init__(self, worker: IngestWorker) -> None:
        self.worker = worker
        self.thread = threading.Thread(target=worker.run, name="test-ingest", daemon=True)

    def value(self, name: str, **labels: str) -> float:
        return self.worker.metrics.value(name, **labels)

    def stop(self) -> None:
        self.worker.stop()
        self.thread.join(WAIT_SECONDS)
        assert not self.thread.is_alive(), "the worker did not stop"


@contextmanager
def running_worker(platform: Platform, config: WorkerConfig) -> Iterator[RunningWorker]:
    worker = IngestWorker(platform, config)
    worker.start()
    running = RunningWorker(worker)
    running.thread.start()
    try:
        yield running
    finally:
        if running.thread.is_alive():
            running.stop()


def forget_session(config: WorkerConfig) -> None:
    """Remove a worker's persistent session from the broker (tests leave nothing behind)."""
    address = config.address
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=config.client_id,
        protocol=mqtt.MQTTv5 if config.protocol == "5" else mqtt.MQTTv311,
        clean_session=None if config.protocol == "5" else True,
    )
    if address.username is not None:
        client.username_pw_set(address.username, address.password)
    try:
        if config.protocol == "5":
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = 0
            client.connect(address.host, address.port, clean_start=True, properties=props)
        else:
            client.connect(address.host, address.port)
        client.loop(1.0)
        client.disconnect()
    except OSError:
        pass  # the broker is gone already (an embedded one), and its sessions with it


def wait_until(condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
    """Poll until `condition()` holds; fail naming `what` if it never does."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {seconds:.0f} s")
        time.sleep(0.05)


DEFAULT_CONTEXT = "https://uri.etsi.org/ngsi-ld/default-context/"
READINGS_OF = AttributeInstance.attr.in_([DEFAULT_CONTEXT + name for name in AIR])


def count_history(platform: Platform, tenant_id: int) -> int:
    """History rows of the stations' readings (not their entities' location and device)."""
    with platform.db.session() as s:
        stmt = select(func.count()).where(AttributeInstance.tenant_id == tenant_id, READINGS_OF)
        return s.scalar(stmt.select_from(AttributeInstance)) or 0


def count_distinct_history(platform: Platform, tenant_id: int) -> int:
    """History rows counted once per (entity, attribute, observation time)."""
    with platform.db.session() as s:
        keys = (
            select(
                AttributeInstance.entity_id, AttributeInstance.attr, AttributeInstance.observed_at
            )
            .where(AttributeInstance.tenant_id == tenant_id, READINGS_OF)
            .distinct()
            .subquery()
        )
        return s.scalar(select(func.count()).select_from(keys)) or 0


def count_receipts(platform: Platform, tenant_id: int) -> int:
    with platform.db.session() as s:
        stmt = select(func.count()).where(ReadingReceipt.tenant_id == tenant_id)
        return s.scalar(stmt.select_from(ReadingReceipt)) or 0


def dead_letters(platform: Platform, tenant_id: int | None = None) -> list[DeadLetter]:
    with platform.db.session() as s:
        stmt = select(DeadLetter)
        if tenant_id is not None:
            stmt = stmt.where(DeadLetter.tenant_id == tenant_id)
        rows = list(s.scalars(stmt))
        s.expunge_all()
        return rows


class TcpProxy:
    """A loopback TCP relay to one address that can be cut (every connection closed, new ones
    refused) and restored: the database going away and coming back."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._closing = False
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                pump = threading.Thread(target=self._pump, args=(a, b), daemon=True)
                self._threads.append(pump)
                pump.start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.open = False
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()
        self._accepting.join(5)
        for pump in self._threads:
            pump.join(5)
