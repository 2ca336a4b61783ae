"""HTTP bulk ingest: readings stored per second through POST /api/sensing/readings on the real
server, beside a baseline measured in the same run.

- figure: JSON batches of 5,000 items × 2 readings (pm25, no2) from 1,000 registered air quality
  stations, sent by `CLIENTS` concurrent clients with a platform API key (`readings:write`); each
  reading is parsed, checked against the AirQualityObserved schema, de-duplicated by its receipt
  and stored as history and current value, with the devices' last seen;
- baseline: raw executemany INSERTs of the same rows (receipts and history instances) on the
  same database, without HTTP, parsing, checks or the entities' current values.

Run: python benchmarks/bench_http_ingest.py [--backend sqlite|postgresql|both] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).parent))
from ngsild_bench import SECRET, database, machine, prepare, server, write_report

TARGET = 100_000  # readings per second
DEVICES = 1_000
ITEMS = 5_000  # items per request, two readings each
CLIENTS = 4
DEFAULT_OUT = Path("var/bench/http_ingest.json")
START = datetime(2026, 1, 5, tzinfo=UTC)


def register(url: str) -> str:
    """1,000 air quality stations and a platform key allowed to send readings; the key."""
    from smartcity.core.settings import load_settings
    from smartcity.platform import Platform
    from smartcity.security import service as security
    from smartcity.sensing import service as sensing
    from smartcity.sensing.device_types import DeviceKind
    from smartcity.sensing.schemas import DeviceCreate

    plat = Platform.from_settings(load_settings(database_url=url, secret_key=SECRET))
    try:
        with plat.db.session() as session:
            tenant = security.get_tenant(session, slug="shanghai")
            admin = security.system_principal(tenant, "bench")
            for n in range(DEVICES):
                spec = DeviceCreate(
                    device_id=f"AQ-{n:04d}",
                    type=DeviceKind.AIR_QUALITY_STATION,
                    lon=121.0 + (n % 100) * 0.008,
                    lat=30.8 + (n // 100) * 0.06,
                    credentials=[],
                )
                sensing.create_device(session, plat, admin, spec)
            issued = security.create_api_key(
                session, plat.clock, admin, name="bench gateway", scopes=["readings:write"]
            )
            return issued.secret
    finally:
        plat.close()


def _at(request: int, item: int) -> datetime:
    """A distinct observation time for each (device, request): no reading repeats."""
    return START + timedelta(seconds=request * (ITEMS // DEVICES) + item // DEVICES)


def body(request: int) -> bytes:
    items = []
    for i in range(ITEMS):
        at = _at(request, i).isoformat().replace("+00:00", "Z")
        items.append(
            {
                "device_id": f"AQ-{i % DEVICES:04d}",
                "pm25": (request * 7 + i) % 300 + 0.5,
                "no2": (request * 3 + i) % 200,
                "observedAt": at,
            }
        )
    return orjson.dumps(items)


def send(base: str, key: str, bodies: list[bytes]) -> tuple[float, int, int]:
    """Post every body from CLIENTS threads; (seconds, readings stored, failed requests)."""
    stored, failures = [0], [0]
    lock = threading.Lock()
    queue = list(enumerate(bodies))

    def client() -> None:
        headers = {"X-API-Key": key, "Content-Type": "application/json"}
        with httpx.Client(base_url=base, timeout=300) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    _, payload = queue.pop()
                response = http.post("/api/sensing/readings", content=payload, headers=headers)
                with lock:
                    if response.status_code != 200:
                        failures[0] += 1
                    else:
                        stored[0] += response.json()["stored"]

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, stored[0], failures[0]


def raw_insert(url: str, requests: int, first: int) -> tuple[float, int]:
    """The same readings as receipts and history rows, inserted with executemany."""
    from smartcity.context.models import AttributeInstance
    from smartcity.core.db import Database
    from smartcity.sensing.ingest.models import ReadingReceipt
    from smartcity.sensing.models import Device

    db = Database(url)
    with db.engine.connect() as conn:
        pks = dict(
            conn.execute(
                Device.__table__.select().with_only_columns(Device.device_id, Device.id)
            ).all()
        )
    now = datetime.now(UTC)
    batches = []
    for r in range(first, first + requests):
        receipts, history = [], []
        for i in range(ITEMS):
            device = f"AQ-{i % DEVICES:04d}"
            at = _at(r, i)
            for attr, value in (("pm25", (r * 7 + i) % 300 + 0.5), ("no2", (r * 3 + i) % 200)):
                receipts.append(
                    {
                        "tenant_id": 1,
                        "device_pk": pks[device],
                        "attr": attr,
                        "observed_at": at,
                        "received_at": now,
                    }
                )
                instance_id = f"urn:ngsi-ld:attribute:instance:raw-{r}-{i}-{attr}"
                history.append(
                    {
                        "tenant_id": 1,
                        "entity_id": f"urn:ngsi-ld:AirQualityObserved:{device}",
                        "attr": f"https://uri.etsi.org/ngsi-ld/default-context/{attr}",
                        "dataset_id": None,
                        "instance_id": instance_id,
                        "observed_at": at,
                        "recorded_at": now,
                        "value_number": float(value),
                        "instance": {
                            "type": "Property",
                            "value": value,
                            "observedAt": at.isoformat(),
                            "instanceId": instance_id,
                        },
                    }
                )
        batches.append((receipts, history))
    start = time.perf_counter()
    for receipts, history in batches:
        with db.engine.begin() as conn:
            conn.execute(insert(ReadingReceipt.__table__), receipts)
            conn.execute(insert(AttributeInstance.__table__), history)
    elapsed = time.perf_counter() - start
    db.dispose()
    return elapsed, requests * ITEMS * 2


def run_backend(backend: str, *, quick: bool) -> dict[str, Any]:
    requests = 8 if quick else 40
    with database(backend, "smartcity_bench_ingest") as url, tempfile.TemporaryDirectory() as data:
        prepare(url)
        key = register(url)
        bodies = [body(r) for r in range(requests)]
        with server(url, data) as base:
            # one warm-up request (imports, schema validators, entity creation), not counted
            warm = httpx.post(
                f"{base}/api/sensing/readings",
                content=body(requests + 1),
                headers={"X-API-Key": key, "Content-Type": "application/json"},
                timeout=300,
            )
            if warm.status_code != 200:
                raise RuntimeError(f"warm-up failed: {warm.status_code} {warm.text[:300]}")
            seconds, stored, failures = send(base, key, bodies)
        raw_seconds, raw_count = raw_insert(url, requests, requests + 10)
    rate = stored / seconds
    raw_rate = raw_count / raw_seconds
    return {
        "readings_per_second": round(rate),
        "baseline_raw_inserts_per_second": round(raw_rate),
        "ratio": round(rate / raw_rate, 3),
        "readings": stored,
        "expected": requests * ITEMS * 2,
        "failed_requests": failures,
        "readings_per_request": ITEMS * 2,
        "clients": CLIENTS,
        "target_per_second": TARGET,
        "met": rate >= TARGET and failures == 0 and stored == requests * ITEMS * 2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    # the load here is always Python clients (whatever machine() says of the other benchmarks)
    host = {**machine(), "load_generator": f"python (httpx, {CLIENTS} threads)"}
    report: dict[str, Any] = {"machine": host, "quick": args.quick, "backends": {}}
    for backend in backends:
        result = run_backend(backend, quick=args.quick)
        report["backends"][backend] = result
        verdict = "met" if result["met"] else "NOT met"
        print(
            f"[{backend}] HTTP bulk ingest {result['readings_per_second']:>9,} readings/s"
            f"  baseline raw inserts {result['baseline_raw_inserts_per_second']:>9,}/s"
            f"  ratio {result['ratio']:.2f}  target {TARGET:,}/s: {verdict}"
            f"  ({result['readings']:,} of {result['expected']:,} stored,"
            f" {result['failed_requests']} failed requests)"
        )
    write_report(args.out, report)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
