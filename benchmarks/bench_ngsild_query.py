"""NGSI-LD queries at 100,000 entities: `type` + `q`, and `near;maxDistance==500`, each beside a
baseline measured in the same run.

Entities (Smart Data Models AirQualityObserved, Streetlight and ParkingSpot, spread over
Shanghai: lon 121.0–121.9, lat 30.7–31.5) are inserted directly into a fresh database in their
stored form. Then:

- direct: `search.find_entities` in this process, one query at a time (latency of the query
  itself; reference: the same call with the type filter alone);
- HTTP: `GET /ngsi-ld/v1/entities?...` against `smartcity serve` from client processes with
  keep-alive connections; baseline: the same server answering `GET /health` under the same load.

Targets (issue 3): type+q ≥ 300 queries/s with p95 < 50 ms; near p95 < 20 ms.

Run: python benchmarks/bench_ngsild_query.py [--backend sqlite|postgresql|both] [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).parent))
from ngsild_bench import database, load, machine, prepare, server, write_report

QUERY_RATE_TARGET, QUERY_P95_TARGET, NEAR_P95_TARGET = 300, 50.0, 20.0
DEFAULT_OUT = Path("var/bench/ngsild_query.json")
BOX = (121.0, 30.7, 121.9, 31.5)
BATCH = 2_000
NOW = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def entity(number: int) -> dict[str, Any]:
    """One of three Smart Data Models, with numeric properties, at a random point."""
    rng = random.Random(number)
    lon = BOX[0] + rng.random() * (BOX[2] - BOX[0])
    lat = BOX[1] + rng.random() * (BOX[3] - BOX[1])
    kind = ("AirQualityObserved", "Streetlight", "ParkingSpot")[number % 3]
    point = {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [lon, lat]}}
    body: dict[str, Any] = {"id": f"urn:ngsi-ld:{kind}:sh-{number:06d}", "type": kind}
    if kind == "AirQualityObserved":
        body |= {
            "NO2": {"type": "Property", "value": round(rng.uniform(0, 100), 1), "unitCode": "GQ"},
            "PM10": {"type": "Property", "value": round(rng.uniform(5, 150), 1), "unitCode": "GQ"},
            "temperature": {"type": "Property", "value": round(rng.uniform(-5, 35), 1)},
            "relativeHumidity": {"type": "Property", "value": round(rng.random(), 2)},
            "dateObserved": {"type": "Property", "value": "2026-01-05T01:00:00Z"},
        }
    elif kind == "Streetlight":
        body |= {
            "status": {"type": "Property", "value": rng.choice(["ok", "defectiveLamp"])},
            "powerState": {"type": "Property", "value": rng.choice(["on", "off"])},
            "illuminanceLevel": {"type": "Property", "value": round(rng.random(), 2)},
            "lanternHeight": {"type": "Property", "value": rng.choice([6, 8, 10, 12])},
        }
    else:
        body |= {
            "status": {"type": "Property", "value": rng.choice(["free", "occupied"])},
            "category": {"type": "Property", "value": ["onStreet"]},
        }
    return body | {"location": point}


def populate(url: str, count: int) -> int:
    """Insert ``count`` entities (and their type rows) in the stored form; the tenant's id."""
    from smartcity.context.jsonld import ContextResolver
    from smartcity.context.models import ContextEntity, ContextEntityType
    from smartcity.core.db import Database
    from smartcity.security.models import Tenant

    core = ContextResolver().core
    db = Database(url)
    with db.session() as session:
        tenant = session.scalar(select(Tenant.id).where(Tenant.slug == "shanghai"))
        for start in range(0, count, BATCH):
            rows = []
            for number in range(start, min(start + BATCH, count)):
                stored = core.expand_entity(entity(number))
                x, y = stored["location"]["value"]["coordinates"]
                attrs = {k: v for k, v in stored.items() if k not in ("id", "type")}
                box = {"min_lon": x, "min_lat": y, "max_lon": x, "max_lat": y}
                rows.append(
                    {"tenant_id": tenant, "entity_id": stored["id"], "types": [stored["type"]]}
                    | {"attrs": attrs, "scope": None, "created_at": NOW, "modified_at": NOW}
                    | box
                )
            session.execute(insert(ContextEntity.__table__), rows)
            pks = session.execute(
                select(ContextEntity.id, ContextEntity.types).where(
                    ContextEntity.entity_id.in_([r["entity_id"] for r in rows])
                )
            ).all()
            types = [{"entity_pk": pk, "type": ts[0], "tenant_id": tenant} for pk, ts in pks]
            session.execute(insert(ContextEntityType.__table__), types)
    if db.backend == "postgresql":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    db.dispose()
    return tenant


def _q_path(worker: int, i: int) -> str:
    rng = random.Random(worker * 1_000_003 + i)
    q = f"NO2>{rng.randint(20, 60)};temperature<{rng.randint(10, 30)}"
    return f"/ngsi-ld/v1/entities?type=AirQualityObserved&q={quote(q)}&limit=20"


def _near_path(worker: int, i: int) -> str:
    rng = random.Random(worker * 2_000_003 + i)
    lon = round(BOX[0] + 0.02 + rng.random() * 0.86, 5)
    lat = round(BOX[1] + 0.02 + rng.random() * 0.76, 5)
    return (
        "/ngsi-ld/v1/entities?type=Streetlight&georel=near%3BmaxDistance%3D%3D500"
        f"&geometry=Point&coordinates=%5B{lon},{lat}%5D"
    )


def make_q(worker: int, i: int) -> tuple[str, str, Any]:
    return "GET", _q_path(worker, i), None


def make_near(worker: int, i: int) -> tuple[str, str, Any]:
    return "GET", _near_path(worker, i), None


