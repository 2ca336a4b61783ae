"""The generated demo Shanghai: approximate districts, streets, communities and unit grid cells.

The 16 real districts keep their real codes, names, seats and land areas (data/districts.csv);
everything else — outline, boundaries, streets, communities, cells — is generated, deterministic
for a seed, and marked approximate. Real boundaries come in through the importer.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import shapely

from smartcity.geo.features import AreaFeature, Level
from smartcity.geo.plane import CityPlane, build_city_plane

DEFAULT_SEED = 2016
DEFAULT_CELLS = 4000
DEFAULT_STREETS = 215
MAX_CELLS = 500_000
GENERATED_SOURCE = "generated demo layout: approximate, not official boundaries (生成的近似边界)"


@dataclass(frozen=True)
class DistrictFacts:
    """One row of data/districts.csv."""

    code: str
    name_zh: str
    name_en: str
    seat_lon: float
    seat_lat: float
    land_area_km2: float


@dataclass(frozen=True)
class DemoDepartment:
    """A department of the demo city and the (area code, category) pairs it answers for."""

    code: str
    name_zh: str
    name_en: str
    kind: str
    areas: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class CityLayout:
    """A whole generated city, level by level, each list sorted by code."""

    seed: int
    districts: list[AreaFeature]
    streets: list[AreaFeature]
    communities: list[AreaFeature]
    cells: list[AreaFeature]
    departments: list[DemoDepartment]

    def features(self, level: Level) -> list[AreaFeature]:
        return {
            "district": self.districts,
            "street": self.streets,
            "community": self.communities,
            "cell": self.cells,
        }[level]

    def feature_collection(self, level: Level) -> dict[str, object]:
        """The level as a GeoJSON FeatureCollection, the importer's input format."""
        return {
            "type": "FeatureCollection",
            "features": [f.to_geojson() for f in self.features(level)],
        }


@lru_cache(maxsize=1)
def read_district_facts() -> tuple[DistrictFacts, ...]:
    """Shanghai's 16 districts: code, names, seat position and land area."""
    text = resources.files("smartcity.geo").joinpath("data/districts.csv").read_text("utf-8")
    return tuple(
        DistrictFacts(
            code=row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            seat_lon=float(row["seat_lon"]),
            seat_lat=float(row["seat_lat"]),
            land_area_km2=float(row["land_area_km2"]),
        )
        for row in csv.DictReader(io.StringIO(text))
    )


def generate_shanghai(
    *,
    cells: int = DEFAULT_CELLS,
    streets: int = DEFAULT_STREETS,
    seed: int = DEFAULT_SEED,
    cells_per_community: int = 6,
    min_cells_per_street: int = 8,
) -> CityLayout:
    """Generate the demo city with at least `cells` unit grid cells (a few percent more at most).

    Small districts get finer cells (each coarse square split in 4, 16, ...) so every street has
    at least `min_cells_per_street` cells; a street has about `cells_per_community` per community.
    """
    facts = read_district_facts()
    if not len(facts) <= streets <= 999 * len(facts):
        raise ValueError(f"streets must be between {len(facts)} and {999 * len(facts)}")
    if not 1 <= cells <= MAX_CELLS:
        raise ValueError(f"cells must be between 1 and {MAX_CELLS}")
    plane = build_city_plane(
        tuple((f.seat_lon, f.seat_lat) for f in facts),
        tuple(f.land_area_km2 for f in facts),
        tuple(f.code for f in facts),
    )
    street_counts = _street_counts(facts, streets)
    lattice = _choose_lattice(plane, street_counts, cells, min_cells_per_street)
    rng = np.random.default_rng(seed)
    builder = _Builder(plane, lattice, rng, cells_per_community)
    for index, fact in enumerate(facts):
        builder.add_district(index, fact, int(street_counts[index]))
    return CityLayout(
        seed=seed,
        districts=sorted(builder.districts, key=lambda f: f.code),
        streets=sorted(builder.streets, key=lambda f: f.code),
        communities=sorted(builder.communities, key=lambda f: f.code),
        cells=sorted(builder.cells, key=lambda f: f.code),
        departments=street_offices(builder.streets),
    )


