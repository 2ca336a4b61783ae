"""The generated city's plane: a mainland outline and an island, shared out among the districts.

The mainland is the union of discs around the districts and the hull of their centres, scaled
so its area matches their land areas. Each district then grows from its seat over a fine
reference raster, nearest land first (distance measured in units of its own radius), until it
holds its land area; so every seat lies in its own district and every district is one piece.
Chongming is an ellipse with a channel of water around it.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely

from smartcity.geo.features import km_per_degree

# Rough shape hints so the outline resembles the real city (districts whose land lies far from
# their seats); generated geography, not survey data.
_SHAPE_CENTRES = {
    "310115": (121.70, 31.10),  # Pudong reaches the East China Sea
    "310116": (121.22, 30.83),  # Jinshan's seat is on its southern shore
    "310120": (121.55, 30.90),  # Fengxian runs east along Hangzhou Bay
}
# Island districts: centre lon, lat, semi-major axis (km), axis angle (degrees from east).
_ISLANDS = {"310151": (121.56, 31.64, 38.0, -22.0)}
CHANNEL_KM = 3.0
REFERENCE_KM = 0.4
INNER_CITY_KM2 = 100.0


@dataclass(frozen=True)
class CityPlane:
    """Which district owns each square of a fine raster over a local kilometre plane."""

    lon0: float
    lat0: float
    kx: float  # km per degree of longitude
    ky: float  # km per degree of latitude
    origin_x: float  # south-west corner of the raster and of every lattice, km
    origin_y: float
    owner: np.ndarray  # district index per reference square (rows south to north), -1 water
    seats: np.ndarray  # each district's seat, km
    land_area_km2: float

    @property
    def origin_lon(self) -> float:
        return self.lon0 + self.origin_x / self.kx

    @property
    def origin_lat(self) -> float:
        return self.lat0 + self.origin_y / self.ky

    @property
    def lon_per_km(self) -> float:
        return 1.0 / self.kx

    @property
    def lat_per_km(self) -> float:
        return 1.0 / self.ky

    def rasterise(self, size_km: float) -> np.ndarray:
        """Owner of each square of a lattice of `size_km`, read at the square's centre.

        The square holding a district's seat always belongs to that district.
        """
        ny, nx = self.owner.shape
        cols = ((np.arange(math.ceil(nx * REFERENCE_KM / size_km)) + 0.5) * size_km) // REFERENCE_KM
        rows = ((np.arange(math.ceil(ny * REFERENCE_KM / size_km)) + 0.5) * size_km) // REFERENCE_KM
        cols, rows = cols.astype(int).clip(0, nx - 1), rows.astype(int).clip(0, ny - 1)
        owner = self.owner[np.ix_(rows, cols)]
        seat_cols = ((self.seats[:, 0] - self.origin_x) // size_km).astype(int)
        seat_rows = ((self.seats[:, 1] - self.origin_y) // size_km).astype(int)
        owner[seat_rows, seat_cols] = np.arange(len(self.seats))
        return owner


@lru_cache(maxsize=4)
def build_city_plane(
    seats: tuple[tuple[float, float], ...], areas: tuple[float, ...], codes: tuple[str, ...]
) -> CityPlane:
    """Draw the outline and grow the districts (deterministic; no randomness involved)."""
    lon0 = sum(s[0] for s in seats) / len(seats)
    lat0 = sum(s[1] for s in seats) / len(seats)
    kx, ky = km_per_degree(lat0)
    km = np.array([((lon - lon0) * kx, (lat - lat0) * ky) for lon, lat in seats])
    centres = np.array(
        [
            (((c := _SHAPE_CENTRES.get(code, seat))[0] - lon0) * kx, (c[1] - lat0) * ky)
            for code, seat in zip(codes, seats, strict=True)
        ]
    )
    radius = np.sqrt(np.array(areas) / math.pi)
    island = next((i for i, code in enumerate(codes) if code in _ISLANDS), -1)
    extent = np.vstack([centres - 2 * radius[:, None], centres + 2 * radius[:, None]])
    origin = np.floor(extent.min(0))
    shape = np.ceil((extent.max(0) - origin) / REFERENCE_KM).astype(int)
    xs = origin[0] + (np.arange(shape[0]) + 0.5) * REFERENCE_KM
    ys = origin[1] + (np.arange(shape[1]) + 0.5) * REFERENCE_KM
    x, y = (a.ravel() for a in np.meshgrid(xs, ys))
    land = np.zeros(len(x), dtype=bool)
    if island >= 0:
        lon, lat, a, angle = _ISLANDS[codes[island]]
        ellipse = ((lon - lon0) * kx, (lat - lat0) * ky, a, areas[island] / (math.pi * a), angle)
        land = _in_ellipse(x, y, ellipse, 0.0)
        water = _in_ellipse(x, y, ellipse, CHANNEL_KM) & ~land
    else:
        water = land.copy()
    mainland = [i for i in range(len(codes)) if i != island]
    main_area = sum(areas[i] for i in mainland)
    land |= _mainland(x, y, centres[mainland], radius[mainland], main_area) & ~water
    anchors = [
        [km[i]] + ([centres[i]] if codes[i] in _SHAPE_CENTRES else []) for i in range(len(codes))
    ]
    owner = _grow(land.reshape(shape[1], shape[0]), origin, anchors, radius, np.array(areas))
    return CityPlane(
        lon0=lon0,
        lat0=lat0,
        kx=kx,
        ky=ky,
        origin_x=float(origin[0]),
        origin_y=float(origin[1]),
        owner=owner,
        seats=km,
        land_area_km2=float(sum(areas)),
    )


def _in_ellipse(x: np.ndarray, y: np.ndarray, ellipse: tuple, grow: float) -> np.ndarray:
    cx, cy, a, b, angle = ellipse
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    u, v = (x - cx) * cos + (y - cy) * sin, -(x - cx) * sin + (y - cy) * cos
    return (u / (a + grow)) ** 2 + (v / (b + grow)) ** 2 <= 1


def _mainland(
    x: np.ndarray, y: np.ndarray, centres: np.ndarray, radius: np.ndarray, area: float
) -> np.ndarray:
    """Discs around the centres plus their hull, the discs scaled to cover `area` km²."""
    hull = shapely.convex_hull(shapely.multipoints(centres))
    in_hull = shapely.contains_xy(hull, x, y)
    d2 = (x[:, None] - centres[None, :, 0]) ** 2 + (y[:, None] - centres[None, :, 1]) ** 2
    nearest = (d2 / radius[None, :] ** 2).min(1)
    low, high = 0.2, 4.0
    for _ in range(40):
        scale = (low + high) / 2
        if ((nearest <= scale**2) | in_hull).sum() * REFERENCE_KM**2 < area:
            low = scale
        else:
            high = scale
    return (nearest <= high**2) | in_hull


def _grow(
    land: np.ndarray,
    origin: np.ndarray,
    anchors: list[list[np.ndarray]],
    radius: np.ndarray,
    areas: np.ndarray,
) -> np.ndarray:
    """Grow each district from its seat, nearest land first, until it holds its land area."""
    land = land.copy()
    ny, nx = land.shape
    owner = np.full(land.shape, -1, dtype=int)
    capacity = areas / REFERENCE_KM**2
    count = np.zeros(len(areas))

    def priority(i: int, r: int, c: int) -> float:
        px = origin[0] + (c + 0.5) * REFERENCE_KM
        py = origin[1] + (r + 0.5) * REFERENCE_KM
        return min(math.hypot(px - ax, py - ay) for ax, ay in anchors[i]) / radius[i]

    def claim(heap: list[tuple[float, int, int, int]], limited: bool) -> None:
        heapq.heapify(heap)
        while heap:
            _, i, r, c = heapq.heappop(heap)
            if owner[r, c] >= 0 or (limited and count[i] >= capacity[i]):
                continue
            owner[r, c] = i
            count[i] += 1
            for rr, cc in _neighbours(r, c, ny, nx):
                if land[rr, cc] and owner[rr, cc] < 0:
                    heapq.heappush(heap, (priority(i, rr, cc), i, rr, cc))

    seeds = [[_nearest_land(land, origin, p) for p in points] for points in anchors]
    for r, c in (seed for group in seeds for seed in group):  # nobody else may take a seat
        land[r, c] = False
    # The small inner-city districts first, so the large outer ones wrap around them.
    for tier in (areas < INNER_CITY_KM2, areas >= INNER_CITY_KM2):
        heap = []
        for i in np.flatnonzero(tier):
            for r, c in seeds[i]:
                land[r, c] = True
                heap.append((0.0, int(i), r, c))
        claim(heap, True)
    # Land enclosed by districts that are already full goes to whoever is nearest.
    free = land & (owner < 0)
    claim(
        [
            (priority(int(owner[r, c]), rr, cc), int(owner[r, c]), rr, cc)
            for r, c in zip(*np.nonzero(owner >= 0), strict=True)
            for rr, cc in _neighbours(r, c, ny, nx)
            if free[rr, cc]
        ],
        False,
    )
    return owner


def _neighbours(r: int, c: int, ny: int, nx: int) -> list[tuple[int, int]]:
    candidates = ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1))
    return [(rr, cc) for rr, cc in candidates if 0 <= rr < ny and 0 <= cc < nx]


def _nearest_land(land: np.ndarray, origin: np.ndarray, point: np.ndarray) -> tuple[int, int]:
    """The land square nearest to a point (a seat may sit on the shore, just off the raster)."""
    rows, cols = np.nonzero(land)
    px = origin[0] + (cols + 0.5) * REFERENCE_KM
    py = origin[1] + (rows + 0.5) * REFERENCE_KM
    k = int(((px - point[0]) ** 2 + (py - point[1]) ** 2).argmin())
    return int(rows[k]), int(cols[k])
