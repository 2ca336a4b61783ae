"""Rule evaluation inside ingestion: readings stored per second through `ingest()` (the path
every transport takes) with 1,000 active rules, beside a baseline without rules, same run.

- figure: one city (a generated Shanghai: 16 districts, 100 streets, ~1,000 grid cells) with
  1,000 devices (600 air quality stations, 200 noise monitors, 200 water quality buoys) and 1,000
  enabled rules of mixed kinds and scopes (thresholds, some on 24-hour or 1-hour window means,
  rates of change, robust z-score and EWMA anomalies, silence) on pm25, pm10, LAeq, pH and O2,
  city-wide and by district, street and cell (1 %, 9 %, 30 %, 60 %); batches of 1,000 items (one
  a device, 1,800 readings), 0.05 % of values far out of the ordinary (each fires a few rules);
- baseline: a second tenant with the same city, devices and readings and no rules. Batches of the
  two alternate, so both see the same machine at the same moments.

Target: the figure at most 20 % below the baseline (ratio ≥ 0.80).

Run: python benchmarks/bench_rules.py [--backend sqlite|postgresql|both] [--quick]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from ngsild_bench import SECRET, database, machine, prepare, write_report

TARGET_RATIO = 0.80
DEVICES = {"air_quality_station": 600, "noise_monitor": 200, "water_quality_buoy": 200}
RULES = 1_000
DEFAULT_OUT = Path("var/bench/rules.json")
# Scopes of the rules: 1 % city-wide, 9 % by district, 30 % by street, 60 % by grid cell.
LEVELS = ("city",) + ("district",) * 9 + ("street",) * 30 + ("cell",) * 60
ODD = 0.0005  # share of values far out of the ordinary (about one a batch)
START = datetime(2026, 1, 5, tzinfo=UTC)
ATTRIBUTES = {
    "air_quality_station": ("AirQualityObserved", {"pm25": 35.0, "pm10": 70.0}),
    "noise_monitor": ("NoiseLevelObserved", {"LAeq": 55.0}),
    "water_quality_buoy": ("WaterQualityObserved", {"pH": 7.2, "O2": 7.0}),
}


def setup(url: str) -> tuple[Any, dict[str, int], list[str]]:
    """The platform, the two tenants' ids, and the device ids (the same in both)."""
    from smartcity.core.clock import FixedClock
    from smartcity.core.settings import load_settings
    from smartcity.geo import service as geo
    from smartcity.geo.layout import generate_shanghai
    from smartcity.platform import Platform
    from smartcity.security import service as security
    from smartcity.sensing import service as sensing
    from smartcity.sensing.device_types import DeviceKind
    from smartcity.sensing.schemas import DeviceCreate

    clock = FixedClock(START + timedelta(days=30))
    plat = Platform.from_settings(load_settings(database_url=url, secret_key=SECRET), clock=clock)
    layout = generate_shanghai(cells=1000, streets=100, seed=7)
    points = [c.geometry.representative_point() for c in layout.cells]
    tenants, ids = {}, []
    for slug in ("shanghai", "baseline"):
        with plat.db.session() as session:
            tenant = security.ensure_tenant(session, clock, slug=slug, name_zh=slug, name_en=slug)
            admin = security.system_principal(tenant, "bench")
            geo.load_demo_city(session, clock, admin, layout)
            session.commit()
            n = 0
            for kind, count in DEVICES.items():
                for _ in range(count):
                    point = points[n % len(points)]
                    device_id = f"D-{n:04d}"
                    spec = DeviceCreate(
                        device_id=device_id,
                        type=DeviceKind(kind),
                        lon=point.x,
                        lat=point.y,
                        credentials=[],
                    )
                    sensing.create_device(session, plat, admin, spec)
                    if slug == "shanghai":
                        ids.append(device_id)
                    n += 1
            tenants[slug] = tenant.id
    return plat, tenants, ids


def _rule(rng: random.Random, n: int, areas: dict[str, list[str]]) -> dict[str, Any]:
    kind = ("air_quality_station", "noise_monitor", "water_quality_buoy")[n % 3]
    entity_type, attrs = ATTRIBUTES[kind]
    attribute = list(attrs)[n % len(attrs)]
    normal = attrs[attribute]
    level = LEVELS[n % len(LEVELS)]
    area = {"area_level": level, "area_code": rng.choice(areas[level]) if level != "city" else None}
    style = n % 10
    top = 13.5 if attribute == "pH" else float("inf")  # pH never exceeds 14
    if style < 4:
        limit = min(normal * 3, top)
        params = {"direction": "above", "raise_at": limit, "clear_at": limit * 0.85}
    elif style < 6:
        limit = min(normal * 2, top)
        params = {
            "direction": "above",
            "raise_at": limit,
            "clear_at": limit * 0.9,
            "window_minutes": 1440 if style == 4 else 60,
        }
    elif style < 7:
        params = {
            "direction": "either",
            "raise_at": normal,
            "clear_at": normal / 2,
            "window_minutes": 10,
        }
    elif style < 9:
        params = {"method": "robust_z" if style == 7 else "ewma", "raise_at": 8, "clear_at": 4}
    else:
        return {
            "name_zh": f"静默 {n}",
            "name_en": f"silence {n}",
            "kind": "silence",
            "device_type": kind,
            "params": {"minutes": 60},
            **area,
        }
    kinds = {
        0: "threshold",
        1: "threshold",
        2: "threshold",
        3: "threshold",
        4: "threshold",
        5: "threshold",
        6: "rate_of_change",
        7: "anomaly",
        8: "anomaly",
    }
    return {
        "name_zh": f"规则 {n}",
        "name_en": f"rule {n}",
        "kind": kinds[style],
        "entity_type": entity_type,
        "attribute": attribute,
        "params": params,
        **area,
    }


