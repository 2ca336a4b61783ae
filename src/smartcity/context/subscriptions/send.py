"""Sending one notification: HTTP POST (clause 6.3.x) or an MQTT publish (the MQTT binding annex).

Every endpoint goes through the request-forgery guard first and the connection is made to the
address it checked. Redirects are never followed. The answer is None when the notification was
delivered, else the reason it was not.
"""

from __future__ import annotations

import ipaddress
import threading
from urllib.parse import unquote

import httpx
import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from smartcity.context.subscriptions.content import Message
from smartcity.context.subscriptions.targets import RefusedTarget, Target, resolve

MQTT_VERSIONS = {"mqtt3.1.1": mqtt.MQTTv311, "mqtt5.0": mqtt.MQTTv5}


def send(message: Message, *, allow_private: bool) -> str | None:
    """Deliver `message`; None on success, else why it failed."""
    try:
        target = resolve(message.uri, allow_private=allow_private)
    except RefusedTarget as exc:
        return str(exc)
    if target.uri.scheme.lower() in ("mqtt", "mqtts"):
        return _publish(message, target)
    return _post(message, target)


def _host_literal(address: str) -> str:
    return f"[{address}]" if ipaddress.ip_address(address.split("%")[0]).version == 6 else address


def _post(message: Message, target: Target) -> str | None:
    parts = target.uri
    pinned = parts._replace(netloc=f"{_host_literal(target.address)}:{target.port}").geturl()
    default_port = target.port == (443 if parts.scheme.lower() == "https" else 80)
    host = target.host if default_port else f"{target.host}:{target.port}"
    headers = {**message.headers, "Host": host}
    auth = (unquote(parts.username), unquote(parts.password or "")) if parts.username else None
    try:
        with httpx.Client(
            timeout=message.timeout, follow_redirects=False, auth=auth, trust_env=False
        ) as client:
            response = client.post(
                pinned,
                content=message.payload(),
                headers=headers,
                extensions={"sni_hostname": target.host},
            )
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if 200 <= response.status_code < 300:
        return None
    if 300 <= response.status_code < 400:
        return f"the endpoint answered HTTP {response.status_code}; redirects are not followed"
    return f"the endpoint answered HTTP {response.status_code}"


def _mqtt_payload(message: Message) -> bytes:
    metadata = dict(message.headers)
    return orjson.dumps({"metadata": metadata, "body": message.body})


def _publish(message: Message, target: Target) -> str | None:
    """Publish `{"metadata": headers, "body": notification}` on the URI's topic."""
    parts = target.uri
    topic = unquote(parts.path.lstrip("/"))
    if not topic:
        return "the MQTT endpoint names no topic"
    version = MQTT_VERSIONS.get(message.options.get("MQTT-Version", "mqtt3.1.1"), mqtt.MQTTv311)
    qos = {"1": 1, "2": 2}.get(message.options.get("MQTT-QoS", "0").strip(), 0)
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=version)
    client.connect_timeout = message.timeout
    if parts.username:
        client.username_pw_set(unquote(parts.username), unquote(parts.password or "") or None)
    if parts.scheme.lower() == "mqtts":
        client.tls_set()
    connected = threading.Event()
    outcome: dict[str, str] = {}

    def on_connect(_c: mqtt.Client, _u: object, _f: object, reason: object, _p: object) -> None:
        if getattr(reason, "is_failure", False):
            outcome["error"] = f"the MQTT broker refused the connection: {reason}"
        connected.set()

    client.on_connect = on_connect
    host = target.host if parts.scheme.lower() == "mqtts" else target.address
    try:
        client.connect(host, target.port, keepalive=30)
    except (OSError, ValueError) as exc:
        return f"cannot connect to the MQTT broker: {exc}"
    client.loop_start()
    try:
        if not connected.wait(message.timeout):
            return "the MQTT broker did not answer the connection"
        if "error" in outcome:
            return outcome["error"]
        info = client.publish(topic, _mqtt_payload(message), qos=qos)
        info.wait_for_publish(message.timeout)
        if not info.is_published():
            return "the MQTT broker did not acknowledge the notification"
        return None
    except (RuntimeError, ValueError) as exc:
        return f"MQTT publish failed: {exc}"
    finally:
        client.disconnect()
        client.loop_stop()
