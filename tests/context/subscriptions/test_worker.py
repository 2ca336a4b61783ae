"""The delivery thread: started and stopped with the app, woken by writes, never left behind."""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient

from smartcity.context.subscriptions.worker import NotificationWorker
from smartcity.core.settings import load_settings
from smartcity.platform import Platform
from smartcity.web.app import create_app
from tests.conftest import SECRET
from tests.context.api.conftest import Ngsi, streetlight
from tests.context.subscriptions.conftest import subscription

THREAD = "ngsi-ld-notifications"


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD and t.is_alive()]


def _wait_for(predicate, seconds: float = 10.0) -> bool:
    """Poll until `predicate()` holds; a deadline for a stuck thread, not a timing assertion."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_app_runs_the_worker_while_it_serves_and_stops_it_after(
    platform, receiver, private_ok, auth_headers
):
    before = len(_workers())
    with TestClient(create_app(platform)) as client:
        assert len(_workers()) == before + 1
        ngsi = Ngsi(client, auth_headers("admin"))
        assert ngsi.post("/subscriptions", subscription(receiver.url)).status_code == 201
        ngsi.create(streetlight(1))
        assert _wait_for(lambda: len(receiver.requests) == 1)
    assert len(_workers()) == before


def test_an_app_told_not_to_run_the_worker_starts_no_thread(platform):
    before = len(_workers())
    app = create_app(platform)
    app.state.background = False
    with TestClient(app):
        assert len(_workers()) == before


def test_a_failing_delivery_pass_does_not_end_the_worker(platform, tmp_path, caplog):
    settings = load_settings(data_dir=tmp_path, database_url="sqlite://", secret_key=SECRET)
    empty = Platform.from_settings(settings, clock=platform.clock)  # no tables at all
    worker = NotificationWorker(empty, interval=0.01).start()
    try:
        assert _wait_for(lambda: any("pass failed" in r.getMessage() for r in caplog.records))
        assert worker.running
    finally:
        worker.stop()
        empty.close()
    assert not worker.running
