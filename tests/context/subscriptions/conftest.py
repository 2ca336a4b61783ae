"""Subscriptions on the full application without its delivery thread (tests drive delivery with
`deliver_due` and the fixed clock), and a real HTTP receiver for notifications on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from smartcity.context.jsonld import ContextResolver
from smartcity.context.subscriptions.delivery import deliver_due
from smartcity.platform import Platform
from tests.context.api.conftest import Ngsi


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Receiver:
    """Collects the notifications POSTed to it; answers `status`."""

    url: str
    requests: list[Received] = field(default_factory=list)
    status: int = 200

    @property
    def bodies(self) -> list[Any]:
        return [r.body for r in self.requests]


@contextmanager
def serve_receiver() -> Iterator[Receiver]:
    """A loopback HTTP server that records what is POSTed to it, for as long as the block runs."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append(Received(self.path, headers, json.loads(raw or b"null")))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/notify"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve_receiver() as state:
        yield state


@pytest.fixture
def private_ok(platform: Platform) -> Platform:
    """Notifications may go to loopback (where the test receiver listens)."""
    platform.settings.notify_allow_private = True
    return platform


USER_CONTEXT = "https://ctx.city.test/streetlights.jsonld"
CITY = "https://city.test/ns#"


@pytest.fixture
def user_context(platform: Platform) -> str:
    """A user @context URL (served without network) defining the streetlight terms."""
    document = {
        "@context": {
            "Streetlight": CITY + "Streetlight",
            "powerState": CITY + "powerState",
            "illuminanceLevel": CITY + "illuminanceLevel",
        }
    }

    def serve(request: httpx.Request) -> httpx.Response:
        if str(request.url) != USER_CONTEXT:
            return httpx.Response(404)
        return httpx.Response(200, json=document, headers={"Content-Type": "application/ld+json"})

    old = platform.contexts
    platform.contexts = ContextResolver(
        allowed_hosts=["ctx.city.test"], transport=httpx.MockTransport(serve)
    )
    if old is not None:
        old.close()
    return USER_CONTEXT


@pytest.fixture
def app_client(platform: Platform) -> Iterator[TestClient]:
    from smartcity.web.app import create_app

    app = create_app(platform)
    app.state.background = False
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def ngsi(app_client: TestClient, auth_headers: Callable[..., dict[str, str]]) -> Ngsi:
    return Ngsi(app_client, auth_headers("admin"))


@pytest.fixture
def deliver(platform: Platform) -> Callable[[], int]:
    """One delivery pass at the fixed clock's time."""
    return lambda: deliver_due(platform, platform.clock.now())


def subscription(uri: str, **members: Any) -> dict[str, Any]:
    return {
        "type": "Subscription",
        "entities": [{"type": "Streetlight"}],
        "notification": {"endpoint": {"uri": uri, "accept": "application/json"}},
        **members,
    }