def make_health(_worker: int, _i: int) -> tuple[str, str, Any]:
    return "GET", "/health", None


def _latencies(fn: Any, count: int) -> dict[str, float]:
    times = []
    for i in range(count):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "per_second": round(count / (sum(times) / 1000), 1),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        "calls": count,
    }


def direct(url: str, tenant: int, calls: int) -> dict[str, Any]:
    """find_entities in this process: type+q, near, and the type filter alone."""
    from smartcity.context.jsonld import ContextResolver
    from smartcity.context.query import parse_geoquery, parse_q
    from smartcity.context.search import EntityQuery, find_entities, parse_types
    from smartcity.core.db import Database

    core = ContextResolver().core
    db = Database(url)
    air = parse_types("AirQualityObserved").map(core.stored_name)
    lamps = parse_types("Streetlight").map(core.stored_name)

    def run(query: EntityQuery) -> int:
        with db.session() as session:
            return len(find_entities(session, tenant, query, now=NOW)[0])

    def q(i: int) -> int:
        rng = random.Random(i)
        text = f"NO2>{rng.randint(20, 60)};temperature<{rng.randint(10, 30)}"
        return run(EntityQuery(types=air, q=parse_q(text).map_attributes(core.stored_name)))

    def near(i: int) -> int:
        rng = random.Random(i)
        point = f"[{BOX[0] + 0.02 + rng.random() * 0.86},{BOX[1] + 0.02 + rng.random() * 0.76}]"
        geo = parse_geoquery("near;maxDistance==500", "Point", point)
        return run(EntityQuery(types=lamps, geo=geo))

    result = {
        "type_only": _latencies(lambda _: run(EntityQuery(types=air)), calls),
        "type_q": _latencies(q, calls),
        "near": _latencies(near, calls),
    }
    db.dispose()
    return result


def over_http(url: str, seconds: float, *, near_only: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir, server(url, data_dir) as base:
        probe = httpx.get(base + _q_path(0, 0), timeout=30)
        if probe.status_code != 200:
            return {"skipped": f"GET /ngsi-ld/v1/entities answered {probe.status_code}"}
        result = {"health_baseline": load(base, make_health, seconds=seconds).summary()}
        if not near_only:
            result["type_q"] = load(base, make_q, seconds=seconds).summary()
        result["near"] = load(base, make_near, seconds=seconds).summary()
    return result


def add_extent_indexes(url: str) -> list[str]:
    """Create the indexes `sql_plan` proposes for box searches (if missing); their DDL."""
    from smartcity.context.query import sql_plan
    from smartcity.core.db import Database

    db = Database(url)
    statements = [
        f"CREATE INDEX IF NOT EXISTS {name} ON ngsi_entities {columns}"
        for name, columns in sql_plan.EXTENT_INDEXES.items()
    ]
    with db.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
        if db.backend == "postgresql":
            conn.exec_driver_sql("ANALYZE ngsi_entities")
    db.dispose()
    sql_plan.forget_indexes()
    return statements


def run_backend(backend: str, *, quick: bool) -> dict[str, Any]:
    count = 20_000 if quick else 100_000
    with database(backend, "smartcity_bench_query") as url:
        prepare(url)
        start = time.perf_counter()
        tenant = populate(url, count)
        loaded = time.perf_counter() - start
        result: dict[str, Any] = {"entities": count, "load_seconds": round(loaded, 1)}
        calls, seconds = (100, 3.0) if quick else (400, 10.0)
        result["direct"] = direct(url, tenant, calls)
        result["http"] = over_http(url, seconds)
        result["extent_indexes"] = add_extent_indexes(url)
        result["direct_with_indexes"] = direct(url, tenant, calls)
        result["http_with_indexes"] = over_http(url, seconds, near_only=True)
    return result


def _row(name: str, figures: dict[str, Any]) -> str:
    return f"  {name:<34}{figures['per_second']:>10}{figures['p50_ms']:>10}{figures['p95_ms']:>10}"


def _print(backend: str, result: dict[str, Any]) -> None:
    print(f"\n{backend}: {result['entities']:,} entities (loaded in {result['load_seconds']} s)")
    print(f"  {'measure':<34}{'per s':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for suffix in ("", "_with_indexes"):
        label = " +idx" if suffix else ""
        for name, figures in result["direct" + suffix].items():
            print(_row(f"direct {name}{label}", figures))
        http = result["http" + suffix]
        if "skipped" in http:
            print(f"  HTTP skipped: {http['skipped']}")
            continue
        base = http["health_baseline"]["per_second"]
        for name, figures in http.items():
            if name != "health_baseline":
                figures["ratio_to_health"] = (
                    round(figures["per_second"] / base, 3) if base else None
                )
            print(
                _row(f"HTTP {name}{label}", figures) + f"  ({figures.get('ratio_to_health', 1)}×)"
            )
    http, indexed = result["http"], result["http_with_indexes"]
    if "skipped" not in http:
        result["targets_met"] = {
            "type_q": http["type_q"]["per_second"] >= QUERY_RATE_TARGET
            and http["type_q"]["p95_ms"] < QUERY_P95_TARGET,
            "near": http["near"]["p95_ms"] < NEAR_P95_TARGET,
            "near_with_indexes": indexed["near"]["p95_ms"] < NEAR_P95_TARGET,
        }
        print(f"  targets met: {result['targets_met']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="20,000 entities, shorter runs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    report: dict[str, Any] = {"machine": machine(), "quick": args.quick, "backends": {}}
    report["machine"]["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    for backend in backends:
        result = run_backend(backend, quick=args.quick)
        _print(backend, result)
        report["backends"][backend] = result
    write_report(args.out, report)
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
