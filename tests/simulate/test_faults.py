"""Faults at their configured rates: silent devices send nothing, stuck devices repeat
themselves, spikes jump, drifting devices creep."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from smartcity.sensing.device_types import DeviceKind
from smartcity.simulate.model import BLOCK, SPECS, Fault, FaultRates, Simulation
from smartcity.simulate.placement import place_fleet
from smartcity.simulate.weather import Weather

START = datetime(2026, 3, 2, tzinfo=UTC).timestamp()
RATES = FaultRates(silent=0.1, stuck=0.05, spike=0.02, drift=0.2)


@pytest.fixture(scope="module")
def fleet(small_map):
    return place_fleet(small_map, "city", 1)


def simulation(small_map, rates=RATES) -> Simulation:
    return Simulation(1, Weather(1, tuple(small_map.land_km2), 0, 0), rates)


def test_silent_and_stuck_blocks_happen_at_their_rates(small_map, fleet):
    sim = simulation(small_map)
    draws = [sim.fault(d, START + b * BLOCK) for d in fleet[:2000] for b in range(20)]
    assert draws.count(Fault.SILENT) / len(draws) == pytest.approx(0.1, abs=0.01)
    assert draws.count(Fault.STUCK) / len(draws) == pytest.approx(0.05, abs=0.01)


def test_spikes_and_drift_happen_at_their_rates(small_map, fleet):
    sim = simulation(small_map)
    spikes = [sim.spiked(d, START + n * 60) for d in fleet[:2000] for n in range(20)]
    assert sum(spikes) / len(spikes) == pytest.approx(0.02, abs=0.005)
    drifting = [sim.drifting(d) for d in fleet]
    assert sum(drifting) / len(drifting) == pytest.approx(0.2, abs=0.03)


def test_a_silent_device_sends_nothing_for_its_block(small_map, fleet):
    sim = simulation(small_map)
    silent = [
        (d, b)
        for d in fleet[:500]
        for b in range(4)
        if sim.fault(d, START + b * BLOCK) is Fault.SILENT
    ]
    assert silent
    for device, block in silent[:50]:
        t = sim.first_report(device, START + block * BLOCK)
        assert sim.message(device, t, "shanghai") is None


def test_a_stuck_device_repeats_the_same_values(small_map, fleet):
    sim = simulation(small_map)
    stations = [d for d in fleet if d.kind is DeviceKind.AIR_QUALITY_STATION]
    stuck = [
        (d, b)
        for d in stations
        for b in range(40)
        if sim.fault(d, START + b * BLOCK) is Fault.STUCK
    ]
    assert stuck
    device, block = stuck[0]
    t = sim.first_report(device, START + block * BLOCK + 600)
    items = orjson.loads(sim.message(device, t, "shanghai")[1])
    assert (
        len({orjson.dumps({k: v for k, v in i.items() if k != "observedAt"}) for i in items}) == 1
    )


def test_a_spike_multiplies_the_main_attribute(small_map, fleet):
    calm = simulation(small_map, FaultRates(silent=0, stuck=0, spike=0, drift=0))
    spiky = simulation(small_map, FaultRates(silent=0, stuck=0, spike=1, drift=0))
    station = next(d for d in fleet if d.kind is DeviceKind.AIR_QUALITY_STATION)
    spec = SPECS[DeviceKind.AIR_QUALITY_STATION]
    before = calm.observe(station, START)[spec.main]
    assert spiky.observe(station, START)[spec.main] == pytest.approx(before * spec.spike, rel=1e-3)


def test_a_drifting_device_reads_higher_as_its_calibration_ages(small_map, fleet):
    steady = simulation(small_map, FaultRates(silent=0, stuck=0, spike=0, drift=0))
    drifting = simulation(small_map, FaultRates(silent=0, stuck=0, spike=0, drift=1))
    station = next(d for d in fleet if d.kind is DeviceKind.AIR_QUALITY_STATION)
    gaps = [
        drifting.observe(station, START + n * 86_400)["pm25"]
        - steady.observe(station, START + n * 86_400)["pm25"]
        for n in range(0, 90, 10)
    ]
    assert all(g >= 0 for g in gaps) and max(gaps) > 20


def test_rates_outside_zero_to_one_are_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultRates(spike=1.5)
    with pytest.raises(ValueError, match="more than 1"):
        FaultRates(silent=0.7, stuck=0.7)
