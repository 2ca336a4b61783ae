"""A real HTTP server on loopback that serves @context documents and counts its hits."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from smartcity.context.jsonld import ContextResolver


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False  # hold the response until the test ends (a server that never answers)
    drip: bool = False  # send the body one byte at a time, slowly


@dataclass
class ContextServer:
    """Routes by path; `hits` counts requests per path."""

    host: str
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def serve_json(self, path: str, document: Any, **headers: str) -> str:
        self.routes[path] = Route(json.dumps(document).encode(), headers=headers)
        return self.url(path)


def _handler(server: ContextServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.hits[self.path] += 1
            route = server.routes.get(self.path, Route(b"not found", status=404))
            if route.stall:
                server.stop.wait(10)
                return
            self.send_response(route.status)
            self.send_header("Content-Type", "application/ld+json")
            for name, value in route.headers.items():
                self.send_header(name, value)
            if "Content-Length" not in route.headers and not route.drip:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            if route.drip:
                for byte in route.body:
                    if server.stop.wait(0.05):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
            else:
                self.wfile.write(route.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def context_server() -> Iterator[ContextServer]:
    state = ContextServer("127.0.0.1", 0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = False  # server_close() joins every handler thread
    state.port = httpd.server_address[1]
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="context-server"
    )
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def resolver() -> Iterator[ContextResolver]:
    with ContextResolver(allowed_hosts=["127.0.0.1"], timeout=1.0) as r:
        yield r
