"""Geo-queries (GS CIM 009 clause 4.10): validation, relations and distances around Shanghai."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcity.context.query import GeoQuery, GeoQuerySyntaxError, GeoRel, parse_geoquery
from smartcity.context.query.geodesy import point_distance_m

A, F = 6378137.0, 1 / 298.257223563
E2 = F * (2 - F)
SQUARE = (121.4737, 31.2304)  # People's Square, Shanghai
BOX = "[[[121.46,31.22],[121.49,31.22],[121.49,31.24],[121.46,31.24],[121.46,31.22]]]"


def meridian_radius(lat: float) -> float:
    return A * (1 - E2) / (1 - E2 * math.sin(math.radians(lat)) ** 2) ** 1.5


def normal_radius(lat: float) -> float:
    return A / math.sqrt(1 - E2 * math.sin(math.radians(lat)) ** 2)


def north_of(point: tuple[float, float], metres: float) -> list[float]:
    """The point ``metres`` due north, from the ellipsoid's local radius (exact at this scale)."""
    lon, lat = point
    return [lon, lat + math.degrees(metres / meridian_radius(lat))]


def east_of(point: tuple[float, float], metres: float) -> list[float]:
    lon, lat = point
    return [lon + math.degrees(metres / (normal_radius(lat) * math.cos(math.radians(lat)))), lat]


def pt(coordinates: list[float]) -> dict:
    return {"type": "Point", "coordinates": coordinates}


def polygon(*ring: tuple[float, float]) -> dict:
    return {"type": "Polygon", "coordinates": [[list(p) for p in (*ring, ring[0])]]}


# Distances.


def test_textbook_distances_on_the_equator():
    assert point_distance_m(0, 0, 1, 0) == pytest.approx(111_319.49, abs=0.01)  # a·π/180
    assert point_distance_m(0, 0, 0, 1) == pytest.approx(110_574.4, abs=0.5)


def test_a_degree_of_latitude_at_shanghai_matches_the_meridian_radius():
    expected = meridian_radius(31.0) * math.pi / 180
    assert point_distance_m(121.47, 30.5, 121.47, 31.5) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("metres", [10, 1_000, 20_000])
def test_distances_around_peoples_square_are_exact_to_a_part_in_ten_thousand(metres):
    lon, lat = SQUARE
    assert point_distance_m(lon, lat, *north_of(SQUARE, metres)) == pytest.approx(metres, rel=1e-4)
    assert point_distance_m(lon, lat, *east_of(SQUARE, metres)) == pytest.approx(metres, rel=1e-4)


def test_the_ellipsoid_and_the_mean_sphere_agree_to_half_a_percent_shanghai_to_beijing():
    lon1, lat1, lon2, lat2 = 121.4737, 31.2304, 116.4074, 39.9042
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    haversine = 2 * 6_371_008.8 * math.asin(math.sqrt(h))
    assert point_distance_m(lon1, lat1, lon2, lat2) == pytest.approx(haversine, rel=0.005)
    assert 1_060_000 < haversine < 1_075_000


# near (clause 4.10: within / disjoint with the buffer of the given distance).


@pytest.mark.parametrize(("offset", "inside"), [(997, True), (1003, False)])
def test_near_max_and_min_distance_around_peoples_square(offset, inside):
    near_max = parse_geoquery("near;maxDistance==1000", "Point", list(SQUARE))
    near_min = parse_geoquery("near;minDistance==1000", "Point", "[121.4737, 31.2304]")
    for target in (north_of(SQUARE, offset), east_of(SQUARE, offset)):
        assert near_max.matches(pt(target)) is inside
        assert near_min.matches(pt(target)) is not inside


@given(st.floats(min_value=-0.05, max_value=0.05), st.floats(min_value=-0.05, max_value=0.05))
def test_max_and_min_distance_of_the_same_radius_split_the_plane(d_lon, d_lat):
    target = pt([SQUARE[0] + d_lon, SQUARE[1] + d_lat])
    near_max = parse_geoquery("near;maxDistance==3000", "Point", list(SQUARE))
    near_min = parse_geoquery("near;minDistance==3000", "Point", list(SQUARE))
    assert near_max.matches(target) != near_min.matches(target)


