"""The MQTT ingestion worker: subscribes to the devices' topics with QoS 1 on a persistent session
(shared between workers when a share group is set), stores the messages in batches through the
ingestion core, and acknowledges each message only after its batch is committed.

A crash before a commit leaves the messages unacknowledged, so the broker delivers them again;
the readings' receipts make the second delivery a duplicate, not a second reading. When the
database cannot be reached the batch is kept and retried with backoff, never acknowledged.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
import structlog
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from smartcity.core.settings import Settings
from smartcity.platform import Platform
from smartcity.sensing.ingest import dead_letters
from smartcity.sensing.ingest.dead_letters import Letter, Reason
from smartcity.sensing.ingest.messages import ingest_messages
from smartcity.sensing.ingest.service import IngestOutcome
from smartcity.sensing.mqtt.address import BrokerAddress, parse_broker_url
from smartcity.sensing.mqtt.metrics import WorkerMetrics

TOPIC = "city/+/+/+/attrs"
SESSION_EXPIRY_SECONDS = 7 * 24 * 3600  # how long the broker keeps a stopped worker's messages
MAX_BACKOFF_SECONDS = 5.0
IDLE_POLL_SECONDS = 0.5  # how often an idle worker looks whether it was asked to stop

log = structlog.get_logger("smartcity.mqtt")


def unreachable(exc: BaseException) -> bool:
    """Whether a failure is the database's (gone, restarting, locked), not the batch's."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


@dataclass(frozen=True)
class WorkerConfig:
    """Where a worker connects and how it batches."""

    address: BrokerAddress
    client_id: str = "smartcity-ingest"
    share_group: str = ""
    protocol: str = "5"  # or 3.1.1
    batch_messages: int = 500
    batch_window: float = 0.2  # seconds
    topic: str = TOPIC

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        url: str | None = None,
        client_id: str | None = None,
        share_group: str | None = None,
        batch_messages: int | None = None,
    ) -> WorkerConfig:
        """The settings' worker, with the command line's choices over them."""
        url = url or settings.mqtt_url
        if not url:
            raise ValueError("no MQTT broker: set SMARTCITY_MQTT_URL or pass --mqtt-url")
        return cls(
            address=parse_broker_url(url),
            client_id=client_id or settings.mqtt_client_id,
            share_group=settings.mqtt_share_group if share_group is None else share_group,
            protocol=settings.mqtt_protocol,
            batch_messages=batch_messages or settings.mqtt_batch_messages,
            batch_window=settings.mqtt_batch_window_ms / 1000,
            topic=settings.mqtt_topic,
        )

    @property
    def subscription(self) -> str:
        return f"$share/{self.share_group}/{self.topic}" if self.share_group else self.topic


@dataclass(slots=True)
class Delivery:
    """A message as received: acknowledged by (mid, qos) on the connection it came on."""

    topic: str
    payload: bytes
    mid: int
    qos: int
    connection: int


