"""The NGSI-LD geo-query (GS CIM 009 clause 4.10): validated parameters and in-memory matching.

``georel`` relates the target geometry (an Entity's GeoProperty, ``location`` by default) to the
reference geometry given by ``geometry`` and ``coordinates``. Topological relations follow the
OGC Simple Features DE-9IM predicates on lon/lat, as PostGIS ``geometry`` does; ``near``
measures metres on the WGS 84 ellipsoid from the closest points of the two geometries.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, NoReturn

import shapely
import shapely.errors
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from smartcity.context.query.ast import utc
from smartcity.context.query.entity import entity_instances, member, plain
from smartcity.context.query.geodesy import distance_m

MAX_POSITIONS = 50_000
DEFAULT_GEOPROPERTY = "location"

_NEAR = re.compile(r"near;(maxDistance|minDistance)==(.*)")
_POSITIVE_NUMBER = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[^\W\d_]\w*|[^\W\d_][\w+\-]*:[\w\-.:/#%@+]+")
# Nesting depth of positions, and the fewest members each level needs, per geometry type.
_SHAPES = {
    "Point": (0, ()),
    "MultiPoint": (1, (1,)),
    "LineString": (1, (2,)),
    "MultiLineString": (2, (1, 2)),
    "Polygon": (2, (1, 4)),
    "MultiPolygon": (3, (1, 1, 4)),
}


class GeoRel(StrEnum):
    """The seven geospatial relationships of clause 4.10."""

    NEAR = "near"
    WITHIN = "within"
    CONTAINS = "contains"
    INTERSECTS = "intersects"
    EQUALS = "equals"
    DISJOINT = "disjoint"
    OVERLAPS = "overlaps"


class GeoQuerySyntaxError(ValueError):
    """A malformed geo-query; ``parameter`` names the culprit (georel, geometry, coordinates or
    geoproperty)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


_PLAIN_RELATIONS = frozenset(rel.value for rel in GeoRel if rel is not GeoRel.NEAR)


def _fail(parameter: str, message: str) -> NoReturn:
    raise GeoQuerySyntaxError(parameter, message)


Coordinates = tuple[Any, ...]


@dataclass(frozen=True)
class GeoQuery:
    """A validated geo-query, ready to match target geometries or to translate to SQL."""

    georel: GeoRel
    geometry: str  # the GeoJSON type of the reference geometry
    coordinates: Coordinates  # the reference geometry's positions, as nested tuples
    geoproperty: str = DEFAULT_GEOPROPERTY
    max_distance: float | None = None  # metres, with near only
    min_distance: float | None = None
    reference: BaseGeometry = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.reference is None:
            object.__setattr__(self, "reference", shape(self.geojson))

    @property
    def geojson(self) -> dict[str, Any]:
        """The reference geometry as a GeoJSON object (for ST_GeomFromGeoJSON and the like)."""
        return {"type": self.geometry, "coordinates": _as_lists(self.coordinates)}

    def map_attributes(self, fn: Callable[[str], str]) -> GeoQuery:
        """The same query with ``geoproperty`` passed through ``fn`` (e.g. @context expansion)."""
        return replace(self, geoproperty=fn(self.geoproperty))

    def matches(self, geometry: Mapping[str, Any] | str) -> bool:
        """Whether a target GeoJSON geometry stands in this relation to the reference geometry.

        A target that is not a valid GeoJSON geometry matches nothing.
        """
        target = _target_shape(geometry)
        if target is None:
            return False
        try:
            return self._relates(target)
        except shapely.errors.GEOSException:  # e.g. a degenerate line GEOS cannot densify
            return False

    def _relates(self, target: BaseGeometry) -> bool:
        reference = self.reference
        match self.georel:
            case GeoRel.NEAR:
                distance = distance_m(target, reference)
                if self.max_distance is not None:
                    return distance <= self.max_distance
                return distance > (self.min_distance or 0.0)
            case GeoRel.WITHIN:
                return target.within(reference)
            case GeoRel.CONTAINS:
                return target.contains(reference)
            case GeoRel.INTERSECTS:
                return target.intersects(reference)
            case GeoRel.EQUALS:
                return target.equals(reference)
            case GeoRel.DISJOINT:
                return target.disjoint(reference)
            case GeoRel.OVERLAPS:
                return target.overlaps(reference)
        raise AssertionError(self.georel)

    def matches_entity(self, entity: Mapping[str, Any], *, now: datetime | None = None) -> bool:
        """Whether any live instance of the entity's ``geoproperty`` matches; an entity without
        it never does (clause 4.10)."""
        found = entity_instances(entity, self.geoproperty, utc(now) if now else None)
        values = [plain(member(inst, "value")) for inst in found]
        return any(
            self.matches(geometry)
            for value in values
            for geometry in (value if isinstance(value, list) else [value])
        )

    def __str__(self) -> str:
        if self.georel is GeoRel.NEAR:
            name, value = (
                ("maxDistance", self.max_distance)
                if self.max_distance is not None
                else ("minDistance", self.min_distance)
            )
            return f"near;{name}=={_number(value)}"
        return self.georel.value


def _number(value: float | None) -> str:
    return str(int(value)) if value is not None and value.is_integer() else repr(value)


def _as_lists(value: Any) -> Any:
    return [_as_lists(item) for item in value] if isinstance(value, tuple | list) else value


def _target_shape(geometry: Any) -> BaseGeometry | None:
    try:
        if isinstance(geometry, str):
            geometry = json.loads(geometry)
        if not isinstance(geometry, Mapping):
            return None
        target = shape(geometry)
    except Exception:  # whatever a malformed stored geometry raises, it matches nothing
        return None
    return None if target.is_empty else _repaired(target)


