"""Reading a GeoJSON FeatureCollection of areas: each feature checked, safe repairs reported.

Pure: nothing here touches the database. A problem names the feature (its index and code) and
the field; all problems of a file are reported together, and any problem refuses the whole file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import shapely
from shapely.geometry.base import BaseGeometry

from smartcity.core.errors import ValidationFailed
from smartcity.geo.features import CODE_LENGTHS, PARENT_LEVEL, AreaFeature, Level, parent_code

MAX_FEATURES = 100_000
MAX_PROBLEMS = 100
REPAIR_TOLERANCE = 0.01  # a repair may change the area by at most 1 %
MIN_AREA_DEG2 = 1e-10  # about 1 m²: less is a collapsed polygon, not an area
LEVEL_ALIASES: dict[str, Level] = {
    "district": "district",
    "street": "street",
    "town": "street",
    "community": "community",
    "grid": "cell",
    "cell": "cell",
}
_ARRAY = (list, tuple)  # JSON arrays, or tuples from Python callers (shapely's mapping)
_WGS84_CRS = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326"}


@dataclass(frozen=True)
class Repair:
    """An invalid polygon that was made valid, and why it was invalid."""

    index: int
    code: str
    reason: str


@dataclass
class ParsedCollection:
    """The features of one file, each with its index in the file."""

    level: Level
    features: list[AreaFeature]
    indexes: list[int]
    repaired: list[Repair] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Problem(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse_level(value: str) -> Level:
    """`district`, `street`, `community` or `grid` (also `cell`, `town`) → the level."""
    level = LEVEL_ALIASES.get(str(value).strip().lower())
    if level is None:
        raise ValidationFailed(
            f"unknown level {value!r}; use district, street, community or grid", field="level"
        )
    return level


def read_feature_collection(
    data: bytes | str | Mapping[str, Any], *, level: str, source: str = "import"
) -> ParsedCollection:
    """Check every feature of a FeatureCollection for `level`; raise one error listing all."""
    parsed_level = parse_level(level)
    collection = _load_json(data)
    features = collection.get("features")
    if not isinstance(features, list):
        raise ValidationFailed("a FeatureCollection needs a 'features' array", field="features")
    if not features:
        raise ValidationFailed("the FeatureCollection has no features", field="features")
    if len(features) > MAX_FEATURES:
        raise ValidationFailed(
            f"{len(features)} features is more than {MAX_FEATURES} in one import; split the file",
            field="features",
        )
    result = ParsedCollection(parsed_level, [], [])
    problems: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(features):
        code = _raw_code(raw)
        try:
            feature, repair = _read_feature(raw, parsed_level, source)
            if feature.code in seen:
                raise _Problem("properties.code", f"code repeats feature {seen[feature.code]}")
        except _Problem as problem:
            problems.append(
                {"index": index, "code": code, "field": problem.field, "message": problem.message}
            )
            continue
        seen[feature.code] = index
        result.features.append(feature)
        result.indexes.append(index)
        if repair:
            result.repaired.append(Repair(index, feature.code, repair))
    if problems:
        raise refusal(problems, len(features))
    result.warnings.extend(overlap_warnings(result))
    return result


def refusal(problems: list[dict[str, Any]], total: int) -> ValidationFailed:
    """One error for a refused import: a summary naming the first problem, and the full list."""
    first = problems[0]
    where = f"feature {first['index']}" + (f" ({first['code']})" if first.get("code") else "")
    return ValidationFailed(
        f"{len(problems)} of {total} features are invalid, nothing was imported; "
        f"{where}, {first['field']}: {first['message']}",
        field=f"features[{first['index']}].{first['field']}",
        details=problems[:MAX_PROBLEMS],
    )


def _load_json(data: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(data, bytes | bytearray | memoryview | str):
        try:
            data = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise ValidationFailed(f"the file is not JSON: {exc}", field="body") from None
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        kind = data.get("type") if isinstance(data, Mapping) else type(data).__name__
        raise ValidationFailed(f"expected a GeoJSON FeatureCollection, got {kind!r}", field="type")
    crs = data.get("crs")
    if crs is not None:
        name = crs.get("properties", {}).get("name") if isinstance(crs, Mapping) else None
        if name not in _WGS84_CRS:
            raise ValidationFailed(
                f"coordinates must be WGS 84 longitude/latitude (EPSG:4326), not {name!r}",
                field="crs",
            )
    return data


def _raw_code(raw: Any) -> str | None:
    props = raw.get("properties") if isinstance(raw, Mapping) else None
    code = props.get("code") if isinstance(props, Mapping) else None
    return str(code) if isinstance(code, str | int) and not isinstance(code, bool) else None


def _read_feature(raw: Any, level: Level, default_source: str) -> tuple[AreaFeature, str | None]:
    if not isinstance(raw, Mapping) or raw.get("type") != "Feature":
        raise _Problem("type", "each item of 'features' must be a GeoJSON Feature")
    props = raw.get("properties")
    if not isinstance(props, Mapping):
        raise _Problem("properties", "the feature needs a 'properties' object with its code")
    code = _read_code(props, level)
    name_zh = _read_name(props, ("name_zh", "name"), required=level != "cell")
    name_en = _read_name(props, ("name_en",), required=False)
    approximate = props.get("approximate", False)
    if not isinstance(approximate, bool):
        raise _Problem("properties.approximate", "approximate must be true or false")
    geometry, repair = read_geometry(raw.get("geometry"))
    kept = {k: v for k, v in props.items() if k not in _OWN_PROPERTIES}
    try:
        encoded = orjson.dumps(kept)
    except (TypeError, orjson.JSONEncodeError) as exc:
        raise _Problem("properties", f"the properties cannot be stored as JSON: {exc}") from None
    if b"\\u0000" in encoded:  # databases refuse NUL in text and JSON
        raise _Problem("properties", "the properties contain a NUL character")
    source = str(props.get("source") or default_source)
    if "\x00" in source:
        raise _Problem("properties.source", "source contains a NUL character")
    feature = AreaFeature(
        level=level,
        code=code,
        name_zh=name_zh or f"单元网格 {code}",
        name_en=name_en or (f"Grid cell {code}" if level == "cell" else ""),
        geometry=geometry,
        approximate=approximate,
        source=source[:200],
        properties=kept,
    )
    return feature, repair


_OWN_PROPERTIES = {
    "code",
    "parent_code",
    "level",
    "name",
    "name_zh",
    "name_en",
    "approximate",
    "source",
}


def _read_code(props: Mapping[str, Any], level: Level) -> str:
    raw = props.get("code")
    if raw is None or isinstance(raw, bool) or not isinstance(raw, str | int):
        raise _Problem("properties.code", "the feature has no 'code' property")
    code = str(raw).strip()
    want = CODE_LENGTHS[level]
    if not code.isascii() or not code.isdigit():
        raise _Problem("properties.code", f"code {code!r} must contain digits only")
    if len(code) != want:
        label = "grid cell" if level == "cell" else level
        raise _Problem(
            "properties.code", f"code {code} has {len(code)} digits; a {label} code has {want}"
        )
    given = props.get("parent_code")
    if given is not None and PARENT_LEVEL[level] and str(given).strip() != parent_code(code):
        raise _Problem(
            "properties.parent_code",
            f"parent_code {given} does not match the code's prefix {parent_code(code)}",
        )
    return code


def _read_name(props: Mapping[str, Any], keys: tuple[str, ...], *, required: bool) -> str:
    for key in keys:
        value = props.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise _Problem(f"properties.{key}", f"{key} must be a non-empty string")
        if len(value) > 200:
            raise _Problem(f"properties.{key}", f"{key} is longer than 200 characters")
        if "\x00" in value:
            raise _Problem(f"properties.{key}", f"{key} contains a NUL character")
        return value.strip()
    if required:
        raise _Problem(f"properties.{keys[0]}", "the feature needs a name (name_zh or name)")
    return ""


def read_geometry(raw: Any) -> tuple[BaseGeometry, str | None]:
    """A Polygon or MultiPolygon in lon/lat; invalid ones repaired when safe (with the reason)."""
    if not isinstance(raw, Mapping):
        raise _Problem("geometry", "the feature has no geometry")
    kind = raw.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise _Problem("geometry.type", f"geometry must be a Polygon or MultiPolygon, not {kind}")
    coords = raw.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, _ARRAY) or not polygons:
        raise _Problem("geometry.coordinates", "the geometry has no coordinates")
    shells = [
        _read_polygon(p, n if kind == "MultiPolygon" else None) for n, p in enumerate(polygons)
    ]
    geometry = shells[0] if kind == "Polygon" else shapely.MultiPolygon(shells)
    if not geometry.is_valid:
        return repair_polygon(geometry)
    if geometry.area < MIN_AREA_DEG2:
        raise _Problem("geometry", "the polygon encloses no area")
    return geometry, None


def _read_polygon(rings: Any, part: int | None) -> shapely.Polygon:
    where = "" if part is None else f"polygon {part}, "
    if not isinstance(rings, _ARRAY) or not rings:
        raise _Problem("geometry.coordinates", f"{where}a polygon needs at least one ring")
    checked = [_read_ring(ring, f"{where}ring {r}") for r, ring in enumerate(rings)]
    return shapely.Polygon(checked[0], checked[1:])


def _read_ring(ring: Any, where: str) -> list[tuple[float, float]]:
    if not isinstance(ring, _ARRAY) or len(ring) < 4:
        raise _Problem("geometry.coordinates", f"{where}: a ring needs at least 4 positions")
    points = []
    for p, position in enumerate(ring):
        if (
            not isinstance(position, _ARRAY)
            or len(position) < 2
            or not all(_is_number(v) for v in position)
        ):
            raise _Problem(
                "geometry.coordinates", f"{where}, position {p}: expected [lon, lat] numbers"
            )
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise _Problem(
                "geometry.coordinates",
                f"{where}, position {p}: [{lon}, {lat}] is outside longitude -180..180 / "
                "latitude -90..90 (coordinates must be WGS 84 [lon, lat] degrees)",
            )
        points.append((lon, lat))
    if points[0] != points[-1]:
        raise _Problem("geometry.coordinates", f"{where}: the ring is not closed")
    return points


def _is_number(value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def repair_polygon(geometry: BaseGeometry) -> tuple[BaseGeometry, str]:
    """Make an invalid polygon valid when the intent is clear; refuse when it is not.

    Safe means: the result is a polygonal area within 1 % of the area its rings describe —
    each shell's area less its holes', a self-crossing ring counted lobe by lobe. A bow-tie or
    a small twist passes; parts that overlap each other or holes outside their shell, whose
    repair would change the area, are refused.
    """
    reason = shapely.is_valid_reason(geometry)
    repaired = _polygonal(shapely.make_valid(geometry, method="structure", keep_collapsed=False))
    if repaired is None or repaired.area < MIN_AREA_DEG2:
        raise _Problem("geometry", f"invalid polygon ({reason}) that collapses to no area")
    intended = sum(
        _ring_area(part.exterior) - sum(_ring_area(hole) for hole in part.interiors)
        for part in getattr(geometry, "geoms", [geometry])
    )
    change = abs(repaired.area - intended) / max(repaired.area, abs(intended))
    if change > REPAIR_TOLERANCE:
        raise _Problem(
            "geometry",
            f"invalid polygon ({reason}) that cannot be repaired safely: repairing it would "
            f"change its area by {change:.0%} (parts overlapping, or a hole outside its shell?)",
        )
    return repaired, reason


def _ring_area(ring: BaseGeometry) -> float:
    """The area a ring encloses, each lobe of a self-crossing ring counted once."""
    polygon = shapely.Polygon(ring)
    return polygon.area if polygon.is_valid else shapely.make_valid(polygon).area


def _polygonal(geometry: BaseGeometry) -> BaseGeometry | None:
    """The polygons of a repair result, dropping collapsed lines and points."""
    if isinstance(geometry, shapely.Polygon | shapely.MultiPolygon):
        return None if geometry.is_empty else geometry
    parts = [
        p
        for g in getattr(geometry, "geoms", [])
        for p in (g.geoms if isinstance(g, shapely.MultiPolygon) else [g])
        if isinstance(p, shapely.Polygon) and not p.is_empty
    ]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def overlap_warnings(parsed: ParsedCollection, limit: int = 20) -> list[str]:
    """Features of the file that overlap each other by more than 0.1 % of the smaller one."""
    if len(parsed.features) < 2:
        return []
    geoms = [f.geometry for f in parsed.features]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="overlaps")
    pairs = [(a, b) for a, b in zip(left.tolist(), right.tolist(), strict=True) if a < b]
    warnings = []
    for a, b in pairs:
        shared = geoms[a].intersection(geoms[b]).area
        if shared > 0.001 * min(geoms[a].area, geoms[b].area):
            warnings.append(
                f"features {parsed.indexes[a]} ({parsed.features[a].code}) and "
                f"{parsed.indexes[b]} ({parsed.features[b].code}) overlap"
            )
    if len(warnings) > limit:
        warnings = [*warnings[:limit], f"… and {len(warnings) - limit} more overlapping pairs"]
    return warnings
