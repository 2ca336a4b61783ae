"""Point → unit grid cell lookup: an STRtree over a tenant's cells, cached until the city changes.

A point on an edge shared by several cells belongs to the one with the lowest code, so every
lookup — single, batched or brute force — gives the same answer.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.geo.models import GeoRevision, UnitGridCell

_NONE = np.iinfo(np.int64).max


class GridIndex:
    """The cells of one city, sorted by code, with an STRtree over them."""

    def __init__(
        self,
        codes: Sequence[str],
        polygons: Sequence[BaseGeometry] | np.ndarray,
        *,
        token: str | None = None,
    ) -> None:
        order = np.argsort(np.asarray(codes, dtype=str), kind="stable")
        self.codes: list[str] = [str(codes[i]) for i in order]
        self.polygons = np.asarray(polygons, dtype=object)[order]
        self.token = token
        self.tree = shapely.STRtree(self.polygons)
        # Cells that are exactly their bounding box need no test beyond the tree's own.
        self._is_box = (
            shapely.equals(self.polygons, shapely.envelope(self.polygons))
            if len(self.polygons)
            else np.zeros(0, dtype=bool)
        )
        shapely.prepare(self.polygons[~self._is_box])
        self._buckets = _Buckets(self.polygons, self._is_box)

    def __len__(self) -> int:
        return len(self.codes)

    def locate(self, lon: float, lat: float) -> str | None:
        """The code of the cell holding the point, or None outside every cell."""
        index = self._buckets.find(float(lon), float(lat))
        return self.codes[index] if index >= 0 else None

    def locate_many(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """The index into `codes` of each point's cell, -1 for points outside every cell."""
        lons = np.asarray(lons, dtype=float)
        lats = np.asarray(lats, dtype=float)
        if lons.shape != lats.shape or lons.ndim != 1:
            raise ValueError("lons and lats must be 1-d arrays of the same length")
        result = np.full(len(lons), _NONE, dtype=np.int64)
        if len(lons) and len(self.codes):
            points, cells = self._candidates(lons, lats)
            np.minimum.at(result, points, cells)
        result[result == _NONE] = -1
        return result

    def _candidates(self, lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point, cell) pairs where the cell holds the point, edges included."""
        geoms = shapely.points(lons, lats)
        points, cells = self.tree.query(geoms)  # bounding boxes only: exact for box cells
        shaped = ~self._is_box[cells]
        if shaped.any():
            hit = shapely.intersects(self.polygons[cells[shaped]], geoms[points[shaped]])
            keep = np.ones(len(cells), dtype=bool)
            keep[np.flatnonzero(shaped)[~hit]] = False
            points, cells = points[keep], cells[keep]
        return points, cells

    def brute_force(self, lon: float, lat: float) -> str | None:
        """The same answer as `locate`, by testing every cell (for checks and benchmarks)."""
        hits = np.flatnonzero(shapely.intersects(self.polygons, shapely.Point(lon, lat)))
        return self.codes[int(hits[0])] if len(hits) else None


class _Buckets:
    """A uniform grid of buckets listing the cells whose boxes reach into each (single lookups).

    Pure Python on purpose: for one point it beats building a shapely Point and querying a tree.
    """

    def __init__(self, polygons: np.ndarray, is_box: np.ndarray) -> None:
        self.size = (1, 1)
        self.buckets: list[tuple[tuple, ...]] = [()]
        self.frame = (0.0, 0.0, -1.0, -1.0)
        if not len(polygons):
            return
        bounds = shapely.bounds(polygons)
        x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
        x1, y1 = bounds[:, 2].max(), bounds[:, 3].max()
        side = float(
            np.median(np.minimum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]))
        )
        side = max(side, ((x1 - x0) * (y1 - y0) / (4 * len(polygons) + 16)) ** 0.5, 1e-9)
        nx, ny = int((x1 - x0) / side) + 1, int((y1 - y0) / side) + 1
        self.frame, self.size = (x0, y0, x1, y1), (nx, ny)
        self.scale = (nx / (x1 - x0) if x1 > x0 else 0.0, ny / (y1 - y0) if y1 > y0 else 0.0)
        lists: list[list[tuple]] = [[] for _ in range(nx * ny)]
        for i, (bx0, by0, bx1, by1) in enumerate(bounds.tolist()):
            entry = (i, bx0, by0, bx1, by1, None if is_box[i] else polygons[i])
            ix0, iy0 = self._bucket(bx0, by0)
            ix1, iy1 = self._bucket(bx1, by1)
            for iy in range(iy0, iy1 + 1):
                for ix in range(ix0, ix1 + 1):
                    lists[iy * nx + ix].append(entry)
        self.buckets = [tuple(b) for b in lists]

    def _bucket(self, lon: float, lat: float) -> tuple[int, int]:
        ix = min(int((lon - self.frame[0]) * self.scale[0]), self.size[0] - 1)
        iy = min(int((lat - self.frame[1]) * self.scale[1]), self.size[1] - 1)
        return ix, iy

    def find(self, lon: float, lat: float) -> int:
        x0, y0, x1, y1 = self.frame
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):  # also refuses NaN
            return -1
        ix, iy = self._bucket(lon, lat)
        for i, bx0, by0, bx1, by1, shape in self.buckets[iy * self.size[0] + ix]:
            inside = bx0 <= lon <= bx1 and by0 <= lat <= by1
            if inside and (shape is None or shapely.intersects_xy(shape, lon, lat)):
                return i
        return -1


def load_grid_index(session: Session, tenant_id: int, token: str | None = None) -> GridIndex:
    """Build the index of a tenant's cells from the database."""
    rows = session.execute(
        select(UnitGridCell.code, UnitGridCell.geometry).where(UnitGridCell.tenant_id == tenant_id)
    ).all()
    codes = [code for code, _ in rows]
    polygons = shapely.from_wkb([wkb for _, wkb in rows]) if rows else np.array([], dtype=object)
    return GridIndex(codes, polygons, token=token)


def revision_token(session: Session, tenant_id: int) -> str | None:
    """The tenant's current geo revision token (None before its first geo write)."""
    return session.scalar(select(GeoRevision.token).where(GeoRevision.tenant_id == tenant_id))


class GridIndexCache:
    """One GridIndex per tenant, rebuilt only when the tenant's geo revision token changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._indexes: dict[int, GridIndex] = {}
        self._builders: dict[int, threading.Lock] = {}

    def get(self, session: Session, tenant_id: int) -> GridIndex:
        token = revision_token(session, tenant_id)
        cached = self._indexes.get(tenant_id)
        if cached is not None and cached.token == token:
            return cached
        with self._lock:
            builder = self._builders.setdefault(tenant_id, threading.Lock())
        with builder:  # one build per tenant at a time; the others wait and reuse it
            cached = self._indexes.get(tenant_id)
            if cached is not None and cached.token == token:
                return cached
            index = load_grid_index(session, tenant_id, token)
            with self._lock:
                self._indexes[tenant_id] = index
            return index

    def invalidate(self, tenant_id: int) -> None:
        with self._lock:
            self._indexes.pop(tenant_id, None)
