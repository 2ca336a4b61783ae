"""The live alert stream (server-sent events): an async generator that polls the alert events
table in a worker thread, so that the server's event loop never waits on the database. Each
event's id is its row id: a client that reconnects with `Last-Event-ID` misses nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from smartcity.platform import Platform
from smartcity.rules import alerts

POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
BATCH = 100


def _frame(event_id: int, event: str, data: bytes) -> bytes:
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (event_id, event.encode(), data)


def _read(platform: Platform, tenant_id: int, after: int | None) -> tuple[int, list[bytes]]:
    """Frames of the events after `after` (None: from now on) and the last id seen."""
    from smartcity.rules.api import alert_out

    with platform.db.session() as session:
        if after is None:
            return alerts.last_event_id(session, tenant_id), []
        frames = []
        for event, alert in alerts.events_after(session, tenant_id, after, BATCH):
            body = alert_out(alert).model_dump(mode="json")
            payload = orjson.dumps({"event": event.event, "at": event.at.isoformat(), **body})
            frames.append(_frame(event.id, event.event, payload))
            after = event.id
        return after, frames


async def alert_stream(
    request: Request, platform: Platform, tenant_id: int, after: int | None
) -> AsyncIterator[bytes]:
    """Frames until the client goes away; a comment line now and then keeps proxies open."""
    cursor = after
    if cursor is None:  # from now on
        cursor, _ = await run_in_threadpool(_read, platform, tenant_id, None)
    yield b": connected\n\n"
    quiet = 0.0
    while not await request.is_disconnected():
        cursor, frames = await run_in_threadpool(_read, platform, tenant_id, cursor)
        for frame in frames:
            yield frame
        if frames:
            quiet = 0.0
            continue
        await asyncio.sleep(POLL_SECONDS)
        quiet += POLL_SECONDS
        if quiet >= HEARTBEAT_SECONDS:
            quiet = 0.0
            yield b": keep-alive\n\n"
