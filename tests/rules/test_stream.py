"""GET /api/alerts/stream: server-sent events from a real uvicorn server on loopback, read by a
real HTTP client while ingestion raises and people resolve alerts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import httpx

from tests.rules.conftest import threshold

STREAM = "/api/alerts/stream"


def next_event(lines: Iterator[str]) -> dict[str, str]:
    """The next event's fields (comments skipped)."""
    fields: dict[str, str] = {}
    for line in lines:
        if line.startswith(":"):
            continue
        if not line:
            if fields:
                return fields
            continue
        name, _, value = line.partition(": ")
        fields[name] = value
    raise AssertionError("the stream ended")


def test_the_stream_sends_each_alert_change_and_resumes_from_last_event_id(
    live_server, auth_headers, clock, add_device, make_rule, send
):
    add_device("A1")
    make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="pm25",
        params=threshold(75, 60),
    )
    reader, resolver = auth_headers("analyst"), auth_headers("supervisor")
    with httpx.Client(base_url=live_server, timeout=30) as http:
        with http.stream("GET", STREAM, headers=reader) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.iter_lines()
            assert next(lines) == ": connected"
            send("A1", (clock.now() - timedelta(minutes=1), {"pm25": 99}))
            raised = next_event(lines)
            body = json.loads(raised["data"])
            assert raised["event"] == "raised" and body["device_id"] == "A1"
            assert body["evidence"][0]["value"] == 99
            assert (
                http.post(f"/api/alerts/{body['id']}/resolve", headers=resolver).status_code == 200
            )
            resolved = next_event(lines)
            assert resolved["event"] == "resolved"
            assert int(resolved["id"]) > int(raised["id"])
        headers = {**reader, "Last-Event-ID": raised["id"]}
        with http.stream("GET", STREAM, headers=headers) as response:
            lines = response.iter_lines()
            assert next_event(lines)["id"] == resolved["id"]  # missed while away


def test_the_stream_needs_alerts_read(live_server, auth_headers):
    response = httpx.get(f"{live_server}{STREAM}", headers=auth_headers("citizen"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert httpx.get(f"{live_server}{STREAM}").status_code == 401
