"""`smartcity serve --workers N`: several processes on one port and one database. Writes from
all of them land (on SQLite they queue on one lock file instead of failing busy), and each
notification goes out once, from whichever process holds the delivery lock."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.context.api.conftest import streetlight
from tests.context.api.test_serve import serving
from tests.context.subscriptions.conftest import Receiver


def children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(p) for p in path.read_text().split()}


def test_processes_share_writes_and_deliver_each_notification_once(
    empty_database_url: str, tmp_path: Path, receiver: Receiver
):
    with serving(
        empty_database_url, tmp_path, "--workers", "2", SMARTCITY_NOTIFY_ALLOW_PRIVATE="1"
    ) as (base, pid):
        # uvicorn's supervisor plus its worker processes (and possibly a resource tracker)
        assert len(children(pid)) >= 2
        with httpx.Client(base_url=base + "/ngsi-ld/v1", timeout=30) as client:
            subscription = {
                "type": "Subscription",
                "entities": [{"type": "Streetlight"}],
                "notification": {"endpoint": {"uri": receiver.url}},
            }
            made = client.post("/subscriptions", json=subscription)
            assert made.status_code == 201, made.text

            def create(n: int) -> int:
                return client.post("/entities", json=streetlight(n)).status_code

            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(create, range(1, 41)))
            assert statuses == [201] * 40
            count = client.get("/entities", params={"type": "Streetlight", "count": "true"})
            assert count.headers["NGSILD-Results-Count"] == "40"

        deadline = time.monotonic() + 20
        while len(receiver.requests) < 40 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)  # a second deliverer would send its copies within its 1 s poll
        ids = [body["data"][0]["id"] for body in receiver.bodies]
        assert sorted(ids) == sorted(f"urn:ngsi-ld:Streetlight:{n:03d}" for n in range(1, 41))
