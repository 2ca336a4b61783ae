"""Notifications to mqtt:// endpoints (the MQTT notification binding), on the real Mosquitto."""

from __future__ import annotations

import json
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.context.api.conftest import streetlight
from tests.context.subscriptions.conftest import subscription

BROKER = ("127.0.0.1", 1883)


class Listener:
    """A subscriber on one fresh topic, collecting the messages published to it."""

    def __init__(self, client: mqtt.Client, topic: str) -> None:
        self.client, self.topic = client, topic
        self.messages: list[dict[str, Any]] = []
        self.arrived = threading.Event()

    def wait(self) -> list[dict[str, Any]]:
        self.arrived.wait(10)  # a deadline for a broken broker, not a timing assertion
        return self.messages


@pytest.fixture
def listener() -> Iterator[Listener]:
    try:
        socket.create_connection(BROKER, timeout=2).close()
    except OSError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Mosquitto is required under CI and cannot be reached: {exc}")
        pytest.skip(f"Mosquitto not reachable: {exc}")
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2)
    state = Listener(client, f"smartcity-test/{uuid.uuid4().hex}")
    subscribed = threading.Event()

    def on_message(_c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        state.messages.append(json.loads(message.payload))
        state.arrived.set()

    client.on_message = on_message
    client.on_subscribe = lambda *_args: subscribed.set()
    client.connect(*BROKER)
    client.loop_start()
    client.subscribe(state.topic, qos=1)
    subscribed.wait(10)
    yield state
    client.disconnect()
    client.loop_stop()


def _subscribe(ngsi: Any, topic: str, **endpoint: Any) -> None:
    body = subscription(f"mqtt://{BROKER[0]}:{BROKER[1]}/{topic}")
    body["notification"]["endpoint"].update(endpoint)
    assert ngsi.post("/subscriptions", body).status_code == 201


def test_a_notification_is_published_with_metadata_and_body(ngsi, listener, private_ok, deliver):
    receiver_info = [{"key": "test-receiver-key", "value": "test-receiver-info"}]
    _subscribe(ngsi, listener.topic, receiverInfo=receiver_info)
    ngsi.create(streetlight(1))
    deliver()
    [message] = listener.wait()
    assert message["metadata"]["Content-Type"] == "application/json"
    assert "json-ld#context" in message["metadata"]["Link"]
    assert message["metadata"]["test-receiver-key"] == "test-receiver-info"
    assert message["body"]["type"] == "Notification"
    assert message["body"]["data"][0]["id"] == "urn:ngsi-ld:Streetlight:001"


def test_mqtt_5_with_qos_2_is_delivered_and_counted(ngsi, listener, private_ok, deliver):
    info = [{"key": "MQTT-Version", "value": "mqtt5.0"}, {"key": "MQTT-QoS", "value": "2"}]
    _subscribe(ngsi, listener.topic, notifierInfo=info)
    ngsi.create(streetlight(1))
    deliver()
    assert len(listener.wait()) == 1
    [shown] = ngsi.get("/subscriptions").json()
    assert shown["notification"]["status"] == "ok"


def test_a_loopback_broker_is_refused_when_private_targets_are_not_allowed(
    ngsi, listener, platform, deliver
):
    platform.settings.notify_allow_private = True
    _subscribe(ngsi, listener.topic)
    platform.settings.notify_allow_private = False
    ngsi.create(streetlight(1))
    deliver()
    [shown] = ngsi.get("/subscriptions").json()
    assert shown["notification"]["status"] == "failed"
    assert listener.messages == []