def test_near_measures_to_the_closest_point_of_a_line():
    # The probe is ~1 km from the line's end but ~557 km from its first position.
    line = "[[0,60],[10,60]]"
    assert parse_geoquery("near;maxDistance==2000", "LineString", line).matches(pt([10, 60.009]))
    far = "[[0,61],[10,61]]"
    assert not parse_geoquery("near;maxDistance==2000", "LineString", far).matches(pt([10, 60.009]))


def test_near_picks_the_metrically_closest_point_at_high_latitude():
    # From [0,85]: the end [1,85] is ~9.7 km away, [0,85.6] ~67 km; the segment comes ~9.6 km near.
    probe = {"type": "LineString", "coordinates": [[1, 85], [0, 85.6]]}
    assert parse_geoquery("near;maxDistance==20000", "Point", "[0,85]").matches(probe)
    assert not parse_geoquery("near;maxDistance==5000", "Point", "[0,85]").matches(probe)
    assert not parse_geoquery("near;maxDistance==9500", "Point", "[0,85]").matches(probe)
    assert parse_geoquery("near;maxDistance==9700", "Point", "[0,85]").matches(probe)


def test_near_a_polygon_is_zero_distance_inside_it():
    inside = pt(list(SQUARE))
    assert parse_geoquery("near;maxDistance==1", "Polygon", BOX).matches(inside)
    assert not parse_geoquery("near;minDistance==1", "Polygon", BOX).matches(inside)


# Topological relations (clause 4.10, OGC Simple Features DE-9IM).

INSIDE = pt(list(SQUARE))
OUTSIDE = pt([121.5, 31.3])
HUANGPU = polygon((121.45, 31.21), (121.51, 31.21), (121.51, 31.25), (121.45, 31.25))
HALF_OVER = polygon((121.48, 31.23), (121.52, 31.23), (121.52, 31.26), (121.48, 31.26))
SMALL = polygon((121.47, 31.225), (121.48, 31.225), (121.48, 31.235), (121.47, 31.235))
ROAD = {"type": "LineString", "coordinates": [[121.40, 31.23], [121.55, 31.23]]}
FAR_ROAD = {"type": "LineString", "coordinates": [[121.40, 31.30], [121.55, 31.30]]}
SAME_BOX_ROTATED = {
    "type": "Polygon",
    "coordinates": [
        [[121.49, 31.22], [121.49, 31.24], [121.46, 31.24], [121.46, 31.22], [121.49, 31.22]]
    ],
}


@pytest.mark.parametrize(
    ("georel", "target", "expected"),
    [
        ("within", INSIDE, True),
        ("within", OUTSIDE, False),
        ("within", SMALL, True),
        ("within", HUANGPU, False),
        ("contains", HUANGPU, True),
        ("contains", SMALL, False),
        ("intersects", ROAD, True),
        ("intersects", FAR_ROAD, False),
        ("intersects", INSIDE, True),
        ("disjoint", OUTSIDE, True),
        ("disjoint", INSIDE, False),
        ("disjoint", FAR_ROAD, True),
        ("overlaps", HALF_OVER, True),
        ("overlaps", SMALL, False),
        ("equals", SAME_BOX_ROTATED, True),
        ("equals", SMALL, False),
    ],
)
def test_relations_against_a_box_around_peoples_square(georel, target, expected):
    assert parse_geoquery(georel, "Polygon", BOX).matches(target) is expected


def test_points_relate_to_points():
    reference = parse_geoquery("equals", "Point", "[121.4737,31.2304]")
    assert reference.matches(INSIDE)
    assert parse_geoquery("contains", "Point", list(SQUARE)).matches(HUANGPU)
    assert parse_geoquery("disjoint", "Point", list(SQUARE)).matches(OUTSIDE)


def test_a_point_in_a_polygon_hole_is_not_within_it():
    holed = "[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]"
    query = parse_geoquery("within", "Polygon", holed)
    assert query.matches(pt([2, 2]))
    assert not query.matches(pt([5, 5]))


def test_multi_geometries_are_accepted_as_references():
    multi = parse_geoquery("intersects", "MultiPoint", [[121.0, 31.0], list(SQUARE)])
    assert multi.matches(HUANGPU)
    lines = parse_geoquery("intersects", "MultiLineString", [[[121.4, 31.23], [121.5, 31.23]]])
    assert lines.matches(HUANGPU)
    polygons = parse_geoquery("within", "MultiPolygon", "[" + BOX + "]")
    assert polygons.matches(INSIDE)


