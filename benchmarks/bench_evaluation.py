"""The 综合评价 report for a year of cases on PostgreSQL: `evaluate` by department over 2025
(fact refresh, the GROUP BY aggregates and the nearest-rank 90th percentile of handling time),
against a baseline of a plain COUNT(*) GROUP BY department over the same fact table, same run.

- data: a year of cases (2025, Beijing time), spread evenly, written straight into `cases` and
  `case_evaluation_facts` by INSERT … SELECT over generate_series (not through the service):
  100 streets in 16 districts, 120 departments; 92 % registered, 97 % of those dispatched, 90 %
  of those closed (about 83 % on time), half of the closed rated, 5 % returned, 2 % reopened.
  Handling time is synthetic (30 % of the calendar time to closure), since the clock is not run;
- the last day's cases also get their 立案 timeline line, so the report's refresh (which looks
  again at cases changed in the last 10 minutes before the newest fact) rewrites them correctly.

Target: < 2 s on PostgreSQL for 10 M cases. Run: python benchmarks/bench_evaluation.py
[--quick (200 k)] [--cases N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from ngsild_bench import database, machine, prepare, write_report

TARGET_SECONDS = 2.0
FULL = 10_000_000
QUICK = 200_000
DEFAULT_OUT = Path("var/bench/evaluation.json")
YEAR_START = datetime(2024, 12, 31, 16, 0, tzinfo=UTC)  # 2025-01-01 00:00 in Beijing
YEAR_END = datetime(2025, 12, 31, 16, 0, tzinfo=UTC)

_CASES = """
INSERT INTO cases (tenant_id, public_id, source, category, status, priority, lon, lat, address,
  cell_code, community_code, street_code, district_code, description, department,
  deadline_amount, deadline_unit, clock_started_at, clock_pauses, clock_stopped_at, due_at,
  closed_at, closed_on_time, rating, returns, reopens, reporter, token_hash, created_at,
  updated_at)
SELECT :tenant, 'B' || lpad(g::text, 12, '0'),
  CASE WHEN r1 < 0.6 THEN 'hotline' ELSE 'citizen' END,
  CASE WHEN r1 < 0.06 THEN 'H0102' WHEN r1 < 0.6 THEN 'H0201' ELSE 'C0101' END,
  CASE WHEN NOT reg THEN 'rejected' WHEN NOT disp THEN 'registered'
       WHEN NOT closed THEN 'in_progress' WHEN r8 < 0.5 THEN 'evaluated' ELSE 'closed' END,
  'normal', 121.47, 31.23, '', street || '001001', street || '001', street, district, '',
  CASE WHEN disp THEN 'dept-' || (floor(r7 * 120))::int END,
  5, 'working_days', disp_at, '[]', CASE WHEN closed THEN closed_at END,
  due_at, CASE WHEN closed THEN closed_at END,
  CASE WHEN closed THEN closed_at <= due_at END,
  CASE WHEN closed AND r8 < 0.5 THEN 1 + floor(r9 * 5)::int END,
  CASE WHEN disp AND r10 < 0.05 THEN 1 ELSE 0 END,
  CASE WHEN closed AND r11 < 0.02 THEN 1 ELSE 0 END,
  'bench', 'x', t, CASE WHEN closed THEN closed_at WHEN disp THEN disp_at ELSE t END
FROM (
  SELECT *, CASE WHEN disp THEN disp_at + (1 + floor(r4 * 10)) * interval '1 day' END AS due_at,
    CASE WHEN disp THEN disp_at + r5 * 1.2 * (1 + floor(r4 * 10)) * interval '1 day'
    END AS closed_at
  FROM (
    SELECT *, r1 < 0.92 AS reg, r1 < 0.92 AND r2 < 0.97 AS disp,
      r1 < 0.92 AND r2 < 0.97 AND r3 < 0.9 AS closed,
      t + interval '30 minutes' AS disp_at,
      310100 + s % 16 || '' AS district, (310100 + s % 16) || lpad(s::text, 3, '0') AS street
    FROM (
      SELECT g, :start + (g - 1) * :step * interval '1 second' AS t,
        random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
        floor(random() * 100)::int AS s, random() AS r7, random() AS r8, random() AS r9,
        random() AS r10, random() AS r11
      FROM generate_series(:first, :last) AS g
    ) AS raw
  ) AS drawn
) AS timed
"""

_FACTS = """
INSERT INTO case_evaluation_facts (case_id, tenant_id, category, source, department,
  street_code, district_code, reported_at, registered_at, dispatched, due_at, closed_at,
  handled_at, handling_seconds, returns, reopens, rating, case_updated_at)
SELECT id, tenant_id, category, source, department, street_code, district_code, created_at,
  CASE WHEN status <> 'rejected' THEN created_at + interval '10 minutes' END,
  clock_started_at IS NOT NULL, due_at, closed_at, closed_at,
  CASE WHEN closed_at IS NOT NULL
       THEN extract(epoch FROM closed_at - clock_started_at) * 0.3 END,
  returns, reopens, rating, updated_at
