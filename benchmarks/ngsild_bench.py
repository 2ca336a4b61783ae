"""Shared pieces of the NGSI-LD benchmarks: a fresh database per backend, the real server in its
own processes (`smartcity serve --workers N`, one per core by default), and load from wrk when it
is installed (`apt-get install wrk`), else from separate Python client processes.

`BENCH_WORKERS` sets the server processes, `BENCH_LOAD=python` forces the Python load."""

from __future__ import annotations

import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

import wrk_load

PG_ADMIN = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECRET = "benchmark-signing-key-0123456789abcdef"
WORKERS = int(os.environ.get("BENCH_WORKERS") or os.cpu_count() or 1)
USE_WRK = os.environ.get("BENCH_LOAD", "wrk") != "python" and wrk_load.available()


def machine() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "server_processes": WORKERS,
        "load_generator": "wrk" if USE_WRK else "python (httpx)",
    }


@contextmanager
def database(backend: str, name: str) -> Iterator[str]:
    """A fresh, empty database URL for `backend`, removed afterwards."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix=f"{name}-")
        try:
            yield f"sqlite:///{folder}/smartcity.db"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str) -> None:
    """Migrate and create the default tenant."""
    from smartcity.core import migrate
    from smartcity.core.settings import load_settings
    from smartcity.platform import Platform
    from smartcity.security import service as security

    plat = Platform.from_settings(load_settings(database_url=url, secret_key=SECRET))
    try:
        migrate.upgrade(plat.db)
        with plat.db.session() as session:
            security.ensure_tenant(
                session, plat.clock, slug="shanghai", name_zh="上海市", name_en="Shanghai"
            )
            session.commit()
    finally:
        plat.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server(url: str, data_dir: str, workers: int | None = None) -> Iterator[str]:
    """`smartcity serve --workers N` on a free loopback port, NGSI-LD auth off, no request logs."""
    workers = workers or WORKERS
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SMARTCITY_")},
        "SMARTCITY_DATABASE_URL": url,
        "SMARTCITY_DATA_DIR": data_dir,
        "SMARTCITY_SECRET_KEY": SECRET,
        "SMARTCITY_AUTH_NGSILD": "off",
        "SMARTCITY_LOG_LEVEL": "warning",
        "SMARTCITY_RATE_LIMIT": "100000000/minute",
    }
    command = [str(Path(sys.executable).parent / "smartcity"), "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"server did not start: {process.stderr.read().decode()[-2000:]}"
                )
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Load:
    requests: int
    seconds: float
    latencies_ms: list[float]
    failures: int
    # Given by wrk (which keeps its own latency histogram) instead of `latencies_ms`.
    p50_ms: float | None = None
    p95_ms: float | None = None
    generator: str = "python"

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if p == 95 and self.p95_ms is not None:
            return self.p95_ms
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def summary(self) -> dict[str, float]:
        return {
            "per_second": round(self.rate, 1),
            "p50_ms": round(self.p50_ms, 2)
            if self.p50_ms is not None
            else (round(statistics.median(self.latencies_ms), 2) if self.latencies_ms else None),
            "p95_ms": round(self.percentile(95), 2),
            "requests": self.requests,
            "failures": self.failures,
            "load": self.generator,
        }


RequestMaker = Callable[[int, int], tuple[str, str, Any]]  # (worker, i) -> method, path, json


def _client(base: str, make: RequestMaker, worker: int, seconds: float, threads: int) -> Load:
    import threading

    results: list[Load] = []
    lock = threading.Lock()

    def loop(thread: int) -> None:
        latencies, failures, i = [], 0, 0
        with httpx.Client(base_url=base, timeout=30) as client:
            start = time.perf_counter()
            while time.perf_counter() - start < seconds:
                method, path, body = make(worker * 1000 + thread, i)
                t0 = time.perf_counter()
                response = client.request(method, path, json=body)
                latencies.append((time.perf_counter() - t0) * 1000)
                failures += response.status_code >= 300
                i += 1
            elapsed = time.perf_counter() - start
        with lock:
            results.append(Load(len(latencies), elapsed, latencies, failures))

    workers = [threading.Thread(target=loop, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return Load(
        sum(r.requests for r in results),
        max(r.seconds for r in results),
        [x for r in results for x in r.latencies_ms],
        sum(r.failures for r in results),
    )


def load(
    base: str, make: RequestMaker, *, seconds: float, processes: int = 2, threads: int = 4
) -> Load:
    """`processes` × `threads` keep-alive connections: from wrk when it is there, else from
    `processes` Python client processes with `threads` connections each."""
    if USE_WRK:
        out = wrk_load.run(base, make, seconds=seconds, connections=processes * threads)
        return Load(
            out["requests"],
            out["seconds"],
            [],
            out["non2xx3xx"] + out["socket_errors"],
            p50_ms=out["p50_ms"],
            p95_ms=out["p95_ms"],
            generator="wrk",
        )
    with ProcessPoolExecutor(processes) as pool:
        futures = [
            pool.submit(_client, base, make, worker, seconds, threads)
            for worker in range(processes)
        ]
        parts = [f.result() for f in futures]
    return Load(
        sum(p.requests for p in parts),
        max(p.seconds for p in parts),
        [x for p in parts for x in p.latencies_ms],
        sum(p.failures for p in parts),
    )


def write_report(path: Path, report: dict[str, Any]) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