@pytest.mark.parametrize(
    "target",
    [
        None,
        "not json",
        {"type": "Point"},
        {"type": "Point", "coordinates": []},
        {"type": "Blob"},
        42,
    ],
)
def test_a_malformed_target_geometry_matches_nothing(target):
    assert parse_geoquery("disjoint", "Polygon", BOX).matches(target) is False


def test_a_target_given_as_json_text_is_read():
    assert parse_geoquery("within", "Polygon", BOX).matches(
        '{"type":"Point","coordinates":[121.4737,31.2304]}'
    )


# Entities and the geoproperty parameter.

STATION = {
    "id": "urn:ngsi-ld:AirQualityObserved:renmin",
    "type": "AirQualityObserved",
    "location": {"type": "GeoProperty", "value": pt(list(SQUARE))},
    "observationSpace": [
        {"type": "GeoProperty", "value": pt([121.0, 31.0]), "datasetId": "urn:ngsi-ld:Dataset:a"},
        {"type": "GeoProperty", "value": SMALL, "datasetId": "urn:ngsi-ld:Dataset:b"},
    ],
}


def test_the_default_geoproperty_is_location():
    assert parse_geoquery("within", "Polygon", BOX).matches_entity(STATION)
    assert not parse_geoquery("within", "Polygon", BOX, "observationSpace").matches_entity(
        {**STATION, "observationSpace": STATION["observationSpace"][:1]}
    )


def test_any_instance_of_a_multi_instance_geoproperty_may_match():
    assert parse_geoquery("within", "Polygon", BOX, "observationSpace").matches_entity(STATION)


def test_an_entity_without_the_geoproperty_never_matches_even_disjoint():
    assert not parse_geoquery("disjoint", "Polygon", BOX, "footprint").matches_entity(STATION)


def test_the_geoproperty_expands_like_an_attribute():
    entity = {"id": "urn:x", "type": "T", "https://example.org/footprint": STATION["location"]}
    query = parse_geoquery("within", "Polygon", BOX, "footprint")
    expanded = query.map_attributes(lambda term: "https://example.org/" + term)
    assert expanded.geoproperty == "https://example.org/footprint"
    assert expanded.matches_entity(entity)


def test_a_geo_query_is_a_value_with_a_geojson_twin():
    query = parse_geoquery(" near;maxDistance==2000 ", "Point", "[8, 40]", "observationSpace")
    assert query == GeoQuery(GeoRel.NEAR, "Point", (8, 40), "observationSpace", 2000.0)
    assert hash(query) == hash(
        parse_geoquery("near;maxDistance==2000", "Point", [8, 40], "observationSpace")
    )
    assert query.geojson == {"type": "Point", "coordinates": [8, 40]}
    assert str(query) == "near;maxDistance==2000"
    assert str(parse_geoquery("near;minDistance==0.5", "Point", [8, 40])) == "near;minDistance==0.5"
    assert str(parse_geoquery("within", "Polygon", BOX)) == "within"


def test_a_position_may_carry_an_altitude():
    assert parse_geoquery("equals", "Point", "[121.4737,31.2304,4.5]").matches(INSIDE)


# Invalid parameters (each error names its parameter).

