"""The default rules after GB 3095-2012 and GB 3096-2008: installed once, judged as the
standards say (24-hour means for air, day and night limits for noise)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from smartcity.rules.defaults import install_default_rules
from smartcity.rules.models import Rule
from smartcity.sensing.device_types import DeviceKind
from tests.rules.conftest import alerts_of


def _install(platform, admin, **kwargs):
    with platform.db.session() as session:
        return install_default_rules(session, platform, admin, **kwargs)


def test_the_defaults_install_once_with_their_sources(platform, admin):
    created = _install(platform, admin)
    assert len(created) == 6 + 2  # six air limits, day and night noise for class 2
    assert _install(platform, admin) == []
    with platform.db.session() as session:
        rules = {r.attribute + ":" + r.name_en: r for r in session.query(Rule)}
    pm25 = rules["pm25:PM2.5 24-hour mean above limit"]
    assert pm25.params == {
        "direction": "above",
        "raise_at": 75.0,
        "clear_at": 67.5,
        "window_minutes": 1440,
        "aggregate": "mean",
    }
    assert pm25.source.startswith("GB 3095-2012") and pm25.case_category == "H0601"
    assert rules["o3:O3 8-hour mean above limit"].params["window_minutes"] == 480
    assert rules["co:CO 24-hour mean above limit"].params["raise_at"] == 4
    night = next(r for r in rules.values() if r.attribute == "LAeq" and "night" in r.name_en)
    assert night.params["raise_at"] == 50 and night.params["active_hours"]["start"] == "22:00"


def test_noise_zones_take_their_class_limits_per_area(platform, admin, places):
    zones = {"1": [("district", places[0].district)], "4a": [("district", places[1].district)]}
    created = _install(platform, admin, noise_zones=zones)
    limits = sorted((r.area_code, r.params["raise_at"]) for r in created if r.attribute == "LAeq")
    assert limits == sorted(
        [
            (places[0].district, 55),
            (places[0].district, 45),
            (places[1].district, 70),
            (places[1].district, 55),
        ]
    )


def test_pm25_fires_on_its_24_hour_mean_and_noise_on_the_night_limit(
    platform, admin, clock, add_device, send
):
    _install(platform, admin)
    add_device("A1")
    add_device("N1", DeviceKind.NOISE_MONITOR)
    t = clock.now() - timedelta(hours=20)
    send("A1", *[(t + timedelta(hours=h), {"pm25": 70}) for h in range(10)])
    assert alerts_of(platform) == []  # every hour under 75
    send("A1", *[(t + timedelta(hours=10 + h), {"pm25": 90}) for h in range(4)])
    [air] = alerts_of(platform)  # mean (700 + 360) / 14 ≈ 75.7
    assert air.name_en == "PM2.5 24-hour mean above limit" and air.severity == "high"
    evening = datetime(2026, 1, 4, 13, 0, tzinfo=UTC)  # 21:00 in Shanghai: day limit 60
    send("N1", (evening, {"LAeq": 55}), (evening + timedelta(minutes=30), {"LAeq": 55}))
    assert len(alerts_of(platform)) == 1
    night = datetime(2026, 1, 4, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai: night limit 50
    send("N1", (night, {"LAeq": 55}))
    noise = alerts_of(platform)[-1]
    assert "night" in noise.name_en and noise.attribute == "LAeq"
