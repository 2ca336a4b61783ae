"""Point → cell lookup: the index agrees with brute force, edges included."""

from __future__ import annotations

import numpy as np
import shapely

from smartcity.geo.index import GridIndex


def _index(city):
    return GridIndex([c.code for c in city.cells], [c.geometry for c in city.cells])


def _brute(index, lons, lats):
    return np.array(
        [
            index.codes.index(c) if (c := index.brute_force(x, y)) else -1
            for x, y in zip(lons, lats, strict=True)
        ]
    )


def test_locate_many_agrees_with_brute_force_on_random_points(small_city):
    index = _index(small_city)
    rng = np.random.default_rng(3)
    x0, y0, x1, y1 = shapely.total_bounds(index.polygons)
    lons, lats = rng.uniform(x0 - 0.05, x1 + 0.05, 3000), rng.uniform(y0 - 0.05, y1 + 0.05, 3000)
    found = index.locate_many(lons, lats)
    assert (found >= 0).any() and (found < 0).any()
    assert (found == _brute(index, lons, lats)).all()
    singles = [index.locate(x, y) for x, y in zip(lons, lats, strict=True)]
    assert singles == [index.codes[i] if i >= 0 else None for i in found]


def test_points_on_shared_edges_and_corners_go_to_the_lowest_code(small_city):
    index = _index(small_city)
    corners = shapely.get_coordinates(index.polygons[:200])
    edges = (corners[:-1] + corners[1:]) / 2  # midpoints of edges (and a few diagonals)
    points = np.vstack([corners, edges])
    found = index.locate_many(points[:, 0], points[:, 1])
    assert (found == _brute(index, points[:, 0], points[:, 1])).all()
    for (lon, lat), i in zip(points[:50], found[:50], strict=True):
        holders = [k for k, p in enumerate(index.polygons) if p.intersects(shapely.Point(lon, lat))]
        assert i == min(holders)
        assert index.locate(lon, lat) == index.codes[i]


def test_cells_of_any_shape_are_tested_by_their_geometry_not_their_box():
    triangle = shapely.Polygon([(0, 0), (2, 0), (0, 2)])
    square = shapely.box(2, 0, 3, 1)
    index = GridIndex(["2", "1"], [square, triangle])
    assert index.codes == ["1", "2"]
    assert index.locate(0.5, 0.5) == "1"
    assert index.locate(1.5, 1.5) is None  # inside the triangle's box, outside the triangle
    assert index.locate(2.0, 0.0) == "1"  # the shared corner goes to the lower code
    assert index.locate(2.5, 0.5) == "2"
    assert list(index.locate_many(np.array([0.5, 1.5, 2.5]), np.array([0.5, 1.5, 0.5]))) == [
        0,
        -1,
        1,
    ]


def test_an_empty_index_and_nan_points_find_nothing():
    empty = GridIndex([], [])
    assert empty.locate(121.4, 31.2) is None
    assert list(empty.locate_many(np.array([1.0]), np.array([2.0]))) == [-1]
    index = GridIndex(["1"], [shapely.box(0, 0, 1, 1)])
    assert index.locate(float("nan"), 0.5) is None
    assert list(index.locate_many(np.array([np.nan, 0.5]), np.array([0.5, 0.5]))) == [-1, 0]