INVALID = [
    (("near", "Point", "[8,40]"), "georel", "near takes one distance"),
    (("near;maxDistance==0", "Point", "[8,40]"), "georel", "positive"),
    (("near;maxDistance==-100", "Point", "[8,40]"), "georel", "positive"),
    (("near;maxDistance==5;minDistance==1", "Point", "[8,40]"), "georel", "exactly one distance"),
    (("near;maxDistance==inf", "Point", "[8,40]"), "georel", "positive"),
    (("near;maxDistance==1e400", "Point", "[8,40]"), "georel", "finite"),
    (("near;maxDistance=2000", "Point", "[8,40]"), "georel", "near takes one distance"),
    (("near;distance==2000", "Point", "[8,40]"), "georel", "near takes one distance"),
    (("touches", "Point", "[8,40]"), "georel", "not a geospatial relationship"),
    (("Within", "Point", "[8,40]"), "georel", "not a geospatial relationship"),
    (("within", "point", "[8,40]"), "geometry", "did you mean Point?"),
    (("within", "Circle", "[8,40]"), "geometry", "not a GeoJSON geometry type"),
    (("within", "GeometryCollection", "[]"), "geometry", "GeometryCollection is not allowed"),
    (("within", "Point", "[8,40"), "coordinates", "not a JSON array"),
    (("within", "Point", '{"x": 1}'), "coordinates", "must be a JSON array"),
    (("within", "Point", "8,40"), "coordinates", "not a JSON array such as [121.47,31.23]"),
    (("within", "Point", "[181,0]"), "coordinates", "longitude 181 is outside"),
    (("within", "Point", "[0,-90.5]"), "coordinates", "latitude -90.5 is outside"),
    (("within", "Point", "[true,1]"), "coordinates", "True is not a number"),
    (("within", "Point", '["8","40"]'), "coordinates", "'8' is not a number"),
    (("within", "Point", "[8]"), "coordinates", "[longitude, latitude]"),
    (("within", "Point", "[[8,40]]"), "coordinates", "1 level of nested arrays deep, not 2"),
    (("within", "MultiPoint", "[]"), "coordinates", "at least 1"),
    (("within", "LineString", "[[8,40]]"), "coordinates", "at least 2 positions"),
    (("within", "Polygon", "[[[0,0],[1,0],[0,0]]]"), "coordinates", "at least 4 positions"),
    (("within", "Polygon", "[[[0,0],[1,0],[1,1],[0,1]]]"), "coordinates", "closed"),
    (
        ("within", "Polygon", "[[0,0],[1,0],[1,1],[0,0]]"),
        "coordinates",
        "3 levels of nested arrays deep, not 2",
    ),
    (("within", "Point", "[" * 10 + "]" * 10), "coordinates", "nested deeper"),
    (("within", "Point", "[8,40]", "bad name"), "geoproperty", "not an attribute name"),
    (("within", "Point", "[8,40]", ""), "geoproperty", "not an attribute name"),
]


@pytest.mark.parametrize(
    ("args", "parameter", "fragment"), INVALID, ids=[str(a) for a, *_ in INVALID]
)
def test_an_invalid_geo_query_names_its_parameter(args, parameter, fragment):
    with pytest.raises(GeoQuerySyntaxError) as caught:
        parse_geoquery(*args)
    assert caught.value.parameter == parameter
    assert fragment in caught.value.message
    assert str(caught.value).startswith(f"{parameter}: ")


def test_a_bow_tie_polygon_relates_as_the_area_it_outlines():
    bow_tie = "[[[0,0],[1,1],[1,0],[0,1],[0,0]]]"
    query = parse_geoquery("within", "Polygon", bow_tie)
    assert query.matches({"type": "Point", "coordinates": [0.9, 0.5]})
    assert not query.matches({"type": "Point", "coordinates": [0.5, 0.9]})
    same = parse_geoquery("equals", "Polygon", bow_tie)
    assert same.matches(
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    )


def test_too_many_positions_are_refused():
    ring = [[0.0, 0.0]] + [[i * 1e-4, 1.0] for i in range(50_001)] + [[0.0, 0.0]]
    with pytest.raises(GeoQuerySyntaxError, match="more than 50000 positions"):
        parse_geoquery("within", "Polygon", [ring])


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(
        ["within", "near;maxDistance==10", "near;minDistance==1e3", "equals", "nearby"]
    ),
    st.sampled_from(
        ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"]
    ),
    st.text(alphabet="[],.-0123456789e ", max_size=60),
)
def test_arbitrary_coordinates_only_ever_raise_geo_query_syntax_error(georel, geometry, text):
    try:
        query = parse_geoquery(georel, geometry, text)
    except GeoQuerySyntaxError:
        return
    assert query.matches(pt(list(SQUARE))) in (True, False)


positions = st.lists(
    st.tuples(st.floats(-180, 180), st.floats(-90, 90)).map(list), min_size=1, max_size=6
)


@settings(max_examples=300, deadline=None)
@given(
    positions, st.sampled_from(["near;maxDistance==5000", "near;minDistance==5000", "intersects"])
)
def test_any_target_line_or_point_set_is_matched_without_error(coordinates, georel):
    query = parse_geoquery(georel, "Polygon", BOX)
    for target in (
        {"type": "MultiPoint", "coordinates": coordinates},
        {"type": "LineString", "coordinates": coordinates},
    ):
        assert query.matches(target) in (True, False)
