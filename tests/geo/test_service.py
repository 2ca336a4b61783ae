"""The city model's service: lists, lookups, the demo loader and tenant isolation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from smartcity.core.errors import Conflict, NotFound, ValidationFailed
from smartcity.geo import service
from smartcity.geo.index import GridIndexCache
from smartcity.geo.layout import generate_shanghai
from smartcity.security.models import AuditEntry


def test_loading_the_demo_city_twice_changes_nothing_the_second_time(
    platform, session, admin, small_city
):
    first = service.load_demo_city(session, platform.clock, admin, small_city)
    assert len(first.created) == sum(
        len(small_city.features(level)) for level in ("district", "street", "community", "cell")
    )
    again = service.load_demo_city(session, platform.clock, admin, small_city)
    assert (again.created, again.updated, again.removed, again.changed) == ([], [], 0, False)
    summary = service.city_summary(session, admin.tenant_id)
    assert summary["districts"] == 16
    assert summary["cells"] == len(small_city.cells)
    assert summary["departments"] == len(small_city.streets)
    assert summary["approximate"] is True
    loads = session.scalar(select(func.count()).where(AuditEntry.action == "geo.load_demo"))
    assert loads == 1


def test_loading_a_different_layout_replaces_the_generated_one(
    platform, session, admin, small_city
):
    service.load_demo_city(session, platform.clock, admin, small_city)
    bigger = generate_shanghai(cells=1500, streets=40, seed=7)
    report = service.load_demo_city(session, platform.clock, admin, bigger)
    assert report.removed > 0
    assert service.city_summary(session, admin.tenant_id)["cells"] == len(bigger.cells)


def test_the_demo_city_refuses_to_overwrite_imported_areas(platform, session, admin, small_city):
    district = small_city.feature_collection("district")["features"][0]
    district["properties"]["source"] = "survey 2016"
    service.import_geojson(
        session,
        platform.clock,
        admin,
        data={"type": "FeatureCollection", "features": [district]},
        level="district",
    )
    with pytest.raises(Conflict):
        service.load_demo_city(session, platform.clock, admin, small_city)


def test_lists_narrow_by_parent_and_page(session, admin, loaded_city):
    streets, total = service.list_areas(session, admin, level="street", district="310115")
    assert total == len(streets) > 1
    assert all(s.code.startswith("310115") for s in streets)
    street = streets[0].code
    cells, total = service.list_areas(session, admin, level="cell", street=street, limit=3)
    assert len(cells) == 3
    assert total == sum(c.code.startswith(street) for c in loaded_city.cells)
    page2, _ = service.list_areas(session, admin, level="cell", street=street, limit=3, offset=3)
    assert [c.code for c in cells + page2] == sorted(c.code for c in cells + page2)
    assert not {c.code for c in cells} & {c.code for c in page2}


def test_a_malformed_filter_is_a_validation_error(session, admin, loaded_city):
    with pytest.raises(ValidationFailed) as caught:
        service.list_areas(session, admin, level="cell", district="3101")
    assert caught.value.field == "district"
    with pytest.raises(ValidationFailed):
        service.list_areas(session, admin, level="street", community="310101001001")


def test_locate_names_the_cell_community_street_and_district(platform, session, admin, loaded_city):
    seat = next(d for d in loaded_city.districts if d.code == "310101").properties["seat"]
    found = service.locate(session, platform.grids, admin.tenant_id, *seat)
    assert found.district.code == "310101"
    assert found.district.name_zh == "黄浦区"
    assert found.cell.code.startswith(found.community.code)
    assert found.community.code.startswith(found.street.code)
    with pytest.raises(NotFound, match="no unit grid cell"):
        service.locate(session, platform.grids, admin.tenant_id, 0.0, 0.0)
    with pytest.raises(ValidationFailed):
        service.locate(session, platform.grids, admin.tenant_id, 181.0, 31.0)


def test_the_index_cache_rebuilds_only_when_the_city_changes(platform, session, admin, small_city):
    cache = GridIndexCache()
    empty = cache.get(session, admin.tenant_id)
    assert len(empty) == 0
    assert cache.get(session, admin.tenant_id) is empty
    service.load_demo_city(session, platform.clock, admin, small_city)
    loaded = cache.get(session, admin.tenant_id)
    assert len(loaded) == len(small_city.cells)
    assert cache.get(session, admin.tenant_id) is loaded
    cache.invalidate(admin.tenant_id)
    assert cache.get(session, admin.tenant_id) is not loaded


def test_another_tenant_sees_none_of_the_city(platform, session, other_tenant_admin, loaded_city):
    suzhou = other_tenant_admin
    assert service.list_areas(session, suzhou, level="district") == ([], 0)
    assert service.list_areas(session, suzhou, level="cell", limit=10) == ([], 0)
    with pytest.raises(NotFound):
        service.get_area(session, suzhou, level="district", code="310101")
    with pytest.raises(NotFound):
        service.get_area(session, suzhou, level="cell", code=loaded_city.cells[0].code)
    seat = loaded_city.districts[0].properties["seat"]
    with pytest.raises(NotFound):
        service.locate(session, platform.grids, suzhou.tenant_id, *seat)
    assert service.city_summary(session, suzhou)["cells"] == 0
