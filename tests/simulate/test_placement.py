"""Fleet placement: deterministic for a seed, realistic counts per district and kind, inside
the cells it names, at street, district and city scale."""

from __future__ import annotations

import pytest
import shapely

from smartcity.sensing.device_types import DeviceKind
from smartcity.simulate.density import district_counts
from smartcity.simulate.placement import Scale, census, default_area, place_fleet


def test_the_same_seed_places_the_same_fleet(small_map):
    assert place_fleet(small_map, "district", 5) == place_fleet(small_map, "district", 5)


def test_another_seed_moves_the_devices_but_keeps_their_ids(small_map):
    one, other = place_fleet(small_map, "district", 5), place_fleet(small_map, "district", 6)
    assert [d.device_id for d in one] == [d.device_id for d in other]
    assert [(d.lon, d.lat) for d in one] != [(d.lon, d.lat) for d in other]


def test_city_scale_places_each_district_its_counts_of_every_kind(small_map):
    fleet = place_fleet(small_map, Scale.CITY, 1)
    counts = census(fleet)
    assert {d for d, _ in counts} == set(small_map.land_km2)
    for district, land in small_map.land_km2.items():
        for kind, expected in district_counts(district, land).items():
            assert counts[(district, kind)] == expected
    assert len({d.device_id for d in fleet}) == len(fleet)


def test_the_whole_demo_city_holds_tens_of_thousands_of_devices(demo_map):
    fleet = place_fleet(demo_map, "city", 2014)
    assert 40_000 <= len(fleet) <= 80_000
    counts = census(fleet)
    # Pudong (5.7 M residents) has far more streetlights than Huangpu (0.66 M).
    assert (
        counts[("310115", DeviceKind.STREETLIGHT)] > 5 * counts[("310101", DeviceKind.STREETLIGHT)]
    )
    # Chongming (1,185 km², few people) has more water buoys than Jing'an (37 km²).
    assert (
        counts[("310151", DeviceKind.WATER_QUALITY_BUOY)]
        > counts[("310106", DeviceKind.WATER_QUALITY_BUOY)]
    )


def test_district_scale_covers_one_district_with_every_kind(small_map):
    fleet = place_fleet(small_map, "district", 1, "310104")
    assert {d.district for d in fleet} == {"310104"}
    counts = census(fleet)
    assert counts == {
        ("310104", kind): n
        for kind, n in district_counts("310104", small_map.land_km2["310104"]).items()
    }


def test_street_scale_covers_one_street_with_at_least_one_of_every_kind(demo_map):
    street = default_area(demo_map, Scale.STREET)
    fleet = place_fleet(demo_map, "street", 1)
    assert street is not None and {d.street for d in fleet} == {street}
    assert {d.kind for d in fleet} == set(DeviceKind)
    assert 50 < len(fleet) < len(place_fleet(demo_map, "district", 1)) / 3


def test_every_device_stands_inside_the_cell_it_names(small_map):
    shapes = dict(zip(small_map.codes, small_map.polygons, strict=True))
    for d in place_fleet(small_map, "city", 3):
        assert shapely.contains_xy(shapes[d.cell], d.lon, d.lat), d


@pytest.mark.parametrize(("scale", "area"), [("district", "999999"), ("street", "310101")])
def test_an_area_the_city_lacks_is_refused(small_map, scale, area):
    with pytest.raises(ValueError, match="in this city"):
        place_fleet(small_map, scale, 1, area)
