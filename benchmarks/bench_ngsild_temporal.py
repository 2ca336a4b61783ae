"""Temporal `avg` per hour over one day for 1,000 entities out of 10 M stored instances, over HTTP,
against the same aggregation run as one raw SQL statement in the same database.

The figure: one request
  GET /ngsi-ld/v1/temporal/entities?type=AirQualityObserved&attrs=no2&timerel=between
      &timeAt=<day>&endTimeAt=<day+1>&aggrMethods=avg&aggrPeriodDuration=PT1H&limit=1000
to a live uvicorn server, answering 1,000 entities × 24 hourly averages (96 readings each per
day, one every 15 minutes). Data: 10,000 sensors (1,000 AirQualityObserved, 9,000 other) × 1,000
readings each = 10 M instances, written in time order as sensors report, loaded with executemany
(SQLite) or COPY (PostgreSQL) into a fresh database, secondary indexes built afterwards.
`--quick`: 1,000 sensors × 100 readings = 100 k instances.

Run: python benchmarks/bench_ngsild_temporal.py [--backend sqlite|postgresql|both] [--quick]
"""

from __future__ import annotations

import argparse
import json
import platform as host
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from smartcity.context import store
from smartcity.core import migrate
from smartcity.core.clock import SystemClock
from smartcity.core.db import Database
from smartcity.core.settings import load_settings
from smartcity.platform import Platform
from smartcity.security import service as security

TARGET_P95_MS = 200.0
TYPE, OTHER = "AirQualityObserved", "TrafficFlowObserved"
VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"
ATTR = VOCAB + "no2"
QUERIED = 1_000
START = datetime(2026, 1, 1, tzinfo=UTC)
STEP = timedelta(minutes=15)
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_NAME = "smartcity_bench_temporal"
SECRET = "bench-signing-key-0123456789abcdef"
DEFAULT_OUT = Path("var/bench/ngsild_temporal.json")
INDEXES = ("ix_ngsi_instances_entity_attr_values", "ix_ngsi_instances_tenant_recorded")


def sizes(quick: bool) -> tuple[int, int]:
    """(sensors, readings per sensor)."""
    return (1_000, 100) if quick else (10_000, 1_000)


def entity_id(n: int) -> str:
    return f"urn:ngsi-ld:{TYPE if n < QUERIED else OTHER}:{n:06d}"


def day_window(readings: int) -> tuple[datetime, datetime]:
    """The last whole day of the readings."""
    last = START + STEP * (readings - 1)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC)
    return end - timedelta(days=1), end


def rows(tenant_id: int, sensors: int, readings: int, stamp: Any) -> Any:
    """Instance rows in time order: every sensor reports every 15 minutes."""
    recorded = stamp(START + STEP * readings)
    for t in range(readings):
        at = START + STEP * t
        observed, iso = stamp(at), at.strftime("%Y-%m-%dT%H:%M:%SZ")
        for n in range(sensors):
            value = ((n * 7919 + t * 104729) % 2000) / 10
            iid = f"urn:ngsi-ld:attribute:instance:{t:05d}-{n:06d}"
            body = (
                f'{{"type":"Property","value":{value},"observedAt":"{iso}","instanceId":"{iid}"}}'
            )
            yield (tenant_id, entity_id(n), ATTR, iid, observed, recorded, value, body)


def create_entities(db: Database, tenant_id: int, sensors: int) -> None:
    with db.session() as session:
        for start in range(0, sensors, 1000):
            batch = [
                {"id": entity_id(n), "type": VOCAB + (TYPE if n < QUERIED else OTHER)}
                for n in range(start, min(start + 1000, sensors))
            ]
            store.upsert_entities(session, tenant_id, batch, SystemClock().now())


def index_ddl(conn: Any, backend: str) -> list[str]:
    """The CREATE INDEX statements of the secondary indexes, to rebuild them after loading."""
    names = ", ".join(f"'{name}'" for name in INDEXES)
    if backend == "sqlite":
        query = f"SELECT sql FROM sqlite_master WHERE type = 'index' AND name IN ({names})"
    else:
        query = f"SELECT indexdef FROM pg_indexes WHERE indexname IN ({names})"
    return [row[0] for row in conn.execute(text(query))]


