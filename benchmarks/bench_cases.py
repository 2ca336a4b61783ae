"""Case intake per second: `report_case` (category check, grid lookup, duplicate check, routing
by the responsibility matrix, contact encryption, timeline and audit lines, one transaction a
case) against a baseline of bare case-row inserts (one transaction a case), same run.

- city: a generated Shanghai (16 districts, 100 streets, ~1,000 grid cells), one street office
  per street, a routing row per district for every component major class (96 rows);
- reports: random points inside the city, random assignable categories, a third with a caller's
  contact (hotline), 2 % repeated near an earlier report (duplicates proposed);
- baseline: the same number of Case rows written with no lookup, routing or duplicate check.

Target: ≥ 500 cases/s. Run: python benchmarks/bench_cases.py [--backend sqlite|postgresql|both]
[--quick]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from ngsild_bench import SECRET, database, machine, prepare, write_report

TARGET = 500.0
DEFAULT_OUT = Path("var/bench/cases.json")
START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def setup(url: str) -> tuple[Any, Any, list[tuple[float, float]], list[str]]:
    """The platform, an acting principal, points inside cells, assignable category codes."""
    from smartcity.cases import catalogue
    from smartcity.cases.categories import default_categories
    from smartcity.core.clock import FixedClock
    from smartcity.core.settings import load_settings
    from smartcity.geo import service as geo
    from smartcity.geo.layout import generate_shanghai
    from smartcity.platform import Platform
    from smartcity.security import service as security

    plat = Platform.from_settings(
        load_settings(database_url=url, secret_key=SECRET), clock=FixedClock(START)
    )
    layout = generate_shanghai(cells=1000, streets=100, seed=7)
    with plat.db.session() as session:
        tenant = security.get_tenant(session, slug="shanghai")
        principal = security.system_principal(tenant, "bench")
        geo.load_demo_city(session, plat.clock, principal, layout)
    with plat.db.session() as session:
        for district in layout.districts:
            office = next(d.code for d in layout.departments if d.code[7:13] == district.code)
            for major in ("C01", "C02", "C03", "C04", "C05", "C06"):
                catalogue.add_route(
                    session,
                    plat.clock,
                    principal,
                    category=major,
                    area_code=district.code,
                    department=office,
                )
    points = []
    for cell in layout.cells:
        p = cell.geometry.representative_point()
        points.append((p.x, p.y))
    codes = [c.code for c in default_categories().assignable()]
    return plat, principal, points, codes


def intake(plat: Any, principal: Any, reports: list[Any]) -> float:
    from smartcity.cases.service import report_case

    start = time.perf_counter()
    for spec in reports:
        with plat.db.session() as session, plat.serialized_writes():
            report_case(session, plat, principal, spec)
    return time.perf_counter() - start


def bare(plat: Any, tenant_id: int, reports: list[Any], tag: str) -> float:
    from smartcity.cases.models import Case

    start = time.perf_counter()
    for i, spec in enumerate(reports):
        with plat.db.session() as session, plat.serialized_writes():
            session.add(
                Case(
                    tenant_id=tenant_id,
                    public_id=f"BARE{tag}-{i}",
                    source=spec.source.value,
                    category=spec.category,
                    status="reported",
                    priority="normal",
                    lon=spec.lon,
                    lat=spec.lat,
                    address="",
                    cell_code="310101001001001",
                    community_code="310101001001",
                    street_code="310101001",
                    district_code="310101",
                    description=spec.description,
                    deadline_amount=1,
                    deadline_unit="working_days",
                    clock_pauses=[],
                    returns=0,
                    reopens=0,
                    reporter="cli:bench",
                    token_hash="",
                    created_at=plat.clock.now(),
                    updated_at=plat.clock.now(),
                )
            )
    return time.perf_counter() - start


def make_reports(points: list, codes: list[str], count: int, seed: int) -> list[Any]:
    from smartcity.cases.contacts import Contact
    from smartcity.cases.service import CaseReport
    from smartcity.cases.states import CaseSource

    rng = random.Random(seed)
    out: list[Any] = []
    for i in range(count):
        if out and rng.random() < 0.02:
            earlier = rng.choice(out)
            lon, lat, code = earlier.lon + 0.0001, earlier.lat, earlier.category
        else:
            lon, lat = rng.choice(points)
            code = rng.choice(codes)
        hotline = i % 3 == 0
        out.append(
            CaseReport(
                category=code,
                lon=lon,
                lat=lat,
                description=f"巡查发现问题 {i}",
                source=CaseSource.HOTLINE if hotline else CaseSource.PATROL,
                contact=Contact("王五", f"139{i:08d}") if hotline else Contact(),
            )
        )
    return out


def run_backend(backend: str, count: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from smartcity.cases.models import Case

    with database(backend, "smartcity_bench_cases") as url:
        prepare(url)
        plat, principal, points, codes = setup(url)
        try:
            reports = make_reports(points, codes, count, seed=5)
            warm = make_reports(points, codes, 50, seed=6)
            intake(plat, principal, warm)
            bare(plat, principal.tenant_id, warm[:10], "w")
            # Alternate halves so both see the machine in the same moments.
            half = count // 2
            t_intake = intake(plat, principal, reports[:half])
            t_bare = bare(plat, principal.tenant_id, reports[:half], "a")
            t_intake += intake(plat, principal, reports[half:])
            t_bare += bare(plat, principal.tenant_id, reports[half:], "b")
            with plat.db.session() as session:
                routed = session.scalar(
                    select(func.count()).where(Case.proposed_department.is_not(None))
                )
                duplicates = session.scalar(
                    select(func.count()).where(Case.duplicate_of.is_not(None))
                )
        finally:
            plat.close()
    figure, baseline = count / t_intake, count / t_bare
    return {
        "cases": count,
        "intake_cases_per_second": round(figure),
        "bare_insert_cases_per_second": round(baseline),
        "ratio_to_baseline": round(figure / baseline, 3),
        "routed": routed,
        "duplicates_proposed": duplicates,
        "target_cases_per_second": TARGET,
        "target_met": figure >= TARGET,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="1,000 cases instead of 10,000")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    count = 1_000 if args.quick else 10_000
    results = {b: run_backend(b, count) for b in backends}
    print(f"{'backend':<12} {'intake/s':>10} {'bare/s':>10} {'ratio':>7} {'target':>8}")
    for name, r in results.items():
        mark = "ok" if r["target_met"] else "below"
        print(
            f"{name:<12} {r['intake_cases_per_second']:>10,} "
            f"{r['bare_insert_cases_per_second']:>10,} {r['ratio_to_baseline']:>7} "
            f"{TARGET:>8,.0f} {mark}  (routed {r['routed']}, duplicates {r['duplicates_proposed']})"
        )
    write_report(args.out, {"machine": machine(), "results": results})
    return 0 if all(r["target_met"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