def create_rules(plat: Any, tenant_id: int) -> int:
    from sqlalchemy import select

    from smartcity.geo.models import District, Street, UnitGridCell
    from smartcity.rules import service
    from smartcity.rules.schemas import RuleIn
    from smartcity.security import service as security
    from smartcity.sensing.models import Device

    rng = random.Random(11)
    with plat.db.session() as session:
        tenant = security.get_tenant(session, slug="shanghai")
        admin = security.system_principal(tenant, "bench")
        used_cells = set(
            session.scalars(select(Device.cell_code).where(Device.tenant_id == tenant_id))
        )
        areas = {
            "district": list(
                session.scalars(select(District.code).where(District.tenant_id == tenant_id))
            ),
            "street": list(
                session.scalars(select(Street.code).where(Street.tenant_id == tenant_id))
            ),
            "cell": sorted(
                c
                for c in session.scalars(
                    select(UnitGridCell.code).where(UnitGridCell.tenant_id == tenant_id)
                )
                if c in used_cells
            ),
        }
        for n in range(RULES):
            body = RuleIn(**_rule(rng, n, areas)).model_dump()
            service.create_rule(session, plat, admin, body)
    return RULES


def batch(ids: list[str], step: int, rng: random.Random) -> list[dict[str, Any]]:
    """One item per device at minute `step`; about 1 % of values far from normal."""
    at = (START + timedelta(minutes=step)).isoformat().replace("+00:00", "Z")
    items = []
    for n, device_id in enumerate(ids):
        kind = next(k for k, (lo, hi) in _ranges().items() if lo <= n < hi)
        _, attrs = ATTRIBUTES[kind]
        item: dict[str, Any] = {"device_id": device_id, "observedAt": at}
        for attr, normal in attrs.items():
            odd = rng.random() < ODD
            value = normal * (4 if odd else rng.uniform(0.8, 1.2))
            item[attr] = round(min(value, 14) if attr == "pH" else value, 2)
        items.append(item)
    return items


def _ranges() -> dict[str, tuple[int, int]]:
    ranges, start = {}, 0
    for kind, count in DEVICES.items():
        ranges[kind] = (start, start + count)
        start += count
    return ranges


def ingest_batch(plat: Any, tenant_id: int, items: list[dict[str, Any]]) -> tuple[float, int]:
    from smartcity.sensing.ingest.parse import TimeParser, read_item
    from smartcity.sensing.ingest.service import Source, ingest

    now = plat.clock.now()
    times = TimeParser()
    measurements = [read_item(item, now, times, index=i) for i, item in enumerate(items)]
    start = time.perf_counter()
    with plat.db.session() as session:
        outcome = ingest(
            session, plat, tenant_id, measurements, source=Source("http", "/bench"), received_at=now
        )
    elapsed = time.perf_counter() - start
    if outcome.letters:
        raise RuntimeError(f"dead letters in the benchmark: {outcome.letters[:3]}")
    return elapsed, outcome.stored


def run_backend(backend: str, *, quick: bool) -> dict[str, Any]:
    from sqlalchemy import func, select

    from smartcity.rules.models import Alert

    steps = 6 if quick else 30
    with database(backend, "smartcity_bench_rules") as url:
        prepare(url)
        plat, tenants, ids = setup(url)
        try:
            create_rules(plat, tenants["shanghai"])
            rng = random.Random(5)
            warm = batch(ids, 0, rng)  # creates the entities, loads the rules: not counted
            for tenant_id in tenants.values():
                ingest_batch(plat, tenant_id, warm)
            seconds = {"shanghai": 0.0, "baseline": 0.0}
            stored = {"shanghai": 0, "baseline": 0}
            for step in range(1, steps + 1):
                items = batch(ids, step, rng)
                order = ("baseline", "shanghai") if step % 2 else ("shanghai", "baseline")
                for slug in order:
                    elapsed, count = ingest_batch(plat, tenants[slug], items)
                    seconds[slug] += elapsed
                    stored[slug] += count
            with plat.db.session() as session:
                alerts = session.scalar(select(func.count()).select_from(Alert)) or 0
        finally:
            plat.close()
    rate = stored["shanghai"] / seconds["shanghai"]
    base = stored["baseline"] / seconds["baseline"]
    return {
        "readings_per_second_with_rules": round(rate),
        "baseline_readings_per_second_without_rules": round(base),
        "ratio": round(rate / base, 3),
        "rules": RULES,
        "readings": stored["shanghai"],
        "batches": steps,
        "readings_per_batch": stored["shanghai"] // steps,
        "alerts_raised": alerts,
        "target_ratio": TARGET_RATIO,
        "met": rate / base >= TARGET_RATIO and stored["shanghai"] == stored["baseline"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    from smartcity.web.app import tune_garbage_collector

    tune_garbage_collector()  # as the server process runs ingestion
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    host = {**machine(), "load_generator": "direct ingest() calls, one thread"}
    report: dict[str, Any] = {"machine": host, "quick": args.quick, "backends": {}}
    for backend in backends:
        result = run_backend(backend, quick=args.quick)
        report["backends"][backend] = result
        verdict = "met" if result["met"] else "NOT met"
        print(
            f"[{backend}] ingest with {result['rules']:,} rules "
            f"{result['readings_per_second_with_rules']:>8,} readings/s"
            f"  baseline without rules {result['baseline_readings_per_second_without_rules']:>8,}/s"
            f"  ratio {result['ratio']:.2f}  target ≥ {TARGET_RATIO:.2f} (≤ 20 % lower): {verdict}"
            f"  ({result['readings']:,} readings, {result['alerts_raised']} alerts)"
        )
    write_report(args.out, report)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
