"""datastore_search over a tabular resource of 1,000,000 rows: one filter and one sort, over HTTP,
and the same table answered side by side by Datasette (SQLite), a real peer in its own venv.

The figure: one request
  GET /api/3/action/datastore_search?resource_id=<id>&filters={"district":"310104"}
      &sort=aqi desc&limit=100
to a live uvicorn server (anonymous reader, public dataset), answering 100 records of the
63,000 that match, with their total. Data: 1,000 stations × 1,000 hourly readings
(station, district, observed, pm25, aqi) over 16 districts, the table made by datastore_create
(indexes on (district, aqi) and on aqi), its rows loaded with executemany (SQLite) or COPY
(PostgreSQL).
Datasette answers GET /<db>/<table>.json?district=310104&_sort_desc=aqi&_size=100 on the same
SQLite file (with its filtered count; facet suggestions off, as datastore_search has none).
`--quick`: 100 k rows.

Datasette is installed with pip into `var/bench/datasette-venv` (its own environment) on first
use; `--no-datasette` skips the peer.

Run: python benchmarks/bench_datastore.py [--backend sqlite|postgresql|both] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform as host
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from smartcity.core import migrate
from smartcity.core.clock import SystemClock
from smartcity.core.db import Database
from smartcity.core.settings import load_settings
from smartcity.opendata import organisations, service
from smartcity.opendata.datastore import service as datastore
from smartcity.opendata.schemas import read_package
from smartcity.platform import Platform
from smartcity.security import service as security

TARGET_P95_MS = 50.0
DISTRICTS = [f"3101{n:02d}" for n in range(1, 17)]
WANTED = "310104"
START = datetime(2026, 1, 1, tzinfo=UTC)
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_NAME = "smartcity_bench_datastore"
SECRET = "bench-signing-key-0123456789abcdef"
DEFAULT_OUT = Path("var/bench/datastore.json")
PEER_VENV = Path("var/bench/datasette-venv")
FIELDS = [
    {"id": "station", "type": "text"},
    {"id": "district", "type": "text"},
    {"id": "observed", "type": "timestamp"},
    {"id": "pm25", "type": "float"},
    {"id": "aqi", "type": "int"},
]


def sizes(quick: bool) -> tuple[int, int]:
    """(stations, readings per station)."""
    return (1_000, 100) if quick else (1_000, 1_000)


def rows(stations: int, readings: int) -> Any:
    for t in range(readings):
        observed = (START + timedelta(hours=t)).strftime("%Y-%m-%d %H:%M:%S")
        for n in range(stations):
            pm25 = ((n * 7919 + t * 104729) % 3000) / 10
            aqi = (n * 31 + t * 17) % 500
            yield (f"S{n:04d}", DISTRICTS[n % len(DISTRICTS)], observed, pm25, aqi)


def make_table(platform: Platform) -> tuple[str, str]:
    """A public dataset with one resource and its datastore table; (resource id, table name)."""
    clock = SystemClock()
    with platform.db.session() as s:
        tenant = security.ensure_tenant(
            s, clock, slug="shanghai", name_zh="上海市", name_en="Shanghai"
        )
        admin = security.system_principal(tenant, "bench")
        organisations.create_organisation(
            s, clock, admin, {"name": "environment", "title": "生态环境局"}
        )
        package = read_package(
            {"name": "air-hourly", "title": "空气质量小时数据", "owner_org": "environment"},
            creating=True,
        )
        dataset = service.create_dataset(s, clock, admin, package)
        resource = service.add_resource(
            s, clock, admin, dataset.uid, {"name": "readings", "format": "CSV"}
        )
        created = datastore.create(
            s,
            clock,
            admin,
            {
                "resource_id": resource.uid,
                "fields": FIELDS,
                "indexes": [["district", "aqi"], "aqi"],
            },
        )
        return created["resource_id"], "datastore_" + resource.uid.replace("-", "")


def load(db: Database, table: str, stations: int, readings: int) -> None:
    columns = "station, district, observed, pm25, aqi"
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.backend == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
            insert = f"INSERT INTO {table} ({columns}) VALUES (?, ?, ?, ?, ?)"
            batch: list[tuple[Any, ...]] = []
            for row in rows(stations, readings):
                batch.append(row)
                if len(batch) == 100_000:
                    cursor.executemany(insert, batch)
                    batch.clear()
            cursor.executemany(insert, batch)
            raw.commit()
            cursor.execute("ANALYZE")
        else:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                lines: list[str] = []
                for row in rows(stations, readings):
                    lines.append("\t".join(str(v) for v in row) + "\n")
                    if len(lines) == 50_000:
                        copy.write("".join(lines))
                        lines.clear()
                copy.write("".join(lines))
        raw.commit()
    finally:
        raw.close()
    if db.backend == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM ANALYZE {table}"))


@contextmanager
def database(backend: str, workdir: Path) -> Any:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'datastore.db'}"
        return
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
    try:
        yield make_url(PG_ADMIN).set(database=PG_NAME).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(platform: Platform) -> Any:
    import uvicorn

    from smartcity.web.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(platform), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def datasette_binary() -> Path | None:
    """Datasette in its own venv (created with pip on first use), or None if it cannot be."""
    binary = PEER_VENV / "bin" / "datasette"
    if binary.exists():
        return binary
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        pip = [str(PEER_VENV / "bin" / "pip"), "install", "-q", "datasette"]
        subprocess.run(pip, check=True, timeout=600)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"Datasette could not be installed: {exc}", file=sys.stderr)
        return None
    return binary


@contextmanager
def datasette(binary: Path, db_file: Path) -> Any:
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "serve", str(db_file), "--host", "127.0.0.1", "--port", str(port),
         "--setting", "sql_time_limit_ms", "10000", "--setting", "num_sql_threads", "3",
         "--setting", "suggest_facets", "off"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/-/versions.json") as response:
                    version = json.loads(response.read())["datasette"]["version"]
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("Datasette did not start") from None
                time.sleep(0.2)
        yield base, version
    finally:
        process.terminate()
        process.wait(timeout=10)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    total_s = sum(ordered) / 1000
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 2),
        "requests_per_s": round(len(ordered) / total_s, 1) if total_s else None,
        "runs": len(ordered),
    }


def measure(url: str, runs: int) -> tuple[dict[str, float], Any]:
    body = None
    for _ in range(3):
        with urllib.request.urlopen(url) as response:
            body = json.loads(response.read())
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        with urllib.request.urlopen(url) as response:
            response.read()
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples), body


def search_url(base: str, resource_id: str) -> str:
    query = urllib.parse.urlencode(
        {
            "resource_id": resource_id,
            "filters": json.dumps({"district": WANTED}),
            "sort": "aqi desc",
            "limit": 100,
        }
    )
    return f"{base}/api/3/action/datastore_search?{query}"


def run_backend(backend: str, *, quick: bool, runs: int, peer: bool) -> dict[str, Any]:
    stations, readings = sizes(quick)
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as url:
        settings = load_settings(
            data_dir=Path(tmp) / "var",
            database_url=url,
            secret_key=SECRET,
            rate_limit="1000000/minute",
            log_level="warning",
        )
        platform = Platform.from_settings(settings)
        migrate.upgrade(platform.db)
        resource_id, table = make_table(platform)
        started = time.perf_counter()
        load(platform.db, table, stations, readings)
        load_s = time.perf_counter() - started
        with live_server(platform) as base:
            ours, body = measure(search_url(base, resource_id), runs)
        platform.close()
        result: dict[str, Any] = {
            "backend": backend,
            "rows": stations * readings,
            "load_seconds": round(load_s, 1),
            "total_matching": body["result"]["total"],
            "records_answered": len(body["result"]["records"]),
            "datastore_search": ours,
            "target_p95_ms": TARGET_P95_MS,
            "meets_target": ours["p95_ms"] < TARGET_P95_MS,
        }
        binary = datasette_binary() if peer and backend == "sqlite" else None
        if binary is not None:
            db_file = Path(make_url(url).database or "")
            with datasette(binary, db_file) as (peer_base, version):
                peer_url = (
                    f"{peer_base}/{db_file.stem}/{table}.json?district={WANTED}"
                    "&_sort_desc=aqi&_size=100&_shape=objects"
                )
                theirs, peer_body = measure(peer_url, runs)
            result["datasette"] = {**theirs, "version": version,
                                   "total_matching": peer_body.get("filtered_table_rows_count"),
                                   "records_answered": len(peer_body.get("rows", []))}  # fmt: skip
            result["throughput_ratio"] = round(ours["requests_per_s"] / theirs["requests_per_s"], 2)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="100 k rows instead of 1 M")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--no-datasette", action="store_true", help="skip the Datasette peer")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = [
        run_backend(b, quick=args.quick, runs=args.runs, peer=not args.no_datasette)
        for b in backends
    ]
    print(
        f"{'backend':<11}{'rows':>11}{'load s':>8}{'p50 ms':>8}{'p95 ms':>8}{'req/s':>8}"
        f"  target p95 < {TARGET_P95_MS:.0f} ms   Datasette p50/p95 ms, req/s, ratio"
    )
    for r in results:
        ours = r["datastore_search"]
        peer = r.get("datasette")
        peer_text = (
            f"{peer['p50_ms']}/{peer['p95_ms']}, {peer['requests_per_s']}, {r['throughput_ratio']}"
            if peer
            else "-"
        )
        print(
            f"{r['backend']:<11}{r['rows']:>11,}{r['load_seconds']:>8}{ours['p50_ms']:>8}"
            f"{ours['p95_ms']:>8}{ours['requests_per_s']:>8}"
            f"  {'met' if r['meets_target'] else 'MISSED':<22}{peer_text}"
            f"  (total {r['total_matching']})"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "datastore",
        "quick": args.quick,
        "python": sys.version.split()[0],
        "machine": host.machine(),
        "cpus": os.cpu_count(),
        "results": results,
    }
    args.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
