"""`smartcity serve` as a conformance suite meets it: a fresh, migrated database, NGSI-LD auth
switched off, anonymous requests over real HTTP, tenants made on first write."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from smartcity.core import migrate
from smartcity.core.db import Database
from tests.conftest import free_port
from tests.context.api.conftest import streetlight


@contextmanager
def serving(database_url: str, data_dir: Path, *args: str, **env: str) -> Iterator[tuple[str, int]]:
    """`smartcity serve ARGS` on a freshly migrated database; yields (base URL, process id)."""
    db = Database(database_url)
    migrate.upgrade(db)
    db.dispose()
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCITY_")}
    environment.update(
        SMARTCITY_DATABASE_URL=database_url,
        SMARTCITY_DATA_DIR=str(data_dir),
        SMARTCITY_AUTH_NGSILD="off",
        SMARTCITY_LOG_LEVEL="warning",
        **env,
    )
    command = [str(Path(sys.executable).parent / "smartcity"), "serve", "--port", str(port), *args]
    process = subprocess.Popen(command, env=environment, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "smartcity serve did not become ready"
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture
def served(empty_database_url: str, tmp_path: Path) -> Iterator[str]:
    with serving(empty_database_url, tmp_path) as (base, _):
        yield base


def test_anonymous_conformance_run_against_serve(served):
    with httpx.Client(base_url=served + "/ngsi-ld/v1") as client:
        created = client.post("/entities", json=streetlight(1))
        assert created.status_code == 201, created.text
        got = client.get("/entities/urn:ngsi-ld:Streetlight:001")
        assert got.status_code == 200 and got.json()["powerState"]["value"] == "on"
        other = {"NGSILD-Tenant": "conformance"}
        assert client.post("/entities", json=streetlight(2), headers=other).status_code == 201
        listed = client.get("/entities", params={"type": "Streetlight"}, headers=other)
        assert [e["id"] for e in listed.json()] == ["urn:ngsi-ld:Streetlight:002"]
        assert client.get("/types").json()["typeList"] == ["Streetlight"]
