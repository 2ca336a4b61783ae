"""NGSI-LD writes: single-attribute PATCH updates per second over HTTP, and batch upserts of
entities with five attributes, each beside its baseline measured in the same run.

- PATCH /ngsi-ld/v1/entities/{id}/attrs/{attr} against `smartcity serve` (one process), from
  client processes; baseline: the same server answering its empty 204 route (`GET /ping`).
- POST /ngsi-ld/v1/entityOperations/upsert in batches of 1,000 new entities with five
  attributes; baseline: raw executemany INSERTs of the same rows (entity, type and history rows)
  on the same database, without HTTP, validation or JSON-LD.

Run: python benchmarks/bench_ngsild_write.py [--backend sqlite|postgresql|both] [--quick]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).parent))
from ngsild_bench import database, load, machine, prepare, server, write_report

PATCH_TARGET = 2_000  # updates per second
UPSERT_TARGET = 20_000  # entities per second
ENTITIES = 1_000
BATCH = 1_000
DEFAULT_OUT = Path("var/bench/ngsild_write.json")


def station(number: int, run: str) -> dict[str, Any]:
    rng = random.Random(number)
    return {
        "id": f"urn:ngsi-ld:AirQualityObserved:{run}-{number}",
        "type": "AirQualityObserved",
        "NO2": {"type": "Property", "value": rng.uniform(5, 90), "unitCode": "GQ"},
        "PM25": {"type": "Property", "value": rng.uniform(5, 150), "unitCode": "GQ"},
        "temperature": {"type": "Property", "value": rng.uniform(-5, 38), "unitCode": "CEL"},
        "dateObserved": {"type": "Property", "value": "2026-01-05T01:00:00Z"},
        "location": {
            "type": "GeoProperty",
            "value": {
                "type": "Point",
                "coordinates": [121.0 + rng.random() * 0.9, 30.7 + rng.random() * 0.8],
            },
        },
    }


def _patch(worker: int, i: int) -> tuple[str, str, Any]:
    number = (worker * 7919 + i) % ENTITIES
    path = f"/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:seed-{number}/attrs/NO2"
    return "PATCH", path, {"value": (i % 97) + 0.5}


def _ping(_worker: int, _i: int) -> tuple[str, str, Any]:
    return "GET", "/ping", None


def _upsert_http(base: str, batches: int) -> tuple[float, int]:
    run = uuid.uuid4().hex[:8]
    with httpx.Client(base_url=base, timeout=120) as client:
        payloads = [
            orjson.dumps([station(b * BATCH + n, run) for n in range(BATCH)])
            for b in range(batches)
        ]
        start = time.perf_counter()
        for body in payloads:
            response = client.post(
                "/ngsi-ld/v1/entityOperations/upsert",
                content=body,
                headers={"Content-Type": "application/json"},
            )
            if response.status_code not in (201, 204):
                raise RuntimeError(f"upsert failed: {response.status_code} {response.text[:300]}")
        elapsed = time.perf_counter() - start
    return elapsed, batches * BATCH


def _raw_rows(batches: int) -> list[tuple[list[dict], list[dict], list[dict]]]:
    """The rows the broker writes for the same entities, ready for executemany."""
    from smartcity.context.jsonld import ContextResolver

    core = ContextResolver().core
    now = datetime.now(UTC)
    run = uuid.uuid4().hex[:8]
    out = []
    for b in range(batches):
        entities, history = [], []
        for n in range(BATCH):
            stored = core.expand_entity(station(b * BATCH + n, run))
            attrs = {k: v for k, v in stored.items() if k not in ("id", "type")}
            x, y = stored["location"]["value"]["coordinates"]
            entities.append(
                {
                    "tenant_id": 1,
                    "entity_id": stored["id"],
                    "types": [stored["type"]],
                    "attrs": attrs,
                    "scope": None,
                    "min_lon": x,
                    "min_lat": y,
                    "max_lon": x,
                    "max_lat": y,
                    "created_at": now,
                    "modified_at": now,
                }
            )
            for name, attribute in attrs.items():
                value = attribute.get("value")
                history.append(
                    {
                        "tenant_id": 1,
                        "entity_id": stored["id"],
                        "attr": name,
                        "dataset_id": None,
                        "instance_id": f"urn:ngsi-ld:attribute:instance:{uuid.uuid4()}",
                        "observed_at": None,
                        "recorded_at": now,
                        "value_number": value if isinstance(value, float) else None,
                        "instance": attribute,
                    }
                )
        out.append((entities, history, [stored["type"]]))
    return out


def _upsert_raw(url: str, batches: int) -> tuple[float, int]:
    from smartcity.context.models import AttributeInstance, ContextEntity, ContextEntityType
    from smartcity.core.db import Database

    engine = Database(url).engine
    prepared = _raw_rows(batches)
    start = time.perf_counter()
    for entities, history, _types in prepared:
        with engine.begin() as conn:
            conn.execute(insert(ContextEntity.__table__), entities)
            ids = [e["entity_id"] for e in entities]
            pks = conn.execute(
                select(ContextEntity.id).where(ContextEntity.entity_id.in_(ids))
            ).scalars()
            conn.execute(
                insert(ContextEntityType.__table__),
                [{"entity_pk": pk, "type": "x", "tenant_id": 1} for pk in pks],
            )
            conn.execute(insert(AttributeInstance.__table__), history)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, batches * BATCH


def run_backend(backend: str, *, quick: bool) -> dict[str, Any]:
    seconds = 4 if quick else 15
    batches = 5 if quick else 30
    with database(backend, "smartcity_bench_write") as url, tempfile.TemporaryDirectory() as data:
        prepare(url)
        with server(url, data) as base:
            seed = [station(n, "seed") for n in range(ENTITIES)]
            httpx.post(f"{base}/ngsi-ld/v1/entityOperations/upsert", json=seed, timeout=120)
            baseline = load(base, _ping, seconds=seconds)
            patch = load(base, _patch, seconds=seconds)
            http_seconds, http_count = _upsert_http(base, batches)
        raw_seconds, raw_count = _upsert_raw(url, batches)
    upsert_rate = http_count / http_seconds
    raw_rate = raw_count / raw_seconds
    return {
        "patch": {
            "figure": patch.summary(),
            "baseline_empty_204": baseline.summary(),
            "ratio": round(patch.rate / baseline.rate, 3),
            "target_per_second": PATCH_TARGET,
            "met": patch.rate >= PATCH_TARGET and patch.failures == 0,
        },
        "batch_upsert": {
            "entities_per_second": round(upsert_rate),
            "baseline_raw_inserts_per_second": round(raw_rate),
            "ratio": round(upsert_rate / raw_rate, 3),
            "entities": http_count,
            "batch": BATCH,
            "target_per_second": UPSERT_TARGET,
            "met": upsert_rate >= UPSERT_TARGET,
        },
    }


def _met(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    report: dict[str, Any] = {"machine": machine(), "quick": args.quick, "backends": {}}
    for backend in backends:
        result = run_backend(backend, quick=args.quick)
        report["backends"][backend] = result
        p, u = result["patch"], result["batch_upsert"]
        print(f"[{backend}]")
        print(
            f"  PATCH attribute  {p['figure']['per_second']:>9,.0f}/s"
            f"  p95 {p['figure']['p95_ms']} ms"
            f"  baseline /ping {p['baseline_empty_204']['per_second']:>9,.0f}/s"
            f"  ratio {p['ratio']:.2f}  target {PATCH_TARGET:,}/s: {_met(p['met'])}"
        )
        print(
            f"  batch upsert     {u['entities_per_second']:>9,} entities/s"
            f"  baseline raw inserts {u['baseline_raw_inserts_per_second']:>9,}/s"
            f"  ratio {u['ratio']:.2f}  target {UPSERT_TARGET:,}/s: {_met(u['met'])}"
        )
    write_report(args.out, report)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