def _street_counts(facts: tuple[DistrictFacts, ...], total: int) -> np.ndarray:
    """Streets per district: a few each, the rest by the square root of the land area."""
    n = len(facts)
    base = min(4, total // n)
    weights = np.sqrt([f.land_area_km2 for f in facts])
    shares = (total - base * n) * weights / weights.sum()
    counts = np.floor(shares).astype(int)
    leftover = total - base * n - counts.sum()
    counts[np.argsort(-(shares - counts), kind="stable")[:leftover]] += 1
    return counts + base


@dataclass(frozen=True)
class _Lattice:
    """Coarse squares of `size_km`, each district's split into 2**level per side."""

    size_km: float
    owner: np.ndarray  # district index per coarse square (ny, nx), -1 for water
    levels: np.ndarray  # refinement level per district
    finest: int

    def total_cells(self) -> int:
        counts = np.bincount(self.owner[self.owner >= 0], minlength=len(self.levels))
        return int((counts * 4**self.levels).sum())


def _choose_lattice(
    plane: CityPlane, street_counts: np.ndarray, target: int, min_per_street: int
) -> _Lattice:
    """The coarsest lattice that yields at least `target` cells with every district present."""
    size = math.sqrt(plane.land_area_km2 / target) * 1.1
    for _ in range(400):
        owner = plane.rasterise(size)
        counts = np.bincount(owner[owner >= 0], minlength=len(street_counts))
        if counts.min() > 0:
            need = np.maximum(street_counts * min_per_street, 1)
            levels = np.zeros(len(counts), dtype=int)
            while (short := counts * 4**levels < need).any():
                levels[short] += 1
            lattice = _Lattice(size, owner, levels, int(levels.max()))
            if lattice.total_cells() >= target:
                return lattice
        size *= 0.98
    raise ValueError(f"cannot lay out {target} cells")  # pragma: no cover


class _Builder:
    """Cuts each district's squares into streets, communities and numbered cells."""

    def __init__(
        self, plane: CityPlane, lattice: _Lattice, rng: np.random.Generator, per_community: int
    ) -> None:
        self.plane = plane
        self.lattice = lattice
        self.rng = rng
        self.per_community = per_community
        self.districts: list[AreaFeature] = []
        self.streets: list[AreaFeature] = []
        self.communities: list[AreaFeature] = []
        self.cells: list[AreaFeature] = []
        fine = 2**lattice.finest
        # Every corner comes from one integer index, so neighbours share bit-identical coordinates.
        self.dlon = plane.lon_per_km * lattice.size_km / fine
        self.dlat = plane.lat_per_km * lattice.size_km / fine

    def add_district(self, index: int, fact: DistrictFacts, n_streets: int) -> None:
        i0, j0, span = self._district_squares(index)
        boxes = shapely.box(
            self.plane.origin_lon + i0 * self.dlon,
            self.plane.origin_lat + j0 * self.dlat,
            self.plane.origin_lon + (i0 + span) * self.dlon,
            self.plane.origin_lat + (j0 + span) * self.dlat,
        )
        centres = np.column_stack([i0 + span / 2, j0 + span / 2]).astype(float)
        self.districts.append(
            _feature(
                "district",
                fact.code,
                fact.name_zh,
                fact.name_en,
                boxes,
                {"seat": [fact.seat_lon, fact.seat_lat], "land_area_km2": fact.land_area_km2},
            )
        )
        seat = np.array(
            [
                (fact.seat_lon - self.plane.origin_lon) / self.dlon,
                (fact.seat_lat - self.plane.origin_lat) / self.dlat,
            ]
        )
        labels = _kmeans(centres, n_streets, self.rng)
        order = _order_by_distance(centres, labels, n_streets, seat)
        urban = fact.land_area_km2 < 100
        for rank, label in enumerate(order, start=1):
            members = np.flatnonzero(labels == label)
            is_town = not urban and rank > math.ceil(0.3 * n_streets)
            self._add_street(fact, rank, is_town, boxes[members], centres[members], j0[members])

    def _district_squares(self, index: int) -> tuple[np.ndarray, np.ndarray, int]:
        """Lower-left corners (in finest units) and side of the district's cells."""
        jj, ii = np.nonzero(self.lattice.owner == index)
        split = 2 ** int(self.lattice.levels[index])
        span = 2 ** (self.lattice.finest - int(self.lattice.levels[index]))
        sub = np.arange(split)
        di, dj = np.meshgrid(sub, sub, indexing="xy")
        i0 = ((ii[:, None] * split + di.ravel()[None, :]) * span).ravel()
        j0 = ((jj[:, None] * split + dj.ravel()[None, :]) * span).ravel()
        return i0, j0, span

    def _add_street(
        self,
        fact: DistrictFacts,
        rank: int,
        is_town: bool,
        boxes: np.ndarray,
        centres: np.ndarray,
        rows: np.ndarray,
    ) -> None:
        code = f"{fact.code}{rank:03d}"
        kind_zh, kind_en = ("镇", "Town") if is_town else ("街道", "Street")
        name_zh, name_en = f"{fact.name_zh}第{rank}{kind_zh}", f"{fact.name_en} {kind_en} {rank}"
        self.streets.append(
            _feature(
                "street", code, name_zh, name_en, boxes, {"kind": "town" if is_town else "street"}
            )
        )
        n_comm = min(max(1, round(len(boxes) / self.per_community)), len(boxes), 999)
        labels = _kmeans(centres, n_comm, self.rng)
        means = np.array([centres[labels == k].mean(axis=0) for k in range(n_comm)])
        order = np.lexsort((means[:, 0], -means[:, 1]))  # north to south, then west to east
        comm_zh, comm_en = ("村", "Village") if is_town else ("社区", "Community")
        for seq, label in enumerate(order, start=1):
            members = np.flatnonzero(labels == label)
            ccode = f"{code}{seq:03d}"
            czh, cen = f"{name_zh}第{seq}{comm_zh}", f"{name_en} {comm_en} {seq}"
            self.communities.append(_feature("community", ccode, czh, cen, boxes[members], {}))
            cell_order = members[np.lexsort((centres[members, 0], -rows[members]))]
            if len(cell_order) > 999:
                raise ValueError("a community would get more than 999 cells; lower `cells`")
            for k, m in enumerate(cell_order, start=1):
                self.cells.append(
                    AreaFeature(
                        level="cell",
                        code=f"{ccode}{k:03d}",
                        name_zh=f"{czh}第{k}网格",
                        name_en=f"{cen} Cell {k}",
                        geometry=boxes[m],
                        approximate=True,
                        source=GENERATED_SOURCE,
                    )
                )


def _feature(
    level: Level, code: str, name_zh: str, name_en: str, boxes: np.ndarray, props: dict
) -> AreaFeature:
    geometry = shapely.coverage_union_all(boxes)
    if not geometry.is_valid:  # squares meeting only at a corner: let the overlay sort it out
        geometry = shapely.union_all(boxes)
    return AreaFeature(
        level=level,
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        geometry=geometry,
        approximate=True,
        source=GENERATED_SOURCE,
        properties=props,
    )


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator, rounds: int = 25) -> np.ndarray:
    """Labels 0..k-1 of compact clusters of `points`; no cluster is left empty."""
    n = len(points)
    if k >= n:
        return np.arange(n) % k
    centres = points[[int(rng.integers(n))]]
    for _ in range(1, k):  # k-means++ seeding
        d2 = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(-1).min(1)
        pick = int(rng.choice(n, p=d2 / d2.sum())) if d2.sum() > 0 else int(rng.integers(n))
        centres = np.vstack([centres, points[pick]])
    labels = np.full(n, -1)
    for _ in range(rounds):
        d2 = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
        new_labels = d2.argmin(1)
        if (new_labels == labels).all():
            break
        labels = new_labels
        sizes = np.bincount(labels, minlength=k)
        filled = sizes > 0
        for axis in (0, 1):
            sums = np.bincount(labels, weights=points[:, axis], minlength=k)
            centres[filled, axis] = sums[filled] / sizes[filled]
    sizes = np.bincount(labels, minlength=k)
    for empty in np.flatnonzero(sizes == 0):
        d2 = ((points - centres[labels]) ** 2).sum(-1)
        d2[sizes[labels] <= 1] = -1
        moved = int(d2.argmax())
        sizes[labels[moved]] -= 1
        labels[moved] = empty
        sizes[empty] = 1
    return labels


def _order_by_distance(
    points: np.ndarray, labels: np.ndarray, k: int, origin: np.ndarray
) -> list[int]:
    means = np.array([points[labels == c].mean(0) for c in range(k)])
    return list(np.argsort(((means - origin) ** 2).sum(1), kind="stable"))


def street_offices(streets: list[AreaFeature]) -> list[DemoDepartment]:
    """One office (街道办事处 / 镇政府) per street or town, answering for all of it."""
    return [
        DemoDepartment(
            code=f"office-{s.code}",
            name_zh=f"{s.name_zh}{'人民政府' if s.properties.get('kind') == 'town' else '办事处'}",
            name_en=f"{s.name_en} Office",
            kind="street_office",
            areas=((s.code, None),),
        )
        for s in sorted(streets, key=lambda s: s.code)
    ]