def _repaired(geometry: BaseGeometry) -> BaseGeometry:
    """A self-intersecting (bow-tie) polygon as the valid area it outlines: such polygons are
    accepted as locations, so queries with them relate the same way (the suite's 019_11)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon") and not geometry.is_valid:
        return shapely.make_valid(geometry)
    return geometry


def parse_geoquery(
    georel: str,
    geometry: str,
    coordinates: str | list[Any],
    geoproperty: str | None = None,
) -> GeoQuery:
    """A validated :class:`GeoQuery` from the four parameters of clause 4.10."""
    relation, max_distance, min_distance = _parse_georel(georel)
    kind = _parse_geometry(geometry)
    positions = _parse_coordinates(coordinates, kind)
    prop = DEFAULT_GEOPROPERTY if geoproperty is None else geoproperty.strip()
    if not _NAME.fullmatch(prop):
        _fail("geoproperty", f"{geoproperty!r} is not an attribute name")
    reference = shape({"type": kind, "coordinates": _as_lists(positions)})
    reference = _repaired(reference)
    return GeoQuery(relation, kind, positions, prop, max_distance, min_distance, reference)


def _parse_georel(text: str) -> tuple[GeoRel, float | None, float | None]:
    text = text.strip() if isinstance(text, str) else _fail("georel", "missing")
    if text in _PLAIN_RELATIONS:
        return GeoRel(text), None, None
    if not text.startswith("near"):
        allowed = ", ".join(rel.value for rel in GeoRel)
        _fail("georel", f"{text!r} is not a geospatial relationship (one of {allowed})")
    match = _NEAR.fullmatch(text)
    if match is None:
        _fail(
            "georel",
            "near takes one distance: near;maxDistance==<metres> or near;minDistance==<metres>",
        )
    name, number = match.groups()
    if ";" in number:
        _fail("georel", "near takes exactly one distance, maxDistance or minDistance")
    if not _POSITIVE_NUMBER.fullmatch(number):
        _fail("georel", f"{name} must be a positive number of metres, not {number!r}")
    distance = float(number)
    if not math.isfinite(distance) or distance <= 0:
        _fail("georel", f"{name} must be a positive, finite number of metres, not {number}")
    if name == "maxDistance":
        return GeoRel.NEAR, distance, None
    return GeoRel.NEAR, None, distance


def _parse_geometry(text: str) -> str:
    kind = text.strip() if isinstance(text, str) else _fail("geometry", "missing")
    if kind in _SHAPES:
        return kind
    if kind == "GeometryCollection":
        _fail("geometry", "GeometryCollection is not allowed in a geo-query")
    hint = next((name for name in _SHAPES if name.lower() == kind.lower()), None)
    suffix = f" (did you mean {hint}?)" if hint else f" (one of {', '.join(_SHAPES)})"
    _fail("geometry", f"{kind!r} is not a GeoJSON geometry type{suffix}")


def _parse_coordinates(raw: str | list[Any], kind: str) -> Coordinates:
    value: Any = raw
    if isinstance(raw, str):
        depth = 0
        for char in raw:  # refuse deep nesting before json.loads recurses into it
            depth += (char == "[") - (char == "]")
            if depth > 4:
                _fail("coordinates", "nested deeper than any GeoJSON geometry")
        try:
            value = json.loads(raw)
        except ValueError:
            _fail("coordinates", f"not a JSON array such as [121.47,31.23]: {raw[:80]!r}")
    if not isinstance(value, list):
        _fail("coordinates", "must be a JSON array")
    depth, minimums = _SHAPES[kind]
    nesting, probe = 0, value
    while isinstance(probe, list) and probe:  # how deep the first position lies
        nesting, probe = nesting + 1, probe[0]
    if probe != [] and nesting != depth + 1:
        levels = f"{depth + 1} level{'s' if depth else ''}"
        _fail("coordinates", f"a {kind} is {levels} of nested arrays deep, not {nesting}")
    counter = [0]
    result = _check_level(value, depth, minimums, kind, counter)
    if kind == "Polygon":
        _check_rings(result)
    elif kind == "MultiPolygon":
        for polygon in result:
            _check_rings(polygon)
    return result


def _check_level(
    value: Any, depth: int, minimums: tuple[int, ...], kind: str, counter: list[int]
) -> Any:
    if depth == 0:
        return _check_position(value, kind, counter)
    if not isinstance(value, list):
        _fail("coordinates", f"a {kind} needs {depth + 1} levels of nested arrays")
    if len(value) < minimums[0]:
        what = "positions" if depth == 1 else "members"
        _fail("coordinates", f"a {kind} needs at least {minimums[0]} {what} at each level")
    return tuple(_check_level(item, depth - 1, minimums[1:], kind, counter) for item in value)


def _check_position(value: Any, kind: str, counter: list[int]) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) not in (2, 3):
        _fail("coordinates", f"a {kind} position is [longitude, latitude], got {value!r:.80}")
    for number in value:
        if isinstance(number, bool) or not isinstance(number, int | float):
            _fail("coordinates", f"{number!r:.40} is not a number")
        if not math.isfinite(number):
            _fail("coordinates", "coordinates must be finite")
    lon, lat = value[0], value[1]
    if not -180 <= lon <= 180:
        _fail("coordinates", f"longitude {lon} is outside [-180, 180]")
    if not -90 <= lat <= 90:
        _fail("coordinates", f"latitude {lat} is outside [-90, 90]")
    counter[0] += 1
    if counter[0] > MAX_POSITIONS:
        _fail("coordinates", f"more than {MAX_POSITIONS} positions")
    return tuple(value)


def _check_rings(rings: Coordinates) -> None:
    for ring in rings:
        if ring[0][:2] != ring[-1][:2]:
            _fail("coordinates", "a polygon ring must end at its first position (closed)")
