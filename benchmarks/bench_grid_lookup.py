"""Point → unit grid cell lookups per second over Shanghai's 40,625 cells, against brute force.

Run: python benchmarks/bench_grid_lookup.py [--quick] [--out var/bench/grid_lookup.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from smartcity.geo.index import GridIndex
from smartcity.geo.layout import generate_shanghai

CELLS = 40_625  # Shanghai's unit grid cells at the end of 2016
TARGET = 200_000  # lookups per second
SEED = 2016
DEFAULT_OUT = Path("var/bench/grid_lookup.json")


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def _timed(fn: Any, *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def affinity_rotate_all(polygons: np.ndarray, degrees: float) -> np.ndarray:
    """Each polygon turned about its own centroid (a local, not a geodesic, rotation)."""
    turn = np.radians(degrees)
    cos, sin = np.cos(turn), np.sin(turn)
    out = []
    for polygon in polygons:
        c = polygon.centroid
        out.append(
            shapely.transform(
                polygon,
                lambda xy, cx=c.x, cy=c.y: np.column_stack(
                    (
                        cx + (xy[:, 0] - cx) * cos - (xy[:, 1] - cy) * sin,
                        cy + (xy[:, 0] - cx) * sin + (xy[:, 1] - cy) * cos,
                    )
                ),
            )
        )
    return np.asarray(out, dtype=object)


def run(*, quick: bool) -> dict[str, Any]:
    batch = 100_000 if quick else 1_000_000
    singles = 20_000 if quick else 200_000
    brute_sample = 300 if quick else 2_000

    layout, generate_s = _timed(lambda: generate_shanghai(cells=CELLS, seed=SEED))
    cells = layout.cells[:CELLS]
    index, build_s = _timed(GridIndex, [c.code for c in cells], [c.geometry for c in cells])
    x0, y0, x1, y1 = shapely.total_bounds(index.polygons)
    rng = np.random.default_rng(SEED)
    lons, lats = rng.uniform(x0, x1, batch), rng.uniform(y0, y1, batch)

    index.locate_many(lons[:1000], lats[:1000])  # warm up
    found, many_s = _timed(index.locate_many, lons, lats)
    single_points = list(zip(lons[:singles].tolist(), lats[:singles].tolist(), strict=True))
    _, single_s = _timed(lambda: [index.locate(x, y) for x, y in single_points])

    def tree_per_point() -> None:  # the straightforward single lookup, before the fast path
        for x, y in single_points[: singles // 10]:
            hits = index.tree.query(shapely.Point(x, y), predicate="intersects")
            int(hits.min()) if len(hits) else -1

    _, tree_s = _timed(tree_per_point)

    def brute() -> list[int]:
        out = []
        for x, y in zip(lons[:brute_sample], lats[:brute_sample], strict=True):
            hits = np.flatnonzero(shapely.intersects(index.polygons, shapely.Point(x, y)))
            out.append(int(hits[0]) if len(hits) else -1)
        return out

    expected, brute_s = _timed(brute)

    # Imported (real) boundaries are rarely axis-aligned boxes: tilt every cell by 2 degrees so
    # no lookup can take the box fast path, and measure the same points again.
    tilted = GridIndex(index.codes, affinity_rotate_all(index.polygons, 2.0))
    tilted.locate_many(lons[:1000], lats[:1000])
    _, tilted_many_s = _timed(tilted.locate_many, lons, lats)
    _, tilted_single_s = _timed(lambda: [tilted.locate(x, y) for x, y in single_points])
    agree = int((np.asarray(expected) == found[:brute_sample]).sum())
    single_agree = sum(
        index.locate(x, y) == (index.codes[e] if e >= 0 else None)
        for x, y, e in zip(lons[:brute_sample], lats[:brute_sample], expected, strict=True)
    )
    baseline = _rate(brute_sample, brute_s)
    figures = {
        "locate_many (STRtree, vectorised)": _rate(batch, many_s),
        "locate (single point, Python loop)": _rate(singles, single_s),
        "locate_many, every cell a tilted polygon": _rate(batch, tilted_many_s),
        "locate, every cell a tilted polygon": _rate(singles, tilted_single_s),
        "STRtree query per point (Python loop)": _rate(singles // 10, tree_s),
        "brute force (shapely.intersects over all cells)": baseline,
    }
    return {
        "cells": len(index),
        "layout_cells_generated": len(layout.cells),
        "generate_seconds": round(generate_s, 2),
        "build_index_seconds": round(build_s, 3),
        "points_batch": batch,
        "points_single": singles,
        "points_brute_force": brute_sample,
        "share_inside_a_cell": round(float((found >= 0).mean()), 3),
        "agreement_with_brute_force": (
            f"{agree}/{brute_sample} batch, {single_agree}/{brute_sample} single"
        ),
        "agrees": agree == brute_sample and single_agree == brute_sample,
        "target_lookups_per_second": TARGET,
        "lookups_per_second": {k: round(v) for k, v in figures.items()},
        "ratio_to_brute_force": {k: round(v / baseline, 1) for k, v in figures.items()},
        "python": sys.version.split()[0],
        "shapely": shapely.__version__,
        "geos": ".".join(map(str, shapely.geos_version)),
        "machine": platform.machine(),
    }


def print_table(result: dict[str, Any]) -> None:
    rates = result["lookups_per_second"]
    baseline = rates["brute force (shapely.intersects over all cells)"]
    print(
        f"grid lookup over {result['cells']:,} cells (index built in "
        f"{result['build_index_seconds']} s); agreement: {result['agreement_with_brute_force']}"
    )
    print(f"{'figure':<50} {'lookups/s':>12} {'baseline':>12} {'ratio':>8} {'target':>10}")
    for name, value in rates.items():
        mark = "baseline" if value == baseline else "ok" if value >= TARGET else "below"
        print(
            f"{name:<50} {value:>12,} {baseline:>12,} {value / baseline:>8.1f} {TARGET:>10,} {mark}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points, a short run")
    parser.add_argument(
        "--out",
        type=Path,
        nargs="?",
        const=DEFAULT_OUT,
        help=f"write the figures as JSON (default file: {DEFAULT_OUT})",
    )
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    print_table(result)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(f"written to {args.out}")
    vectorised = result["lookups_per_second"]["locate_many (STRtree, vectorised)"]
    return 0 if result["agrees"] and vectorised >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
