"""GeoJSON test data: squares, features and collections as the importer receives them."""

from __future__ import annotations

from typing import Any


def square(lon: float, lat: float, size: float = 0.01) -> list[list[list[float]]]:
    """Polygon coordinates of a square with its south-west corner at (lon, lat)."""
    return [
        [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    ]


def feature(code: Any, coordinates: Any, kind: str = "Polygon", **props: Any) -> dict[str, Any]:
    properties = {"code": code, "name_zh": f"区域{code}", "name_en": f"Area {code}", **props}
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": kind, "coordinates": coordinates},
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}