def load_sqlite(db: Database, tenant_id: int, sensors: int, readings: int) -> None:
    with db.engine.begin() as conn:
        ddl = index_ddl(conn, "sqlite")
        for name in INDEXES:
            conn.execute(text(f"DROP INDEX {name}"))
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        insert = (
            "INSERT INTO ngsi_attribute_instances (tenant_id, entity_id, attr, instance_id, "
            "observed_at, recorded_at, value_number, instance) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
        batch: list[tuple[Any, ...]] = []
        for row in rows(tenant_id, sensors, readings, _sqlite_stamp):
            batch.append(row)
            if len(batch) == 100_000:
                cursor.executemany(insert, batch)
                batch.clear()
        cursor.executemany(insert, batch)
        raw.commit()
        for statement in ddl:
            cursor.execute(statement)
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _sqlite_stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.000000")  # the UTCDateTime storage form


def load_postgresql(db: Database, tenant_id: int, sensors: int, readings: int) -> None:
    with db.engine.begin() as conn:
        ddl = index_ddl(conn, "postgresql")
        for name in INDEXES:
            conn.execute(text(f"DROP INDEX {name}"))
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        copy_sql = (
            "COPY ngsi_attribute_instances (tenant_id, entity_id, attr, instance_id, "
            "observed_at, recorded_at, value_number, instance) FROM STDIN"
        )
        with cursor.copy(copy_sql) as copy:  # type: ignore[attr-defined]
            lines: list[str] = []
            for row in rows(tenant_id, sensors, readings, lambda m: m.isoformat()):
                lines.append("\t".join(str(v) for v in row) + "\n")
                if len(lines) == 50_000:
                    copy.write("".join(lines))
                    lines.clear()
            copy.write("".join(lines))
        for statement in ddl:
            cursor.execute(statement)
        raw.commit()
    finally:
        raw.close()
    # As autovacuum leaves a table after a bulk load: statistics, and the visibility map that
    # lets PostgreSQL answer from the index alone.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE ngsi_attribute_instances"))


@contextmanager
def database(backend: str, workdir: Path) -> Any:
    """A fresh, migrated database URL (PostgreSQL: created here and dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'temporal.db'}"
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


@contextmanager
def live_server(url: str, workdir: Path) -> Any:
    """The whole app in uvicorn on a free loopback port, NGSI-LD authentication off."""
    import socket

    import uvicorn

    from smartcity.web.app import create_app

    settings = load_settings(
        data_dir=workdir / "var",
        database_url=url,
        secret_key=SECRET,
        auth={"ngsild": False},
        rate_limit="1000000/minute",
        log_level="warning",
    )
    platform = Platform.from_settings(settings)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
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
        platform.close()


def query_url(base: str, day: tuple[datetime, datetime]) -> str:
    iso = [d.strftime("%Y-%m-%dT%H:%M:%SZ") for d in day]
    return (
        f"{base}/ngsi-ld/v1/temporal/entities?type={TYPE}&attrs=no2&timerel=between"
        f"&timeAt={iso[0]}&endTimeAt={iso[1]}&aggrMethods=avg&aggrPeriodDuration=PT1H&limit=1000"
    )


def baseline_sql(backend: str) -> str:
    """The same selection and hourly average as one statement, run in the database directly."""
    ms = (
        "CAST(ROUND((julianday(i.observed_at) - 2440587.5) * 86400000.0) AS INTEGER)"
        if backend == "sqlite"
        else "(date_part('epoch', i.observed_at) * 1000)"
    )
    bucket = (
        f"({ms} - :origin) / 3600000"
        if backend == "sqlite"
        else f"FLOOR(({ms} - :origin) / 3600000)"
    )
    return (
        f"SELECT i.entity_id, {bucket} AS k, AVG(i.value_number) FROM ngsi_attribute_instances i "
        "WHERE i.tenant_id = :tenant AND i.attr = :attr AND i.entity_id IN ("
        "SELECT e.entity_id FROM ngsi_entities e JOIN ngsi_entity_types t ON t.entity_pk = e.id "
        "WHERE t.tenant_id = :tenant AND t.type = :type) "
        "AND i.observed_at >= :start AND i.observed_at < :end GROUP BY i.entity_id, k"
    )


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 2),
        "runs": len(ordered),
    }


def measure_http(url: str, runs: int) -> tuple[dict[str, float], Any]:
    body = None
    for _ in range(3):  # warm up
        with urllib.request.urlopen(url) as response:
            body = json.loads(response.read())
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        with urllib.request.urlopen(url) as response:
            response.read()
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples), body


def measure_sql(
    url: str, backend: str, tenant_id: int, day: tuple[datetime, datetime], runs: int
) -> tuple[dict[str, float], int]:
    db = Database(url)
    stamp = _sqlite_stamp if backend == "sqlite" else (lambda m: m)
    values = {
        "tenant": tenant_id,
        "attr": ATTR,
        "type": VOCAB + TYPE,
        "start": stamp(day[0]),
        "end": stamp(day[1]),
        "origin": round(day[0].timestamp() * 1000),
    }
    statement = text(baseline_sql(backend))
    samples, found = [], 0
    with db.engine.connect() as conn:
        if backend == "postgresql":  # the session settings the broker uses for aggregations
            conn.execute(text("SET work_mem = '64MB'"))
            conn.execute(text("SET jit = off"))
        for i in range(runs + 3):
            start = time.perf_counter()
            found = len(conn.execute(statement, values).all())
            if i >= 3:
                samples.append((time.perf_counter() - start) * 1000)
    db.dispose()
    return percentiles(samples), found


def run_backend(backend: str, *, quick: bool, runs: int) -> dict[str, Any]:
    sensors, readings = sizes(quick)
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as url:
        db = Database(url)
        migrate.upgrade(db)
        with db.session() as session:
            tenant = security.ensure_tenant(
                session, SystemClock(), slug="shanghai", name_zh="上海市", name_en="Shanghai"
            )
            tenant_id = tenant.id
        create_entities(db, tenant_id, sensors)
        started = time.perf_counter()
        (load_sqlite if backend == "sqlite" else load_postgresql)(db, tenant_id, sensors, readings)
        load_s = time.perf_counter() - started
        db.dispose()
        day = day_window(readings)
        with live_server(url, Path(tmp)) as base:
            http, body = measure_http(query_url(base, day), runs)
        sql, sql_rows = measure_sql(url, backend, tenant_id, day, runs)
    cells = sum(len(e.get("no2", {}).get("avg", [])) for e in body or [])
    return {
        "backend": backend,
        "instances": sensors * readings,
        "sensors": sensors,
        "entities_answered": len(body or []),
        "hourly_averages_answered": cells,
        "baseline_rows": sql_rows,
        "load_seconds": round(load_s, 1),
        "http": http,
        "sql_baseline": sql,
        "ratio_p95": round(http["p95_ms"] / sql["p95_ms"], 2) if sql["p95_ms"] else None,
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": http["p95_ms"] < TARGET_P95_MS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="100 k instances instead of 10 M")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = [run_backend(b, quick=args.quick, runs=args.runs) for b in backends]
    print(
        f"{'backend':<11}{'instances':>11}{'load s':>9}{'HTTP p50':>10}{'HTTP p95':>10}"
        f"{'SQL p50':>9}{'SQL p95':>9}{'ratio':>7}  target p95 < {TARGET_P95_MS:.0f} ms"
    )
    for r in results:
        print(
            f"{r['backend']:<11}{r['instances']:>11,}{r['load_seconds']:>9}"
            f"{r['http']['p50_ms']:>10}{r['http']['p95_ms']:>10}"
            f"{r['sql_baseline']['p50_ms']:>9}{r['sql_baseline']['p95_ms']:>9}"
            f"{r['ratio_p95']:>7}  {'met' if r['meets_target'] else 'MISSED'}"
            f"  ({r['entities_answered']} entities, {r['hourly_averages_answered']} averages)"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "ngsild_temporal",
        "quick": args.quick,
        "python": sys.version.split()[0],
        "machine": host.machine(),
        "results": results,
    }
    args.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
