"""Request ids, JSON logs and Prometheus metrics for every request (one pure ASGI middleware)."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import orjson
import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartcity.core.ids import new_request_id, valid_request_id
from smartcity.security.audit import current_request_id

log = structlog.get_logger("smartcity.http")


def configure_logging(level: str = "info", json: bool = True) -> None:
    """JSON lines on stderr (or readable lines for a terminal), carrying context variables."""
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            getattr(logging, level.upper(), logging.INFO)
        ),
        # Look sys.stderr up at each use, so a replaced or closed stream is never written to.
        logger_factory=lambda *_args: structlog.PrintLogger(sys.stderr),
        cache_logger_on_first_use=False,
    )


async def _internal_error(send: Send, request_id: str) -> None:
    body = orjson.dumps(
        {
            "error": {
                "code": "internal_error",
                "message": "an internal error occurred; it has been logged",
            },
            "request_id": request_id,
        }
    )
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Metrics:
    """The web service's own metrics, in a registry per app (several apps may share a process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "smartcity_http_requests_total",
            "HTTP requests answered, by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "smartcity_http_request_duration_seconds",
            "Time to answer an HTTP request, seconds.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.readings = Counter(
            "smartcity_ingest_readings_total",
            "Readings received by ingestion, by transport and outcome "
            "(stored, duplicate, dead_letter).",
            ["transport", "outcome"],
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "smartcity_ingest_dead_letters_total",
            "Payloads or readings ingestion could not store, by transport and reason.",
            ["transport", "reason"],
            registry=self.registry,
        )


class ObserveMiddleware:
    """Gives each request an id (X-Request-ID), logs it as one JSON line, and counts it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = sent if valid_request_id(sent) else new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        token = current_request_id.set(request_id)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        responded = False
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:  # the last line of defence: no stack trace ever reaches a client
            log.exception("unhandled_error", path=scope["path"])
            if not responded:
                await _internal_error(send_with_id, request_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "(unmatched)"
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.duration.labels(method, route).observe(elapsed)
            log.info(
                "request",
                method=method,
                path=scope["path"],
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")
            current_request_id.reset(token)
