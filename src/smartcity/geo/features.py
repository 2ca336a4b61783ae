"""Area features as plain data: the four levels, their codes, and the measures of their shapes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import shapely
from shapely.geometry.base import BaseGeometry

Level = Literal["district", "street", "community", "cell"]

# GB/T 30428-style unit grid codes: 6 district + 3 street + 3 community + 3 sequence digits.
CODE_LENGTHS: dict[str, int] = {"district": 6, "street": 9, "community": 12, "cell": 15}
LEVELS: tuple[Level, ...] = ("district", "street", "community", "cell")
LEVEL_BY_LENGTH: dict[int, Level] = {n: level for level, n in CODE_LENGTHS.items()}
PARENT_LEVEL: dict[str, Level | None] = {
    "district": None,
    "street": "district",
    "community": "street",
    "cell": "community",
}
LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "district": ("区", "District"),
    "street": ("街道/镇", "Street / town"),
    "community": ("社区/村", "Community / village"),
    "cell": ("单元网格", "Unit grid cell"),
}

_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON_EQUATOR = 111.320


def level_of_code(code: str) -> Level | None:
    """The level a code belongs to by its length, or None when it is not a valid area code."""
    if not code.isascii() or not code.isdigit():
        return None
    return LEVEL_BY_LENGTH.get(len(code))


def parent_code(code: str) -> str | None:
    """The code of the area one level up (a cell's community, a street's district)."""
    level = level_of_code(code)
    parent = PARENT_LEVEL.get(level) if level else None
    return code[: CODE_LENGTHS[parent]] if parent else None


def ancestor_codes(code: str) -> list[str]:
    """The codes of every enclosing area, from the district down to the code itself."""
    return [code[:n] for n in (6, 9, 12, 15) if n <= len(code)]


def km_per_degree(lat: float) -> tuple[float, float]:
    """Kilometres per degree of longitude and latitude near `lat` (good to ~0.5 % locally)."""
    return _KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat)), _KM_PER_DEG_LAT


def area_m2(geometry: BaseGeometry) -> float:
    """Area in square metres of a lon/lat geometry, on a local equirectangular projection."""
    if geometry.is_empty:
        return 0.0
    kx, ky = km_per_degree(geometry.centroid.y)
    return float(geometry.area * kx * ky * 1e6)


@dataclass(frozen=True)
class AreaFeature:
    """One district, street, community or unit grid cell with its lon/lat geometry."""

    level: Level
    code: str
    name_zh: str
    name_en: str
    geometry: BaseGeometry
    approximate: bool = False
    source: str = ""
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def parent_code(self) -> str | None:
        return parent_code(self.code)

    def measures(self) -> dict[str, float]:
        """Bounding box, centroid and area: the columns stored beside the geometry."""
        min_lon, min_lat, max_lon, max_lat = self.geometry.bounds
        centre = inner_point(self.geometry)
        return {
            "min_lon": min_lon,
            "min_lat": min_lat,
            "max_lon": max_lon,
            "max_lat": max_lat,
            "centroid_lon": round(centre.x, 7),
            "centroid_lat": round(centre.y, 7),
            "area_m2": round(area_m2(self.geometry), 1),
        }

    def to_geojson(self) -> dict[str, Any]:
        """A GeoJSON Feature (RFC 7946) carrying the code, names and the approximate flag."""
        return {
            "type": "Feature",
            "id": self.code,
            "geometry": geometry_to_geojson(self.geometry),
            "properties": {
                **self.properties,
                "code": self.code,
                "level": self.level,
                "parent_code": self.parent_code,
                "name_zh": self.name_zh,
                "name_en": self.name_en,
                "approximate": self.approximate,
                "source": self.source,
            },
        }


def inner_point(geometry: BaseGeometry) -> shapely.Point:
    """The centroid when it lies inside the area, else a point that surely does."""
    centroid = geometry.centroid
    return centroid if geometry.contains(centroid) else geometry.point_on_surface()


def geometry_to_geojson(geometry: BaseGeometry) -> dict[str, Any]:
    return shapely.geometry.mapping(geometry)  # type: ignore[return-value]


def geometry_to_wkb(geometry: BaseGeometry) -> bytes:
    return shapely.to_wkb(geometry, output_dimension=2)
