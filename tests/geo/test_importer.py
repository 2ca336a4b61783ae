"""Reading GeoJSON for import: every bad input names its feature and field; safe repairs only."""

from __future__ import annotations

import pytest

from smartcity.core.errors import ValidationFailed
from smartcity.geo.importer import parse_level, read_feature_collection
from tests.geo.factories import collection, feature, square

BOW_TIE = [[[121.0, 31.0], [121.01, 31.01], [121.01, 31.0], [121.0, 31.01], [121.0, 31.0]]]


def refused(data, level="district"):
    with pytest.raises(ValidationFailed) as caught:
        read_feature_collection(data, level=level)
    return caught.value


def test_a_good_collection_reads_with_names_codes_and_extra_properties():
    parsed = read_feature_collection(
        collection(feature("310101", square(121.4, 31.2), population=650000)), level="district"
    )
    (area,) = parsed.features
    assert (area.code, area.name_zh, area.name_en) == ("310101", "区域310101", "Area 310101")
    assert area.properties == {"population": 650000}
    assert parsed.repaired == [] and parsed.warnings == []


def test_levels_accept_grid_and_refuse_unknown_names():
    assert parse_level("grid") == "cell"
    assert parse_level("Street") == "street"
    assert refused(collection(feature("310101", square(121, 31))), level="county").field == "level"


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (b"{not json", "body", "not JSON"),
        (b"[1, 2]", "type", "FeatureCollection"),
        ({"type": "Feature"}, "type", "FeatureCollection"),
        ({"type": "FeatureCollection"}, "features", "features"),
        ({"type": "FeatureCollection", "features": []}, "features", "no features"),
        (
            {
                **collection(feature("310101", square(121, 31))),
                "crs": {"properties": {"name": "EPSG:3857"}},
            },
            "crs",
            "WGS 84",
        ),
    ],
)
def test_a_file_that_is_not_a_feature_collection_is_refused_clearly(data, field, words):
    error = refused(data)
    assert error.field == field
    assert words in error.message


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        (feature(None, square(121, 31)), "properties.code", "no 'code'"),
        (
            feature("31010", square(121, 31)),
            "properties.code",
            "has 5 digits; a district code has 6",
        ),
        (feature("31010x", square(121, 31)), "properties.code", "digits only"),
        (feature("310101", square(121, 31), name_zh=None, name=None), "properties.name_zh", "name"),
        (feature("310101", [[121, 31]], kind="Point"), "geometry.type", "not Point"),
        (feature("310101", square(200, 31)), "geometry.coordinates", "outside longitude"),
        (feature("310101", square(121, 95)), "geometry.coordinates", "latitude"),
        (
            feature("310101", [[[121, 31], [122, 31], [121, 32]]]),
            "geometry.coordinates",
            "4 positions",
        ),
        (
            feature("310101", [[[121, 31], [122, 31], [122, 32], [121, 32]]]),
            "geometry.coordinates",
            "not closed",
        ),
        (
            feature("310101", [[[121, 31], ["a", 31], [122, 32], [121, 31]]]),
            "geometry.coordinates",
            "numbers",
        ),
        (
            feature("310101", [[[121, 31], [121.01, 31.01], [121.02, 31.02], [121, 31]]]),
            "geometry",
            "no area",
        ),
        (
            {"type": "Feature", "geometry": None, "properties": {"code": "310101", "name": "x"}},
            "geometry",
            "no geometry",
        ),
        ("not a feature", "type", "Feature"),
        (feature("310101", square(121, 31), name_zh="黄浦\x00区"), "properties.name_zh", "NUL"),
        (feature("310101", square(121, 31), note="a\x00b"), "properties", "NUL"),
        (
            feature("310101", [[[121, 31], [10**400, 31], [122, 32], [121, 31]]]),
            "geometry.coordinates",
            "numbers",
        ),
    ],
)
def test_each_bad_feature_is_refused_with_its_index_field_and_reason(bad, field, words):
    good = feature("310104", square(121.4, 31.2))
    error = refused(collection(good, bad))
    assert error.field == f"features[1].{field}"
    assert words in error.message
    assert error.details[0]["index"] == 1
    assert error.details[0]["field"] == field


def test_every_problem_of_a_file_is_listed_not_only_the_first():
    error = refused(
        collection(
            feature("1", square(121, 31)),
            feature("310101", square(121, 31)),
            feature("310101", square(121.1, 31)),
            feature("310104", square(121, 95)),
        )
    )
    assert [(d["index"], d["field"]) for d in error.details] == [
        (0, "properties.code"),
        (2, "properties.code"),
        (3, "geometry.coordinates"),
    ]
    assert "repeats feature 1" in error.details[1]["message"]
    assert error.message.startswith("3 of 4 features are invalid, nothing was imported")


def test_a_parent_code_that_contradicts_the_prefix_is_refused():
    error = refused(
        collection(feature("310101001", square(121, 31), parent_code="310104")), level="street"
    )
    assert error.field == "features[0].properties.parent_code"


def test_a_bow_tie_is_repaired_and_reported():
    parsed = read_feature_collection(collection(feature("310101", BOW_TIE)), level="district")
    (repair,) = parsed.repaired
    assert (repair.index, repair.code) == (0, "310101")
    assert repair.reason.startswith("Self-intersection")
    (area,) = parsed.features
    assert area.geometry.is_valid
    assert area.geometry.area == pytest.approx(0.0001 / 2)  # both lobes kept


def test_overlapping_parts_are_not_repaired_because_the_area_would_change():
    overlapping = [square(121.0, 31.0), square(121.005, 31.0)]
    error = refused(collection(feature("310101", overlapping, kind="MultiPolygon")))
    assert error.field == "features[0].geometry"
    assert "cannot be repaired safely" in error.message
    assert "Self-intersection" in error.message


def test_a_hole_outside_its_shell_is_not_repaired():
    rings = [square(121.0, 31.0)[0], square(121.02, 31.0)[0]]
    error = refused(collection(feature("310101", rings)))
    assert "Hole lies outside shell" in error.message


def test_features_that_overlap_each_other_are_warned_about():
    parsed = read_feature_collection(
        collection(
            feature("310101", square(121.0, 31.0)), feature("310104", square(121.005, 31.0))
        ),
        level="district",
    )
    assert parsed.warnings == ["features 0 (310101) and 1 (310104) overlap"]


def test_grid_cells_may_be_unnamed_and_get_a_label():
    cell = feature("310101001001001", square(121, 31, 0.001))
    del cell["properties"]["name_zh"], cell["properties"]["name_en"]
    parsed = read_feature_collection(collection(cell), level="grid")
    assert parsed.features[0].name_zh == "单元网格 310101001001001"
