"""Every benchmark of the project in one run: each script runs in its own process and writes its
JSON under var/bench/; this reads them back into one table (figure, baseline, ratio, target, met)
and writes it as var/bench/summary.json and var/bench/summary.md.

A benchmark's JSON may carry `rows` (a list of dicts with the keys of `Row`); for the older
scripts, whose JSON predates that, an adapter below reads their own shape.

Run: python benchmarks/run_all.py [--quick] [--only name,name] [--skip name,name]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
OUT = Path("var/bench")


@dataclass
class Row:
    benchmark: str
    backend: str
    figure: str
    value: float | None
    unit: str
    baseline_name: str
    baseline: float | None
    ratio: float | None
    target: str
    met: bool | None


Adapter = Callable[[dict[str, Any]], list[Row]]


def _backends(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    if "backends" in report:
        return list(report["backends"].items())
    return [(r.get("backend", "-"), r) for r in report.get("results", [])]


def _ratio(value: float | None, baseline: float | None) -> float | None:
    return round(value / baseline, 3) if value and baseline else None


def grid(report: dict[str, Any]) -> list[Row]:
    rates = report["lookups_per_second"]
    brute = rates["brute force (shapely.intersects over all cells)"]
    target = report["target_lookups_per_second"]
    name = "locate_many (STRtree, vectorised)"
    return [
        Row(
            "grid_lookup",
            "-",
            "grid cell of a point, " + name,
            rates[name],
            "lookups/s",
            "brute force over all cells",
            brute,
            _ratio(rates[name], brute),
            f">= {target:,}/s",
            rates[name] >= target and report["agrees"],
        )
    ]


def ngsild_write(report: dict[str, Any]) -> list[Row]:
    rows = []
    for backend, r in _backends(report):
        p, u = r["patch"], r["batch_upsert"]
        rows.append(
            Row(
                "ngsild_write",
                backend,
                "NGSI-LD PATCH one attribute",
                p["figure"]["per_second"],
                "updates/s",
                "empty route /ping",
                p["baseline_empty_204"]["per_second"],
                p["ratio"],
                f">= {p['target_per_second']:,}/s",
                p["met"],
            )
        )
        rows.append(
            Row(
                "ngsild_write",
                backend,
                "NGSI-LD batch upsert (1,000 entities, 5 attributes)",
                u["entities_per_second"],
                "entities/s",
                "raw executemany INSERTs",
                u["baseline_raw_inserts_per_second"],
                u["ratio"],
                f">= {u['target_per_second']:,}/s",
                u["met"],
            )
        )
    return rows


def ngsild_query(report: dict[str, Any]) -> list[Row]:
    rows = []
    for backend, r in _backends(report):
        http = r.get("http", {})
        if "skipped" in http or not http:
            continue
        health = http["health_baseline"]["per_second"]
        met = r.get("targets_met", {})
        tq, near = http["type_q"], http["near"]
        rows.append(
            Row(
                "ngsild_query",
                backend,
                f"type + q query (p95 {tq['p95_ms']} ms)",
                tq["per_second"],
                "queries/s",
                "health route",
                health,
                _ratio(tq["per_second"], health),
                ">= 300/s, p95 < 50 ms",
                met.get("type_q"),
            )
        )
        rows.append(
            Row(
                "ngsild_query",
                backend,
                "geo-query near;maxDistance p95",
                near["p95_ms"],
                "ms",
                "health route p95",
                http["health_baseline"]["p95_ms"],
                _ratio(near["p95_ms"], http["health_baseline"]["p95_ms"]),
                "p95 < 20 ms",
                met.get("near"),
            )
        )
    return rows


def ngsild_temporal(report: dict[str, Any]) -> list[Row]:
    return [
        Row(
            "ngsild_temporal",
            backend,
            f"temporal hourly averages of a day, {r['instances']:,} instances, p95",
            r["http"]["p95_ms"],
            "ms",
            "the same aggregate in SQL, p95",
            r["sql_baseline"]["p95_ms"],
            r["ratio_p95"],
            f"p95 < {r['target_p95_ms']:.0f} ms",
            r["meets_target"],
        )
        for backend, r in _backends(report)
    ]


def http_ingest(report: dict[str, Any]) -> list[Row]:
    return [
        Row(
            "http_ingest",
            backend,
            "HTTP bulk ingest",
            r["readings_per_second"],
            "readings/s",
            "raw INSERTs of the same rows",
            r["baseline_raw_inserts_per_second"],
            r["ratio"],
            f">= {r['target_per_second']:,}/s",
            r["met"],
        )
        for backend, r in _backends(report)
    ]


def mqtt_ingest(report: dict[str, Any]) -> list[Row]:
    base = report["baseline"]["readings_per_second"]
    return [
        Row(
            "mqtt_ingest",
            f"{report['backend']}, {report['broker']}",
            f"MQTT QoS 1 end to end, {run['workers']} worker(s), {run['lost']} lost",
            run["readings_per_second"],
            "readings/s",
            "bare subscriber, same broker",
            base,
            run["ratio"],
            f">= {report['target_per_second']:,}/s, none lost",
            run["met"],
        )
        for run in report["runs"]
    ]


def rules(report: dict[str, Any]) -> list[Row]:
    return [
        Row(
            "rules",
            backend,
            f"ingestion with {r['rules']:,} active rules",
            r["readings_per_second_with_rules"],
            "readings/s",
            "the same ingestion without rules",
            r["baseline_readings_per_second_without_rules"],
            r["ratio"],
            f"ratio >= {r['target_ratio']}",
            r["met"],
        )
        for backend, r in _backends(report)
    ]


def datastore(report: dict[str, Any]) -> list[Row]:
    rows = []
    for r in report["results"]:
        ours, peer = r["datastore_search"], r.get("datasette")
        rows.append(
            Row(
                "datastore",
                r["backend"],
                f"datastore_search, filter + sort over {r['rows']:,} rows, p95",
                ours["p95_ms"],
                "ms",
                "Datasette, same query and file, p95" if peer else "no peer on this backend",
                peer["p95_ms"] if peer else None,
                _ratio(ours["p95_ms"], peer["p95_ms"]) if peer else None,
                f"p95 < {r['target_p95_ms']:.0f} ms",
                r["meets_target"],
            )
        )
        if peer:
            rows.append(
                Row(
                    "datastore",
                    r["backend"],
                    "datastore_search throughput",
                    ours["requests_per_s"],
                    "requests/s",
                    f"Datasette {peer['version']}",
                    peer["requests_per_s"],
                    r["throughput_ratio"],
                    "ratio >= 1",
                    r["throughput_ratio"] >= 1,
                )
            )
    return rows


def cases(report: dict[str, Any]) -> list[Row]:
    return [
        Row(
            "cases",
            backend,
            "case intake (grid lookup, routing, duplicate check)",
            r["intake_cases_per_second"],
            "cases/s",
            "bare insert of the case row",
            r["bare_insert_cases_per_second"],
            r["ratio_to_baseline"],
            f">= {r['target_cases_per_second']:,}/s",
            r["target_met"],
        )
        for backend, r in report["results"].items()
    ]


# name → (script, extra arguments, adapter for a JSON without `rows`)
BENCHMARKS: dict[str, tuple[str, list[str], Adapter | None]] = {
    "grid_lookup": ("bench_grid_lookup.py", [], grid),
    "ngsild_write": ("bench_ngsild_write.py", [], ngsild_write),
    "ngsild_query": ("bench_ngsild_query.py", [], ngsild_query),
    "ngsild_temporal": ("bench_ngsild_temporal.py", [], ngsild_temporal),
    "http_ingest": ("bench_http_ingest.py", [], http_ingest),
    "mqtt_ingest": ("bench_mqtt_ingest.py", [], mqtt_ingest),
    "rules": ("bench_rules.py", [], rules),
    "cases": ("bench_cases.py", [], cases),
    "evaluation": ("bench_evaluation.py", [], None),
    "datastore": ("bench_datastore.py", [], datastore),
}


def rows_of(name: str, report: dict[str, Any]) -> list[Row]:
    if "rows" in report:
        return [Row(**{"benchmark": name, **row}) for row in report["rows"]]
    adapter = BENCHMARKS[name][2]
    if adapter is None:
        raise ValueError(f"{name}: its JSON has no rows and there is no adapter for it")
    return adapter(report)


def run(name: str, *, quick: bool) -> tuple[list[Row], str | None]:
    script, extra, _ = BENCHMARKS[name]
    out = OUT / f"{name}.json"
    command = [sys.executable, str(HERE / script), "--out", str(out), *extra]
    if quick:
        command.append("--quick")
    started = time.monotonic()
    print(f"== {name}: {' '.join(command[1:])}", flush=True)
    done = subprocess.run(command, check=False)
    print(f"== {name}: {time.monotonic() - started:.0f} s, exit {done.returncode}", flush=True)
    if not out.exists():
        return [], f"exit {done.returncode}, no report written"
    try:
        return rows_of(name, json.loads(out.read_text())), None
    except (KeyError, TypeError, ValueError) as exc:
        return [], f"report unreadable: {exc!r}"


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def markdown(rows: list[Row], failures: dict[str, str], machine: dict[str, Any]) -> str:
    lines = [
        "| benchmark | backend | figure | value | baseline | ratio | target | met |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    for r in rows:
        met = "-" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(
            f"| {r.benchmark} | {r.backend} | {r.figure} | {_number(r.value)} {r.unit} | "
            f"{_number(r.baseline)} ({r.baseline_name}) | {_number(r.ratio)} | {r.target} | {met} |"
        )
    for name, why in failures.items():
        lines.append(f"| {name} | - | did not finish: {why} | - | - | - | - | **no** |")
    about = ", ".join(f"{k}: {v}" for k, v in machine.items())
    return "\n".join(lines) + f"\n\nMeasured on {about}.\n"


def machine() -> dict[str, Any]:
    import platform

    return {
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "system": platform.platform(terse=True),
        "date": time.strftime("%Y-%m-%d"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each benchmark's short run")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--skip", default="", help="comma-separated benchmark names")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    names = [n for n in names if n not in set(args.skip.split(","))]
    OUT.mkdir(parents=True, exist_ok=True)
    host = machine()
    rows: list[Row] = []
    failures: dict[str, str] = {}
    for name in names:
        found, problem = run(name, quick=args.quick)
        rows.extend(found)
        if problem:
            failures[name] = problem
    table = markdown(rows, failures, host)
    print("\n" + table)
    summary = {
        "machine": host,
        "quick": args.quick,
        "rows": [asdict(r) for r in rows],
        "failures": failures,
    }
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    (OUT / "summary.md").write_text(table)
    print(f"written to {OUT / 'summary.json'} and {OUT / 'summary.md'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