class IngestWorker:
    """One worker: `start()` connects, `run()` stores batches until `stop()`."""

    def __init__(
        self, platform: Platform, config: WorkerConfig, *, metrics: WorkerMetrics | None = None
    ) -> None:
        self.platform = platform
        self.config = config
        self.metrics = metrics or WorkerMetrics()
        self._inbox: queue.SimpleQueue[Delivery] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._subscribed = threading.Event()
        # Counts connections: a message is acknowledged only on the connection it came on, as
        # a packet id of an earlier connection may name another message on this one.
        self._connection = 0
        self._ack_lock = threading.Lock()
        self._client = self._make_client()

    def _make_client(self) -> mqtt.Client:
        v5 = self.config.protocol == "5"
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.config.client_id,
            protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
            clean_session=None if v5 else False,
            manual_ack=True,
        )
        address = self.config.address
        if address.username is not None:
            client.username_pw_set(address.username, address.password)
        if address.tls:
            client.tls_set()
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_disconnect = self._on_disconnect
        return client

    # --- the network thread (paho's loop) -------------------------------------------------

    def _on_connect(self, client: mqtt.Client, _: Any, flags: Any, reason: Any, __: Any) -> None:
        if reason.is_failure:
            log.warning("mqtt_connect_refused", reason=str(reason))
            return
        with self._ack_lock:
            self._connection += 1
        log.info("mqtt_connected", session_present=bool(flags.session_present))
        if self.config.protocol == "5":
            client.subscribe(self.config.subscription, options=SubscribeOptions(qos=1))
        else:
            client.subscribe(self.config.subscription, qos=1)

    def _on_subscribe(self, _: mqtt.Client, __: Any, ___: int, reasons: Any, ____: Any) -> None:
        if all(not r.is_failure for r in reasons):
            self._subscribed.set()
        else:
            log.error("mqtt_subscribe_refused", topic=self.config.subscription)

    def _on_disconnect(self, _: mqtt.Client, __: Any, ___: Any, reason: Any, ____: Any) -> None:
        self._subscribed.clear()
        if not self._stop.is_set():
            log.warning("mqtt_disconnected", reason=str(reason))

    def _on_message(self, _: mqtt.Client, __: Any, message: mqtt.MQTTMessage) -> None:
        try:
            topic = message.topic
        except UnicodeDecodeError:  # kept, so that it becomes a dead letter (bad topic)
            topic = bytes(message._topic).decode("utf-8", errors="backslashreplace")
        self._inbox.put(
            Delivery(topic, bytes(message.payload), message.mid, message.qos, self._connection)
        )
        self.metrics.received.inc()

    # --- the worker's own thread ------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> None:
        """Connect and subscribe; OSError when the broker cannot be used."""
        address = self.config.address
        try:
            if self.config.protocol == "5":
                properties = Properties(PacketTypes.CONNECT)
                properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
                # Room for the next batch to arrive while this one is being committed.
                properties.ReceiveMaximum = min(65535, max(20, 2 * self.config.batch_messages))
                self._client.connect(
                    address.host, address.port, clean_start=False, properties=properties
                )
            else:
                self._client.connect(address.host, address.port)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise OSError(
                f"the MQTT broker at {address.url()} cannot be reached: {reason}"
            ) from exc
        self._client.loop_start()
        if not self._subscribed.wait(timeout):
            self._client.loop_stop()
            self._client.disconnect()
            raise OSError(
                f"the MQTT broker at {address.url()} refused the login or the subscription"
            )

    def stop(self) -> None:
        """Ask `run()` to finish (and acknowledge) its current batch and return."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Store batches until `stop()`; then disconnect (the broker keeps the session)."""
        try:
            while not self._stop.is_set():
                batch = self._collect()
                if batch:
                    self._store(batch)
        finally:
            self._client.disconnect()
            self._client.loop_stop()

    def _collect(self) -> list[Delivery]:
        """Up to batch_messages deliveries, waiting at most batch_window after the first."""
        try:
            batch = [self._inbox.get(timeout=IDLE_POLL_SECONDS)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.config.batch_window
        while len(batch) < self.config.batch_messages:
            left = deadline - time.monotonic()
            try:
                batch.append(
                    self._inbox.get_nowait() if left <= 0 else self._inbox.get(timeout=left)
                )
            except queue.Empty:
                break
        return batch

    def _store(self, batch: list[Delivery]) -> None:
        delay = 0.1
        while True:
            try:
                outcome = self._ingest(batch)
                break
            except DBAPIError as exc:  # only an unreachable database gets here: keep, wait, retry
                self.metrics.retries.inc()
                log.warning("mqtt_store_retry", error=str(exc.orig).strip()[:200], wait=delay)
                if self._stop.wait(delay):
                    return  # stopping: nothing acknowledged, the broker delivers it again
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
        self.metrics.batches.inc()
        self.metrics.stored.inc(outcome.stored)
        self.metrics.duplicates.inc(outcome.duplicates)
        for reason, count in outcome.reasons().items():
            self.metrics.dead.labels(reason=reason).inc(count)
        self._acknowledge(batch)

    def _ingest(self, batch: list[Delivery]) -> IngestOutcome:
        messages = [(d.topic, d.payload) for d in batch]
        received_at = self.platform.clock.now()
        try:
            return ingest_messages(self.platform, messages, received_at)
        except Exception as exc:  # a payload the core could not handle must not stop the stream
            if unreachable(exc):
                raise
            log.exception("mqtt_batch_failed_storing_one_by_one", messages=len(messages))
        outcome = IngestOutcome()
        for topic, payload in messages:
            try:
                outcome.merge(ingest_messages(self.platform, [(topic, payload)], received_at))
            except Exception as exc:
                if unreachable(exc):
                    raise
                outcome.letters.append(self._record_failure(topic, payload, exc))
        return outcome

    def _record_failure(self, topic: str, payload: bytes, exc: Exception) -> Letter:
        letter = Letter(
            Reason.INVALID_PAYLOAD,
            f"could not be stored: {type(exc).__name__}",
            payload=payload,
            route=topic,
        )
        now = self.platform.clock.now()
        with self.platform.serialized_writes(), self.platform.db.session() as session:
            dead_letters.record(session, None, [letter], transport="mqtt", route=topic, now=now)
        return letter

    def _acknowledge(self, batch: list[Delivery]) -> None:
        acknowledged = 0
        with self._ack_lock:
            for delivery in batch:
                if delivery.qos > 0 and delivery.connection == self._connection:
                    self._client.ack(delivery.mid, delivery.qos)
                    acknowledged += 1
        self.metrics.acknowledged.inc(acknowledged)
