"""Sending the fleet's reports over MQTT (paho-mqtt, QoS 1) in simulated time.

The simulated clock runs `speed` times faster than the wall clock from its start, but never
ahead of the wall clock: the ingestion refuses readings from the future, so a faster-than-life
run replays the recent past and, once it has caught up, goes on in real time. Each device
reports at its own period and phase; a token bucket caps the messages per second, and when the
cap binds the simulated clock falls behind rather than dropping reports.
"""

from __future__ import annotations

import heapq
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from smartcity.sensing.mqtt.address import BrokerAddress
from smartcity.simulate.model import SPECS, Fault, Simulation
from smartcity.simulate.placement import SimDevice

MAX_UNACKNOWLEDGED = 20_000  # messages the broker has not confirmed before sending waits


class TokenBucket:
    """At most `rate` takes a second on average, and `burst` at once."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("the rate must be above 0")
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate / 20)
        self.clock, self.sleep = clock, sleep
        self.tokens = self.burst
        self.at = clock()

    def take(self) -> None:
        """Wait until a token is there, and take it."""
        while True:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1.0 - 1e-9:  # float sums of tiny refills fall just short of 1
                self.tokens = max(0.0, self.tokens - 1.0)
                return
            self.sleep(max((1.0 - self.tokens) / self.rate, 1e-6))


class BrokerRefused(ConnectionError):
    """The broker would not accept the publisher's connection."""

    def __init__(self, reason: str, *, not_authorised: bool) -> None:
        super().__init__(f"the MQTT broker refused the connection: {reason}")
        self.not_authorised = not_authorised


def connect(address: BrokerAddress, login: tuple[str, str] | None = None) -> mqtt.Client:
    """A connected paho client (its network loop running), or BrokerRefused/OSError."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"smartcity-sim-{uuid.uuid4().hex[:10]}",
        protocol=mqtt.MQTTv311,
    )
    user, password = login or (address.username, address.password)
    if user is not None:
        client.username_pw_set(user, password)
    if address.tls:
        client.tls_set()
    client.max_inflight_messages_set(100)  # faster on paho 2.2 than a wider window
    client.max_queued_messages_set(0)
    answered = threading.Event()
    outcome: list[mqtt.ReasonCode] = []

    def on_connect(
        _c: mqtt.Client, _u: object, _f: object, reason: mqtt.ReasonCode, _p: object
    ) -> None:
        outcome.append(reason)
        answered.set()

    client.on_connect = on_connect
    client.connect(address.host, address.port, keepalive=30)
    client.loop_start()
    if not answered.wait(15) or outcome[0].is_failure:
        client.loop_stop()
        client.disconnect()
        reason = str(outcome[0]) if outcome else "no answer within 15 s"
        refused = bool(outcome) and outcome[0].value in (4, 5, 134, 135)
        raise BrokerRefused(reason, not_authorised=refused)
    client.on_connect = None
    return client


@dataclass
class PublishStats:
    """What a run has done so far (read by the progress display from another thread)."""

    devices: int = 0
    sent: int = 0
    acknowledged: int = 0
    measurements: int = 0  # items of the messages: one device's readings at one time
    readings: int = 0  # attribute values in them
    silent_skips: int = 0
    sim_time: float = 0.0
    episodes: list[str] = field(default_factory=list)
    faults: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.sent / elapsed if elapsed > 0 else 0.0


class FleetPublisher:
    """Publishes the fleet's reports from `start` (epoch seconds) on, until stopped or done."""

    def __init__(
        self,
        simulation: Simulation,
        devices: Sequence[SimDevice],
        client: mqtt.Client,
        *,
        tenant: str,
        start: float,
        speed: float = 1.0,
        rate: float | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be above 0")
        self.simulation, self.devices, self.client = simulation, list(devices), client
        self.tenant, self.start, self.speed, self.wall = tenant, start, speed, wall
        self.bucket = TokenBucket(rate) if rate else None
        self.stats = PublishStats(devices=len(self.devices), sim_time=start)
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._queue = [(simulation.first_report(d, start), i) for i, d in enumerate(self.devices)]
        heapq.heapify(self._queue)
        client.on_publish = self._acknowledged

    def _acknowledged(self, *_: object) -> None:
        with self._lock:
            self.stats.acknowledged += 1

    def stop(self) -> None:
        self.stopping.set()

    def sim_clock(self, began: float) -> float:
        """Simulated now: `speed` times the wall time since `began`, capped at the wall clock."""
        return min(self.start + (time.monotonic() - began) * self.speed, self.wall())

    def run(self, duration: float | None = None) -> PublishStats:
        """Publish until stopped, or for `duration` wall-clock seconds; then wait for the acks."""
        began = time.monotonic()
        self.stats.started = began
        while not self.stopping.is_set():
            if duration is not None and time.monotonic() - began >= duration:
                break
            now = self.sim_clock(began)
            due, index = self._queue[0]
            if due > now:
                wait = (due - now) / self.speed if now < self.wall() - 1 else due - now
                self.stopping.wait(min(0.05, max(wait, 0.001)))
                continue
            heapq.heapreplace(self._queue, (due + SPECS[self.devices[index].kind].publish_s, index))
            self._send(self.devices[index], due)
        self._drain()
        return self.stats

    def _send(self, device: SimDevice, due: float) -> None:
        self.stats.sim_time = due
        report = self.simulation.report(device, due, self.tenant)
        if report is None:
            self.stats.silent_skips += 1
            return
        if self.bucket is not None:
            self.bucket.take()
        while self.stats.sent - self.stats.acknowledged > MAX_UNACKNOWLEDGED:
            if self.stopping.wait(0.01):
                break
        self.client.publish(report.topic, report.payload, qos=1)
        self.stats.sent += 1
        self.stats.measurements += SPECS[device.kind].batch
        self.stats.readings += report.readings

    def _drain(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while self.stats.acknowledged < self.stats.sent and time.monotonic() < deadline:
            time.sleep(0.02)

    def snapshot(self) -> PublishStats:
        return snapshot(self.stats, self.simulation, self.devices)


def snapshot(stats: PublishStats, simulation: Simulation, devices: list[SimDevice]) -> PublishStats:
    """The stats, with the episodes and faults in effect at the simulated now (faults counted
    on a sample of the fleet)."""
    t = stats.sim_time
    stats.episodes = [e.describe() for e in simulation.weather.active(t)]
    sample = devices[:: max(1, len(devices) // 2000)]
    counts = {f.value: 0 for f in Fault if f is not Fault.NONE}
    for device in sample:
        fault = simulation.fault(device, t)
        if fault is not Fault.NONE:
            counts[fault.value] += 1
    scale = len(devices) / max(1, len(sample))
    stats.faults = {k: round(v * scale) for k, v in counts.items()}
    return stats
