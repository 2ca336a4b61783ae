"""Where the simulated devices stand: a fleet placed over the city model's unit grid cells, one
street, one district or the whole city, the same for the same seed.

Each district (or street) gets the counts of `density.district_counts`; each device stands at a
uniformly random point of the area (a cell drawn by its area, then a point inside it). Device ids
name the kind and the area (`SIM-AQ-310101-00001`), so they do not depend on the seed: running
again with any seed finds the devices it registered before.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import shapely
from sqlalchemy.orm import Session

from smartcity.geo import service as geo
from smartcity.geo.layout import CityLayout, read_district_facts
from smartcity.sensing.device_types import DeviceKind
from smartcity.simulate.density import district_counts

ABBREVIATIONS: dict[DeviceKind, str] = {
    DeviceKind.AIR_QUALITY_STATION: "AQ",
    DeviceKind.WATER_QUALITY_BUOY: "WQ",
    DeviceKind.NOISE_MONITOR: "NM",
    DeviceKind.STREETLIGHT: "SL",
    DeviceKind.TRAFFIC_COUNTER: "TC",
    DeviceKind.SMOKE_DETECTOR: "SD",
    DeviceKind.MANHOLE_COVER: "MH",
    DeviceKind.PIPE_PRESSURE_SENSOR: "PP",
    DeviceKind.WIFI_ACCESS_POINT: "WF",
    DeviceKind.PARKING_SPOT: "PK",
}
KIND_ORDER = list(DeviceKind)
DEFAULT_DISTRICT = "310101"  # Huangpu: the old city centre, People's Square


class Scale(StrEnum):
    STREET = "street"
    DISTRICT = "district"
    CITY = "city"


@dataclass(frozen=True, slots=True)
class SimDevice:
    """One simulated device: where it stands, and `key`, a stable number its signals draw on."""

    device_id: str
    kind: DeviceKind
    lon: float
    lat: float
    cell: str
    key: int

    @property
    def district(self) -> str:
        return self.cell[:6]

    @property
    def street(self) -> str:
        return self.cell[:9]


@dataclass(frozen=True)
class CityMap:
    """What placement needs of the city model: districts' land areas and the cells' shapes."""

    land_km2: dict[str, float]  # district code → land area
    codes: list[str]  # cell codes, sorted
    polygons: np.ndarray  # the cells' shapes, in the order of `codes`

    @classmethod
    def from_cells(cls, codes: list[str], polygons: list[object] | np.ndarray) -> CityMap:
        order = np.argsort(np.asarray(codes, dtype=str), kind="stable")
        sorted_codes = [codes[i] for i in order]
        shapes = np.asarray(polygons, dtype=object)[order]
        facts = {f.code: f.land_area_km2 for f in read_district_facts()}
        areas = _km2(shapes)
        land: dict[str, float] = {}
        for code, km2 in zip(sorted_codes, areas, strict=True):
            land.setdefault(code[:6], 0.0)
            land[code[:6]] += km2
        return cls({d: facts.get(d, km2) for d, km2 in land.items()}, sorted_codes, shapes)

    @classmethod
    def from_layout(cls, layout: CityLayout) -> CityMap:
        return cls.from_cells([c.code for c in layout.cells], [c.geometry for c in layout.cells])

    @classmethod
    def from_database(cls, session: Session, tenant_id: int) -> CityMap:
        """The cells the tenant has loaded (ValueError when it has none)."""
        rows, _ = geo.list_areas(session, tenant_id, level="cell")
        if not rows:
            raise ValueError("the city has no unit grid cells; load it first (smartcity demo)")
        shapes = shapely.from_wkb([r.geometry for r in rows])
        return cls.from_cells([r.code for r in rows], shapes)

    def cells_in(self, prefix: str) -> np.ndarray:
        """Indexes of the cells whose code starts with `prefix` (a district or street code)."""
        return np.flatnonzero(np.char.startswith(np.asarray(self.codes, dtype=str), prefix))


def _km2(shapes: np.ndarray) -> np.ndarray:
    """Approximate areas in km² of lon/lat shapes (Shanghai's latitude is enough here)."""
    if len(shapes) == 0:
        return np.zeros(0)
    lat = shapely.get_coordinates(shapely.centroid(shapes))[:, 1]
    return shapely.area(shapes) * 111.32 * 111.32 * np.cos(np.radians(lat))


def device_key(device_id: str) -> int:
    return zlib.crc32(device_id.encode())


def default_area(city: CityMap, scale: Scale) -> str | None:
    """The area a scale covers unless told: Huangpu (or the first district), its first street."""
    if scale is Scale.CITY:
        return None
    district = DEFAULT_DISTRICT if DEFAULT_DISTRICT in city.land_km2 else min(city.land_km2)
    if scale is Scale.DISTRICT:
        return district
    return min(c[:9] for c in city.codes if c.startswith(district))


def place_fleet(
    city: CityMap, scale: Scale | str, seed: int, area: str | None = None
) -> list[SimDevice]:
    """The devices of the scale, in a stable order (area, kind, number)."""
    scale = Scale(scale)
    area = area or default_area(city, scale)
    if scale is Scale.CITY:
        return [d for district in sorted(city.land_km2) for d in _place_area(city, district, seed)]
    expected = 6 if scale is Scale.DISTRICT else 9
    if area is None or len(area) != expected or len(city.cells_in(area)) == 0:
        raise ValueError(f"no {scale.value} {area} in this city")
    return _place_area(city, area, seed)


def _place_area(city: CityMap, area: str, seed: int) -> list[SimDevice]:
    cells = city.cells_in(area)
    weights = _km2(city.polygons[cells])
    district = area[:6]
    share = 1.0
    if len(area) > 6:
        share = float(weights.sum() / _km2(city.polygons[city.cells_in(district)]).sum())
    counts = district_counts(district, city.land_km2[district], share)
    devices = []
    for kind in KIND_ORDER:
        rng = np.random.default_rng([seed, int(area), KIND_ORDER.index(kind)])
        chosen = cells[rng.choice(len(cells), size=counts[kind], p=weights / weights.sum())]
        lons, lats = _points_in(city.polygons[chosen], rng)
        for n, (cell, lon, lat) in enumerate(zip(chosen, lons, lats, strict=True), start=1):
            device_id = f"SIM-{ABBREVIATIONS[kind]}-{area}-{n:05d}"
            devices.append(
                SimDevice(
                    device_id,
                    kind,
                    round(float(lon), 6),
                    round(float(lat), 6),
                    city.codes[cell],
                    device_key(device_id),
                )
            )
    return devices


def _points_in(shapes: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A random point strictly inside each shape (rejection sampling in its bounds)."""
    bounds = shapely.bounds(shapes)
    lons = np.empty(len(shapes))
    lats = np.empty(len(shapes))
    todo = np.arange(len(shapes))
    for _ in range(30):
        if len(todo) == 0:
            break
        b = bounds[todo]
        # Keep 5 % off the edges, so that rounding never puts a device on a neighbour's border.
        u, v = rng.uniform(0.05, 0.95, size=(2, len(todo)))
        x = b[:, 0] + u * (b[:, 2] - b[:, 0])
        y = b[:, 1] + v * (b[:, 3] - b[:, 1])
        ok = shapely.contains_xy(shapes[todo], x, y)
        lons[todo[ok]], lats[todo[ok]] = x[ok], y[ok]
        todo = todo[~ok]
    for i in todo:  # odd shapes: a point the geometry guarantees to be inside
        point = shapes[i].representative_point()
        lons[i], lats[i] = point.x, point.y
    return lons, lats


def census(devices: list[SimDevice]) -> Counter[tuple[str, DeviceKind]]:
    """How many devices of each kind stand in each district."""
    return Counter((d.district, d.kind) for d in devices)
