"""The generated demo Shanghai: real districts, generated boundaries, consistent codes."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import shapely

from smartcity.geo.layout import GENERATED_SOURCE, generate_shanghai

CSV = Path(__file__).parents[2] / "src/smartcity/geo/data/districts.csv"


def test_the_sixteen_districts_keep_their_codes_and_names_from_the_csv(small_city):
    rows = {r["code"]: r for r in csv.DictReader(CSV.open(encoding="utf-8"))}
    assert len(small_city.districts) == 16
    for district in small_city.districts:
        assert district.name_zh == rows[district.code]["name_zh"]
        assert district.name_en == rows[district.code]["name_en"]


def test_each_district_holds_its_own_seat(small_city):
    for district in small_city.districts:
        seat = shapely.Point(district.properties["seat"])
        assert district.geometry.intersects(seat), district.code


def test_district_areas_follow_the_land_areas(small_city):
    for district in small_city.districts:
        land = district.properties["land_area_km2"]
        generated = district.measures()["area_m2"] / 1e6
        assert abs(generated - land) / land < 0.45, (district.code, generated, land)


def test_chongming_is_an_island():
    city = generate_shanghai(cells=600, streets=32)
    chongming = next(d for d in city.districts if d.code == "310151")
    mainland = shapely.union_all([d.geometry for d in city.districts if d.code != "310151"])
    assert chongming.geometry.distance(mainland) > 0.01  # about a kilometre of water


def test_every_code_is_prefixed_by_its_parents_and_has_the_right_length(small_city):
    levels = [
        (small_city.districts, 6, None),
        (small_city.streets, 9, small_city.districts),
        (small_city.communities, 12, small_city.streets),
        (small_city.cells, 15, small_city.communities),
    ]
    for features, length, parents in levels:
        codes = [f.code for f in features]
        assert len(set(codes)) == len(codes)
        assert all(len(c) == length and c.isdigit() for c in codes)
        if parents is not None:
            parent_codes = {p.code for p in parents}
            assert {c[: length - 3] for c in codes} == parent_codes  # no childless parent


def test_cells_are_valid_and_do_not_overlap(small_city):
    cells = np.array([c.geometry for c in small_city.cells])
    assert shapely.is_valid(cells).all()
    union = shapely.union_all(cells)
    assert abs(union.area - shapely.area(cells).sum()) < 1e-12 * union.area + 1e-15
    tree = shapely.STRtree(cells)
    assert tree.query(cells, predicate="overlaps").size == 0


def test_cells_tile_their_community_street_and_district(small_city):
    for parents in (small_city.communities, small_city.streets, small_city.districts):
        for parent in parents[:: max(1, len(parents) // 12)]:
            inside = [c.geometry for c in small_city.cells if c.code.startswith(parent.code)]
            assert shapely.union_all(inside).symmetric_difference(parent.geometry).area < 1e-12


def test_the_layout_is_deterministic_for_a_seed_and_differs_between_seeds():
    first = generate_shanghai(cells=600, streets=32, seed=11)
    again = generate_shanghai(cells=600, streets=32, seed=11)
    other = generate_shanghai(cells=600, streets=32, seed=12)
    assert [(c.code, c.geometry.wkb) for c in first.cells] == [
        (c.code, c.geometry.wkb) for c in again.cells
    ]
    assert [(c.code, c.geometry.wkb) for c in first.cells] != [
        (c.code, c.geometry.wkb) for c in other.cells
    ]


def test_asking_for_more_cells_gives_at_least_that_many():
    city = generate_shanghai(cells=2500, streets=60)
    assert 2500 <= len(city.cells) < 2500 * 1.2
    assert len(city.streets) == 60


def test_every_feature_says_it_is_generated_and_approximate(small_city):
    for level in ("district", "street", "community", "cell"):
        collection = small_city.feature_collection(level)
        assert collection["type"] == "FeatureCollection"
        for feature in collection["features"]:
            assert feature["properties"]["approximate"] is True
            assert feature["properties"]["source"] == GENERATED_SOURCE


def test_street_names_are_generated_labels(small_city):
    first = small_city.streets[0]
    assert first.code == "310101001"
    assert first.name_zh == "黄浦区第1街道"
    assert first.name_en == "Huangpu Street 1"
    assert any(s.name_en.startswith("Pudong New Area Town") for s in small_city.streets)
    assert len(small_city.departments) == len(small_city.streets)