FROM cases WHERE id BETWEEN :low AND :high
"""

_EVENTS = """
INSERT INTO case_events (case_id, action, from_status, to_status, actor_id, actor_role, at, data)
SELECT id, 'register', 'reported', 'registered', 'bench', 'dispatcher',
  created_at + interval '10 minutes', '{}'
FROM cases WHERE status <> 'rejected' AND updated_at >= :since
"""


def load(plat: Any, tenant_id: int, count: int, batch: int = 1_000_000) -> float:
    """Write `count` cases and their facts; answer the seconds it took."""
    from sqlalchemy import text

    step = (YEAR_END - YEAR_START).total_seconds() / count
    started = time.perf_counter()
    with plat.db.engine.begin() as conn:
        conn.execute(text("SELECT setseed(0.42)"))
        for first in range(1, count + 1, batch):
            last = min(count, first + batch - 1)
            conn.execute(
                text(_CASES),
                {"tenant": tenant_id, "start": YEAR_START, "step": step, "first": first,
                 "last": last},
            )  # fmt: skip
            print(f"  cases {last:,}", flush=True)
    with plat.db.engine.begin() as conn:
        low, high = conn.execute(text("SELECT min(id), max(id) FROM cases")).one()
        for start in range(low, high + 1, batch):
            conn.execute(text(_FACTS), {"low": start, "high": start + batch - 1})
        conn.execute(text(_EVENTS), {"since": YEAR_END.replace(day=30)})
    with plat.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE cases"))
        conn.execute(text("VACUUM ANALYZE case_evaluation_facts"))
    return time.perf_counter() - started


def timed(work: Any, runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def run(count: int, runs: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from smartcity.cases.evaluation import EvaluationQuery, GroupBy, aggregate, evaluate
    from smartcity.cases.evaluation_models import CaseEvaluationFact as F
    from smartcity.core.clock import FixedClock
    from smartcity.core.settings import load_settings
    from smartcity.platform import Platform
    from smartcity.security import service as security

    with database("postgresql", "smartcity_bench_evaluation") as url:
        prepare(url)
        plat = Platform.from_settings(
            load_settings(database_url=url, secret_key="bench-signing-key-0123456789abcdef"),
            clock=FixedClock(YEAR_END),
        )
        try:
            with plat.db.session() as session:
                tenant = security.get_tenant(session, slug="shanghai")
                principal = security.system_principal(tenant, "bench")
            load_seconds = load(plat, principal.tenant_id, count)
            q = EvaluationQuery(GroupBy.DEPARTMENT, YEAR_START, YEAR_END)

            def report() -> Any:
                with plat.db.session() as session:
                    return evaluate(session, plat, principal, q)

            def sql_only() -> Any:
                with plat.db.session() as session:
                    return aggregate(session, principal.tenant_id, q, YEAR_END)

            def baseline() -> Any:
                stmt = select(F.department, func.count()).group_by(F.department)
                with plat.db.session() as session:
                    return session.execute(stmt).all()

            report()  # the first refresh, and a warm cache, for both
            baseline()
            t_report, result = timed(report, runs)
            t_sql, _ = timed(sql_only, runs)
            t_base, groups = timed(baseline, runs)
        finally:
            plat.close()
    total = result.total
    return {
        "cases": count,
        "load_seconds": round(load_seconds, 1),
        "report_seconds": round(t_report, 3),
        "aggregate_only_seconds": round(t_sql, 3),
        "baseline_count_group_by_seconds": round(t_base, 3),
        "ratio_to_baseline": round(t_report / t_base, 2),
        "departments": len(result.rows),
        "baseline_groups": len(groups),
        "registered": total.registered,
        "on_time_closure_rate": round(total.on_time_closure_rate or 0, 4),
        "target_seconds": TARGET_SECONDS,
        "target_met": t_report < TARGET_SECONDS,
    }


def rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    size = f"{r['cases']:,} cases"
    return [
        {
            "backend": "postgresql",
            "figure": f"evaluation report by department, a year of {size}",
            "value": r["report_seconds"],
            "unit": "s",
            "baseline_name": "COUNT(*) GROUP BY department, same table",
            "baseline": r["baseline_count_group_by_seconds"],
            "ratio": r["ratio_to_baseline"],
            "target": f"< {TARGET_SECONDS:g} s at {FULL:,} cases",
            "met": r["target_met"] if r["cases"] >= FULL else None,
        }
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} cases")
    parser.add_argument("--cases", type=int, help=f"how many cases (default {FULL:,})")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    count = args.cases or (QUICK if args.quick else FULL)
    r = run(count, args.runs)
    print(
        f"{r['cases']:,} cases loaded in {r['load_seconds']} s; report {r['report_seconds']} s "
        f"(SQL aggregates alone {r['aggregate_only_seconds']} s), baseline "
        f"{r['baseline_count_group_by_seconds']} s, ratio {r['ratio_to_baseline']}, target "
        f"< {TARGET_SECONDS:g} s: {'met' if r['target_met'] else 'not met'}"
    )
    write_report(args.out, {"machine": machine(), "result": r, "rows": rows(r)})
    return 0 if r["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
