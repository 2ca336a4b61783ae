"""Distances in metres between lon/lat geometries on the WGS 84 ellipsoid, for ``near`` queries.

Two points: Lambert's formula for long lines (within ~10 m over thousands of kilometres, and a few
parts per million over city distances). Anything else: both geometries go to an azimuthal
equidistant plane centred on one of them, where shapely finds the nearest pair of points; that
pair comes back to lon/lat and Lambert measures it. Edges stay straight in lon/lat, as RFC 7946
section 3.1.1 says, because they are densified before projection.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
_E2 = WGS84_F * (2 - WGS84_F)
DENSIFY_DEGREES = 0.01  # about 1 km: keeps lon/lat-straight edges straight after projection


def point_distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """The geodesic distance between two lon/lat points, in metres (Lambert's formula)."""
    b1 = math.atan((1 - WGS84_F) * math.tan(math.radians(lat1)))
    b2 = math.atan((1 - WGS84_F) * math.tan(math.radians(lat2)))
    d_lon = math.radians(lon2 - lon1)
    h = math.sin((b2 - b1) / 2) ** 2 + math.cos(b1) * math.cos(b2) * math.sin(d_lon / 2) ** 2
    sigma = 2 * math.asin(math.sqrt(min(1.0, max(0.0, h))))
    if sigma == 0.0:
        return 0.0
    p, q = (b1 + b2) / 2, (b2 - b1) / 2
    half_sin, half_cos = math.sin(sigma / 2) ** 2, math.cos(sigma / 2) ** 2
    x = (sigma - math.sin(sigma)) * (math.sin(p) * math.cos(q)) ** 2 / half_cos if half_cos else 0
    y = (sigma + math.sin(sigma)) * (math.cos(p) * math.sin(q)) ** 2 / half_sin
    return WGS84_A * (sigma - WGS84_F / 2 * (x + y))


def _gaussian_radius(lat: float) -> float:
    """The radius of the sphere that best fits the ellipsoid around latitude ``lat``."""
    s2 = math.sin(math.radians(lat)) ** 2
    return WGS84_A * math.sqrt(1 - _E2) / (1 - _E2 * s2)


class _Azimuthal:
    """An azimuthal equidistant projection on the locally best-fitting sphere."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0, self.lat0 = math.radians(lon0), math.radians(lat0)
        self.radius = _gaussian_radius(lat0)

    def forward(self, coords: np.ndarray) -> np.ndarray:
        lon, lat = np.radians(coords[:, 0]), np.radians(coords[:, 1])
        d_lon = lon - self.lon0
        sin0, cos0 = math.sin(self.lat0), math.cos(self.lat0)
        h = np.sin((lat - self.lat0) / 2) ** 2 + cos0 * np.cos(lat) * np.sin(d_lon / 2) ** 2
        c = 2 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
        azimuth = np.arctan2(
            np.sin(d_lon) * np.cos(lat), cos0 * np.sin(lat) - sin0 * np.cos(lat) * np.cos(d_lon)
        )
        rho = self.radius * c
        return np.column_stack((rho * np.sin(azimuth), rho * np.cos(azimuth)))

    def inverse(self, x: float, y: float) -> tuple[float, float]:
        rho = math.hypot(x, y)
        if rho == 0.0:
            return math.degrees(self.lon0), math.degrees(self.lat0)
        c = rho / self.radius
        sin0, cos0 = math.sin(self.lat0), math.cos(self.lat0)
        lat = math.asin(max(-1.0, min(1.0, math.cos(c) * sin0 + y * math.sin(c) * cos0 / rho)))
        lon = self.lon0 + math.atan2(
            x * math.sin(c), rho * cos0 * math.cos(c) - y * sin0 * math.sin(c)
        )
        return math.degrees(lon), math.degrees(lat)


def distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    """The shortest distance between two lon/lat geometries, in metres (0 when they touch)."""
    if isinstance(a, Point) and isinstance(b, Point):
        return point_distance_m(a.x, a.y, b.x, b.y)
    if a.intersects(b):
        return 0.0
    anchor = a if isinstance(a, Point) else b if isinstance(b, Point) else b.centroid
    plane = _Azimuthal(anchor.x, anchor.y)
    pa, pb = (
        shapely.transform(shapely.segmentize(g, DENSIFY_DEGREES), plane.forward) for g in (a, b)
    )
    near_a, near_b = nearest_points(pa, pb)
    lon1, lat1 = plane.inverse(near_a.x, near_a.y)
    lon2, lat2 = plane.inverse(near_b.x, near_b.y)
    return point_distance_m(lon1, lat1, lon2, lat2)
