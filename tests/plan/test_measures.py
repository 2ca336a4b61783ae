"""Live measures follow the data of the other parts: devices registered and retired, the city
model loaded, air-quality readings written, projects completed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smartcity.geo import service as geo
from smartcity.geo.layout import generate_shanghai
from smartcity.plan import service
from smartcity.plan.measures import MEASURES, Period
from smartcity.sensing import service as sensing
from smartcity.sensing.device_types import DeviceKind
from tests.sensing.ingest_fixtures import ingest_items, iso, register

pytestmark = pytest.mark.usefixtures("programme")


def _measure(platform, tenant_id, code, period=None):
    with platform.db.session() as session:
        indicator = service.get_indicator(session, tenant_id, code)
        return service.measured(session, platform, indicator, period)


def test_public_wifi_counts_active_access_points_in_the_registry(platform, admin, tenant_id):
    assert _measure(platform, tenant_id, "public-wifi-access-points").value == 0
    for n in range(3):
        register(platform, admin, f"AP-{n}", DeviceKind.WIFI_ACCESS_POINT)
    register(platform, admin, "AQ-0", DeviceKind.AIR_QUALITY_STATION)
    assert _measure(platform, tenant_id, "public-wifi-access-points").value == 3
    with platform.db.session() as session:
        sensing.retire_device(session, platform, admin, device_id="AP-1")
    assert _measure(platform, tenant_id, "public-wifi-access-points").value == 2


def test_wifi_of_another_tenant_is_not_counted(platform, admin, other_tenant_admin, tenant_id):
    register(platform, other_tenant_admin, "AP-9", DeviceKind.WIFI_ACCESS_POINT)
    assert _measure(platform, tenant_id, "public-wifi-access-points").value == 0


def test_grid_coverage_is_the_share_of_the_city_area_in_unit_grid_cells(platform, admin, tenant_id):
    before = _measure(platform, tenant_id, "grid-management-coverage")
    assert before.available is False and "no districts" in before.reason
    layout = generate_shanghai(cells=100, streets=16, seed=7)
    with platform.db.session() as session:
        geo.load_demo_city(session, platform.clock, admin, layout)
    after = _measure(platform, tenant_id, "grid-management-coverage")
    with platform.db.session() as session:
        cells, _ = geo.list_areas(session, tenant_id, level="cell")
        districts = geo.list_districts(session, tenant_id)
    expected = sum(c.area_m2 for c in cells) / sum(d.area_m2 for d in districts) * 100
    assert after.value == pytest.approx(min(100.0, expected), abs=1e-3)
    assert after.details["grid_cells"] == len(cells)
    assert 0 < after.value <= 100


def _readings(platform, tenant_id, device_id, values_by_day, minute=0):
    """pm25 readings from 10:00 Shanghai time, a minute apart, on given days of January 2026."""
    items = [
        {
            "device_id": device_id,
            "pm25": value,
            "observedAt": iso(datetime(2026, 1, day, 2, minute, tzinfo=UTC) + timedelta(minutes=i)),
        }
        for day, values in values_by_day.items()
        for i, value in enumerate(values)
    ]
    outcome = ingest_items(platform, tenant_id, items)
    assert outcome.letters == []


def test_air_quality_days_count_days_whose_city_mean_pm25_is_within_75(platform, admin, tenant_id):
    register(platform, admin, "AQ-1", DeviceKind.AIR_QUALITY_STATION)
    register(platform, admin, "AQ-2", DeviceKind.AIR_QUALITY_STATION)
    empty = _measure(platform, tenant_id, "air-quality-standard-days")
    assert (empty.value, empty.details["days_with_data"]) == (0, 0)
    # 2 Jan: 50 and 60 → 55 (good); 3 Jan: 100 (bad); 4 Jan: stations 70 and 90 → 80 (bad)
    _readings(platform, tenant_id, "AQ-1", {2: [50, 60], 3: [100], 4: [70]})
    _readings(platform, tenant_id, "AQ-2", {4: [90]})
    found = _measure(platform, tenant_id, "air-quality-standard-days")
    assert found.value == 1
    assert found.details["days_with_data"] == 3 and found.details["stations"] == 2
    assert found.period.start == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)  # 1 Jan in Shanghai
    # a later clean reading: AQ-2's 4 Jan mean becomes (90 + 0) / 2 = 45, the city's 57.5
    _readings(platform, tenant_id, "AQ-2", {4: [0]}, minute=30)
    assert _measure(platform, tenant_id, "air-quality-standard-days").value == 2


def test_air_quality_days_keep_to_the_period_asked_for(platform, admin, tenant_id):
    register(platform, admin, "AQ-1", DeviceKind.AIR_QUALITY_STATION)
    _readings(platform, tenant_id, "AQ-1", {2: [10], 3: [20], 4: [30]})
    start = datetime(2026, 1, 2, 16, 0, tzinfo=UTC)  # 3 Jan in Shanghai
    period = Period(start, start + timedelta(days=1))
    found = _measure(platform, tenant_id, "air-quality-standard-days", period)
    assert (found.value, found.details["days_with_data"]) == (1, 1)


def test_completed_projects_are_counted_from_the_programme_itself(platform, admin, tenant_id):
    assert _measure(platform, tenant_id, "key-projects-completed").value == 0
    with platform.db.session() as session:
        service.update_project(
            session, platform, admin, code="livable-1", changes={"status": "done"}
        )
    found = _measure(platform, tenant_id, "key-projects-completed")
    assert found.value == 1 and found.details["by_status"]["planned"] == 49


def test_the_other_parts_measures_are_live_in_the_registry(platform, tenant_id):
    for code in (
        "food-safety-complaint-handling-days",
        "case-on-time-closure-rate",
        "open-datasets-published",
    ):
        found = _measure(platform, tenant_id, code)
        assert found.available is True and found.method and found.period is not None
    assert all(m.available for m in MEASURES.values())


def test_the_api_shows_the_live_value_with_its_period_and_method(plan_as, platform, admin):
    register(platform, admin, "AP-1", DeviceKind.WIFI_ACCESS_POINT)
    wifi = plan_as("citizen").get("/indicators/public-wifi-access-points")
    assert wifi["measured"]["value"] == 1
    assert wifi["measured"]["period_end"].startswith("2026-01-05T01:00")
    assert wifi["measured"]["data_from"] == "sensing"
