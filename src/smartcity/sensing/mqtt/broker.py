"""The embedded MQTT broker of `smartcity demo`: amqtt in its own thread and event loop on a
loopback port, so that the demo needs nothing installed.

Connections must log in: the ingestion worker with a password made for this run, devices with
their registry credentials (`<device_id>@<tenant>` and the password issued with the device).
Anonymous sessions would not be kept by amqtt across reconnects, so logins are also what gives
the worker its persistent session.

Limits of amqtt 0.12 (why production uses Mosquitto or another external broker): MQTT 3.1.1
only, no shared subscriptions, sessions kept in memory only, and a QoS 1 message delivered but
not acknowledged within 5 s, or when the subscriber disconnects, is dropped instead of being
delivered again; messages published while the worker is away are kept for it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from amqtt.broker import Broker
from amqtt.plugins.base import BaseAuthPlugin
from amqtt.session import Session as MqttSession

from smartcity.core.errors import Unauthenticated
from smartcity.platform import Platform
from smartcity.sensing import credentials

Check = Callable[[str | None, str | None], bool]
WORKER_USERNAME = "smartcity-ingest"


class LoginPlugin(BaseAuthPlugin):
    """amqtt authentication by a check given in the plugin's configuration."""

    @dataclass
    class Config:
        check: Any = None  # a Check, called in a thread (it may query the database)

    async def authenticate(self, *, session: MqttSession) -> bool | None:
        check = self.config.check
        if check is None:
            return False
        return await asyncio.to_thread(check, session.username, session.password)


class Logins:
    """Who may connect to the embedded broker: the worker, and registered devices."""

    def __init__(self, platform: Platform | None) -> None:
        self.platform = platform
        self.worker_password = secrets.token_urlsafe(24)

    def __call__(self, username: str | None, password: str | None) -> bool:
        if username is None or password is None:
            return False
        if username == WORKER_USERNAME:
            return hmac.compare_digest(password.encode(), self.worker_password.encode())
        if self.platform is None:
            return False
        try:
            with self.platform.db.session() as session:
                credentials.authenticate_mqtt(session, username, password)
        except Unauthenticated:
            return False
        return True


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EmbeddedBroker:
    """amqtt on 127.0.0.1; `start()` returns once it listens, `stop()` shuts it down."""

    def __init__(self, logins: Logins, *, port: int | None = None) -> None:
        self.logins = logins
        self.port = port or free_loopback_port()
        self._loop = asyncio.new_event_loop()
        self._broker: Broker | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    @property
    def worker_url(self) -> str:
        """The URL the ingestion worker connects with (its password included)."""
        password = self.logins.worker_password
        return f"mqtt://{WORKER_USERNAME}:{password}@127.0.0.1:{self.port}"

    @property
    def device_url(self) -> str:
        """The URL devices connect to, with their own credentials."""
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        logging.getLogger("amqtt").setLevel(logging.ERROR)  # it logs every connection at INFO
        logging.getLogger("transitions").setLevel(logging.ERROR)
        self._thread = threading.Thread(target=self._serve, name="mqtt-broker", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the embedded MQTT broker did not start")
        if self._failure is not None:
            raise OSError(f"the embedded MQTT broker did not start: {self._failure}")

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{self.port}"}},
            "plugins": {f"{__name__}.LoginPlugin": {"check": self.logins}},
        }

        async def begin() -> None:
            self._broker = Broker(config)
            await self._broker.start()

        try:
            self._loop.run_until_complete(begin())
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is None:
            return
        if self._broker is not None and self._failure is None:
            done = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop)
            try:
                done.result(timeout)
            except Exception:  # shutting down anyway
                logging.getLogger("smartcity.mqtt").warning("embedded broker shutdown failed")
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        self._thread = None

    def __enter__(self) -> EmbeddedBroker:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
