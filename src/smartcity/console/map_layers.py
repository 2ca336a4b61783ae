"""The map's layers as GeoJSON: districts, streets and grid cells (built once per city revision
and kept), measures that colour the cells, and devices with their latest readings."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable
from dataclasses import dataclass

import orjson
import shapely
from sqlalchemy.orm import Session

from smartcity.console import readings
from smartcity.geo import service as geo
from smartcity.geo.features import Level
from smartcity.geo.index import revision_token

AREA_LEVELS: tuple[Level, ...] = ("district", "street", "cell")
_PRECISION = 5  # decimal places of a coordinate: about a metre


@dataclass(frozen=True)
class CellMeasure:
    """A figure per grid cell the map can colour cells by; parts add theirs (open cases …)."""

    key: str
    label_key: str
    permission: str
    values: Callable[[Session, int], dict[str, float]]


MEASURES: dict[str, CellMeasure] = {}


def register_measure(measure: CellMeasure) -> None:
    MEASURES[measure.key] = measure


register_measure(
    CellMeasure("devices", "map.measure_devices", "devices:read", readings.devices_per_cell)
)


class AreaLayerCache:
    """Each tenant's area layers as GeoJSON bytes, rebuilt only when its geo revision changes."""

    def __init__(self, size: int = 32) -> None:
        self._lock = threading.Lock()
        # (tenant, level) → (revision token, GeoJSON, the same gzipped: cells weigh MBs)
        self._layers: dict[tuple[int, str], tuple[str | None, bytes, bytes]] = {}
        self._size = size

    def get(self, session: Session, tenant_id: int, level: Level) -> tuple[str, bytes, bytes]:
        """(revision token usable as an ETag, the FeatureCollection, the same gzipped)."""
        token = revision_token(session, tenant_id)
        cached = self._layers.get((tenant_id, level))
        if cached is not None and cached[0] == token:
            return token or "none", cached[1], cached[2]
        body = area_layer(session, tenant_id, level)
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        with self._lock:
            if len(self._layers) >= self._size:
                self._layers.pop(next(iter(self._layers)))
            self._layers[(tenant_id, level)] = (token, body, packed)
        return token or "none", body, packed


def area_layer(session: Session, tenant_id: int, level: Level) -> bytes:
    rows, _ = geo.list_areas(session, tenant_id, level=level)
    shapes = shapely.set_precision(
        shapely.from_wkb([bytes(r.geometry) for r in rows]), 10**-_PRECISION
    )
    texts = shapely.to_geojson(shapes) if rows else []
    features = [
        {
            "type": "Feature",
            "id": row.code,
            "geometry": orjson.Fragment(text),
            "properties": {
                "code": row.code,
                "name_zh": row.name_zh,
                "name_en": row.name_en,
                "area_km2": round(row.area_m2 / 1e6, 3),
                "center": [
                    round(row.centroid_lon, _PRECISION),
                    round(row.centroid_lat, _PRECISION),
                ],
            },
        }
        for row, text in zip(rows, texts, strict=True)
    ]
    return orjson.dumps({"type": "FeatureCollection", "features": features})


AREA_LAYERS = AreaLayerCache()
