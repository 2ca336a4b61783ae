"""Signals: daily and weekly patterns, weather episodes, values the models accept; the same
seed gives the same messages."""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import mean

import orjson
import pytest

from smartcity.sensing.device_types import DeviceKind
from smartcity.sensing.ingest import sdm
from smartcity.simulate.model import SPECS, FaultRates, Simulation
from smartcity.simulate.placement import place_fleet
from smartcity.simulate.weather import POLLUTION, RAINSTORM, Weather

NO_FAULTS = FaultRates(silent=0, stuck=0, spike=0, drift=0)
# Wednesday 2026-01-07 in Shanghai (UTC+8), and a summer Wednesday for the storms.
WINTER = datetime(2026, 1, 7, tzinfo=UTC).timestamp() - 8 * 3600
SUMMER = datetime(2026, 7, 8, tzinfo=UTC).timestamp() - 8 * 3600


def simulation(small_map, seed=1, **weather) -> Simulation:
    return Simulation(seed, Weather(seed, tuple(small_map.land_km2), **weather), NO_FAULTS)


def local(day: float, hour: float) -> float:
    return day + hour * 3600


@pytest.fixture(scope="module")
def fleet(small_map):
    return place_fleet(small_map, "city", 1)


def of_kind(fleet, kind):
    return [d for d in fleet if d.kind is kind]


def mean_of(sim, devices, attr, t):
    return mean(sim.observe(d, t)[attr] for d in devices)


def test_night_noise_is_quieter_than_day_noise(small_map, fleet):
    sim = simulation(small_map, pollution_per_year=0, storms_per_year=0)
    monitors = of_kind(fleet, DeviceKind.NOISE_MONITOR)
    day = mean_of(sim, monitors, "LAeq", local(WINTER, 10))
    night = mean_of(sim, monitors, "LAeq", local(WINTER, 3))
    assert day - night > 6
    assert night > 45  # busy kerbs still break GB 3096's class 2 night limit of 50 dB(A)
    assert max(sim.observe(d, local(WINTER, 3))["LAeq"] for d in monitors) > 50


def test_traffic_peaks_in_the_weekday_rush_hour_and_not_on_sunday_morning(small_map, fleet):
    sim = simulation(small_map, pollution_per_year=0, storms_per_year=0)
    counters = of_kind(fleet, DeviceKind.TRAFFIC_COUNTER)
    rush = mean_of(sim, counters, "intensity", local(WINTER, 8))
    assert rush > 2 * mean_of(sim, counters, "intensity", local(WINTER, 3))
    sunday = WINTER + 4 * 86_400
    assert rush > 1.5 * mean_of(sim, counters, "intensity", local(sunday, 8))


def test_streetlights_are_on_at_night_and_off_at_noon(small_map, fleet):
    sim = simulation(small_map, storms_per_year=0)
    lights = of_kind(fleet, DeviceKind.STREETLIGHT)
    assert {sim.observe(d, local(WINTER, 21))["powerState"] for d in lights} == {"on"}
    assert {sim.observe(d, local(WINTER, 12))["powerState"] for d in lights} == {"off"}
    assert {sim.observe(d, local(SUMMER, 18.5))["powerState"] for d in lights} == {"off"}


def test_pm25_has_a_diurnal_cycle_and_is_higher_in_winter(small_map, fleet):
    sim = simulation(small_map, pollution_per_year=0, storms_per_year=0)
    stations = of_kind(fleet, DeviceKind.AIR_QUALITY_STATION)
    assert mean_of(sim, stations, "pm25", local(WINTER, 9)) > mean_of(
        sim, stations, "pm25", local(WINTER, 15)
    )
    assert mean_of(sim, stations, "pm25", local(WINTER, 9)) > mean_of(
        sim, stations, "pm25", local(SUMMER, 9)
    )
    assert mean_of(sim, stations, "pm25", local(WINTER, 15)) < 75


def test_a_pollution_episode_lifts_pm25_above_the_gb3095_limit_across_several_districts(
    small_map, fleet
):
    sim = simulation(small_map)
    episodes = [
        e for e in sim.weather.between(WINTER, WINTER + 120 * 86_400) if e.kind == POLLUTION
    ]
    assert episodes, "a winter without a pollution episode"
    episode = episodes[0]
    assert len(episode.districts) >= 3 and (episode.end - episode.start) >= 24 * 3600
    middle = (episode.start + episode.end) / 2
    inside = [
        d for d in of_kind(fleet, DeviceKind.AIR_QUALITY_STATION) if d.district in episode.districts
    ]
    assert mean_of(sim, inside, "pm25", middle) > 75
    # The 24-hour mean around the middle breaks the limit too (the rule's window).
    hours = [middle - 12 * 3600 + h * 3600 for h in range(24)]
    assert mean(mean_of(sim, inside, "pm25", t) for t in hours) > 75


def test_a_rainstorm_raises_manhole_water_and_drainage_pressure(small_map, fleet):
    sim = simulation(small_map, storms_per_year=40)
    storms = [e for e in sim.weather.between(SUMMER, SUMMER + 90 * 86_400) if e.kind == RAINSTORM]
    assert storms, "a summer without a rainstorm"
    storm = storms[0]
    peak = (storm.start + storm.end) / 2
    before = storm.start - 3600
    covers = [d for d in of_kind(fleet, DeviceKind.MANHOLE_COVER) if d.district in storm.districts]
    assert (
        mean_of(sim, covers, "waterLevel", peak) > mean_of(sim, covers, "waterLevel", before) + 0.5
    )
    pipes = [
        d for d in of_kind(fleet, DeviceKind.PIPE_PRESSURE_SENSOR) if d.district in storm.districts
    ]
    drains = [d for d in pipes if sim.trait(d, 0) < 0.3]
    assert drains, "no drainage main in the storm's districts"
    assert mean_of(sim, drains, "pressure", peak) > mean_of(sim, drains, "pressure", before) + 100


def test_every_value_is_one_its_smart_data_model_accepts(small_map, fleet):
    sim = Simulation(
        1, Weather(1, tuple(small_map.land_km2), storms_per_year=40), FaultRates(spike=0.05)
    )
    one_each = {d.kind: d for d in fleet}
    for kind, device in one_each.items():
        known = sdm.kind_attributes(kind)
        for hour in range(0, 24 * 7, 5):
            for t in (local(WINTER, hour), local(SUMMER, hour)):
                for name, value in sim.observe(device, t).items():
                    assert name in known, (kind, name)
                    assert known[name].check(value) is None, (kind, name, value)


def test_the_same_seed_sends_the_same_messages_and_another_seed_others(small_map, fleet):
    devices = fleet[:200]
    t = local(WINTER, 9)

    def messages(seed):
        sim = simulation(small_map, seed)
        return [sim.message(d, sim.first_report(d, t), "shanghai") for d in devices]

    assert messages(3) == messages(3)
    assert messages(3) != messages(4)


def test_a_report_batches_what_a_station_sampled_since_its_last_report(small_map, fleet):
    sim = simulation(small_map)
    station = of_kind(fleet, DeviceKind.AIR_QUALITY_STATION)[0]
    t = sim.first_report(station, local(WINTER, 9))
    topic, payload = sim.message(station, t, "shanghai")
    assert topic == f"city/shanghai/air_quality_station/{station.device_id}/attrs"
    items = orjson.loads(payload)
    assert len(items) == SPECS[DeviceKind.AIR_QUALITY_STATION].batch == 5
    times = [datetime.fromisoformat(i["observedAt"]).timestamp() for i in items]
    assert times == [t - 240, t - 180, t - 120, t - 60, t]
