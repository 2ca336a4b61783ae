"""Importing GeoJSON into the database: upsert by code, all or nothing, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from smartcity.core.errors import ValidationFailed
from smartcity.geo import service
from smartcity.geo.models import District, Street
from smartcity.security.models import AuditEntry
from tests.geo.factories import collection, feature, square

BOW_TIE = [[[121.4, 31.2], [121.41, 31.21], [121.41, 31.2], [121.4, 31.21], [121.4, 31.2]]]


def _districts(platform, session, admin):
    return service.import_geojson(
        session,
        platform.clock,
        admin,
        data=collection(
            feature("310101", square(121.4, 31.2, 0.1)), feature("310104", square(121.3, 31.1, 0.1))
        ),
        level="district",
    )


def test_an_import_creates_then_updates_by_code_and_is_audited(platform, session, admin):
    first = _districts(platform, session, admin)
    assert first.created == ["310101", "310104"]
    renamed = feature("310101", square(121.4, 31.2, 0.1), name_zh="黄浦区")
    second = service.import_geojson(
        session, platform.clock, admin, data=collection(renamed), level="district"
    )
    assert (second.created, second.updated) == ([], ["310101"])
    row = service.get_area(session, admin, level="district", code="310101")
    assert row.name_zh == "黄浦区"
    assert row.area_m2 == pytest.approx(1.05e8, rel=0.1)  # 0.1° × 0.1° near 31°N
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "geo.import")).all()
    assert [e.after["updated"] for e in entries] == [0, 1]


def test_streets_need_their_district_and_a_failed_import_changes_nothing(platform, session, admin):
    _districts(platform, session, admin)
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    data = collection(
        feature("310101001", square(121.4, 31.2, 0.05)),
        feature("310199001", square(121.45, 31.2, 0.05)),
    )
    with pytest.raises(ValidationFailed) as caught:
        service.import_geojson(session, platform.clock, admin, data=data, level="street")
    assert caught.value.field == "features[1].properties.code"
    assert "district 310199 does not exist" in caught.value.message
    assert session.scalar(select(func.count()).select_from(Street)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_a_repaired_bow_tie_is_stored_valid_and_reported(platform, session, admin):
    report = service.import_geojson(
        session,
        platform.clock,
        admin,
        data=collection(feature("310101", BOW_TIE)),
        level="district",
    )
    assert [(r.index, r.code) for r in report.repaired] == [(0, "310101")]
    assert "repaired feature 0 (310101): Self-intersection" in report.summary()
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "geo.import"))
    assert entry.after["repaired"][0]["code"] == "310101"


def test_a_cell_outside_its_community_is_imported_with_a_warning(
    platform, session, admin, loaded_city
):
    community = loaded_city.communities[0]
    far = feature(community.code + "999", square(100.0, 20.0, 0.001))
    report = service.import_geojson(
        session, platform.clock, admin, data=collection(far), level="grid", grids=platform.grids
    )
    assert report.created == [community.code + "999"]
    assert "lies inside its community" in report.warnings[0]
    assert service.locate(session, platform.grids, admin, 100.0005, 20.0005).cell.code == (
        community.code + "999"
    )


def test_imports_are_per_tenant(platform, session, admin, other_tenant_admin):
    _districts(platform, session, admin)
    report = service.import_geojson(
        session,
        platform.clock,
        other_tenant_admin,
        data=collection(feature("310101", square(120.6, 31.3, 0.1))),
        level="district",
    )
    assert report.created == ["310101"]  # the same code in another tenant is another area
    assert session.scalar(select(func.count()).select_from(District)) == 3
