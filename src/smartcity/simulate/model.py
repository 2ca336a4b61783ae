"""The simulated fleet's behaviour: how often each kind samples and reports, its faults (silent
devices, stuck values, spikes, drift) and the MQTT messages it sends — all pure functions of
(device, simulated time, seed).

Reporting follows what such devices do: stations sample every minute and send a batch every 5
or 15 minutes; buoys sample every 10 minutes and upload hourly; battery devices (smoke, manhole,
parking) report rarely and say their battery level; streetlights and parking sensors speak
NGSI-LD fragments, the rest plain JSON measurements.

Faults are drawn per device and 6-hour block (silent: sends nothing; stuck: repeats the values
of the block's first instant), per reading (spike: the main attribute jumps) and per device
(drift: the main attribute creeps up by a daily amount, reset by a calibration every 90 days).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson

from smartcity.sensing.device_types import DeviceKind
from smartcity.simulate import signals
from smartcity.simulate.draws import Draws, unit
from smartcity.simulate.placement import SimDevice
from smartcity.simulate.weather import Weather

BLOCK = 6 * 3_600  # seconds: faults last a block
DAY = 86_400.0
CALIBRATION_DAYS = 90.0
# Keys separating the uses of the random stream.
_TRAIT, _PHASE, _FAULT, _SPIKE, _DRIFT, _BATTERY, _SIGNAL = 11, 12, 13, 14, 15, 16, 17


class Fault(StrEnum):
    NONE = "none"
    SILENT = "silent"
    STUCK = "stuck"


@dataclass(frozen=True)
class FaultRates:
    """How often faults happen: per device and 6-hour block (silent, stuck), per reading
    (spike), per device (drift)."""

    silent: float = 0.01
    stuck: float = 0.005
    spike: float = 0.001
    drift: float = 0.03

    def __post_init__(self) -> None:
        for name in ("silent", "stuck", "spike", "drift"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"the {name} fault rate must be between 0 and 1")
        if self.silent + self.stuck > 1.0:
            raise ValueError("silent and stuck rates add up to more than 1")


@dataclass(frozen=True)
class KindSpec:
    """How one kind reports: sampling and sending periods, its main attribute and its faults."""

    signal: signals.Signal
    sample_s: int
    publish_s: int
    main: str | None  # the attribute spikes and drift affect
    spike: float = 1.0  # the main attribute is multiplied by this in a spike …
    spike_add: float = 0.0  # … and this is added
    drift_per_day: float = 0.0
    upper: float | None = None  # the model's maximum of the main attribute
    fragments: bool = False  # NGSI-LD fragments rather than plain measurements
    battery_years: float | None = None
    sticky_s: int = 0  # noise held this long (a parked car stays a while)

    @property
    def batch(self) -> int:
        return self.publish_s // self.sample_s


SPECS: dict[DeviceKind, KindSpec] = {
    DeviceKind.AIR_QUALITY_STATION: KindSpec(
        signals.air, 60, 300, "pm25", spike=5.0, drift_per_day=0.4
    ),
    DeviceKind.WATER_QUALITY_BUOY: KindSpec(
        signals.water, 600, 3_600, "turbidity", spike=8.0, drift_per_day=0.3, battery_years=3
    ),
    DeviceKind.NOISE_MONITOR: KindSpec(
        signals.noise, 60, 300, "LAeq", spike_add=30.0, drift_per_day=0.05
    ),
    DeviceKind.STREETLIGHT: KindSpec(
        signals.streetlight, 900, 900, "powerConsumption", spike=3.0, fragments=True
    ),
    DeviceKind.TRAFFIC_COUNTER: KindSpec(signals.traffic, 60, 300, "intensity", spike=6.0),
    DeviceKind.SMOKE_DETECTOR: KindSpec(
        signals.smoke, 3_600, 3_600, "smoke", spike=80.0, drift_per_day=0.002, battery_years=10
    ),
    DeviceKind.MANHOLE_COVER: KindSpec(
        signals.manhole, 900, 900, "motion", spike_add=35.0, battery_years=5
    ),
    DeviceKind.PIPE_PRESSURE_SENSOR: KindSpec(
        signals.pipe, 60, 900, "pressure", spike=1.8, drift_per_day=2.0
    ),
    DeviceKind.WIFI_ACCESS_POINT: KindSpec(
        signals.wifi, 300, 300, "occupancy", spike=4.0, upper=1.0
    ),
    DeviceKind.PARKING_SPOT: KindSpec(
        signals.parking, 300, 300, None, fragments=True, battery_years=5, sticky_s=1_800
    ),
}


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Simulation:
    """The fleet's behaviour for one seed, over a city's weather."""

    seed: int
    weather: Weather
    faults: FaultRates = field(default_factory=FaultRates)

    def trait(self, device: SimDevice, n: int) -> float:
        return unit(self.seed, device.key, _TRAIT, n)

    def fault(self, device: SimDevice, t: float) -> Fault:
        u = unit(self.seed, device.key, _FAULT, int(t // BLOCK))
        if u < self.faults.silent:
            return Fault.SILENT
        if u < self.faults.silent + self.faults.stuck:
            return Fault.STUCK
        return Fault.NONE

    def spiked(self, device: SimDevice, t: float) -> bool:
        return unit(self.seed, device.key, _SPIKE, int(t)) < self.faults.spike

    def drifting(self, device: SimDevice) -> bool:
        return unit(self.seed, device.key, _DRIFT) < self.faults.drift

    def moment(self, device: SimDevice, t: float) -> signals.Moment:
        hour, weekday, season = signals.local_time(t)
        district = device.district
        return signals.Moment(
            t,
            hour,
            weekday,
            season,
            self.weather.pollution(t, district),
            self.weather.rain(t, district),
        )

    def observe(self, device: SimDevice, t: float, fault: Fault | None = None) -> dict[str, Any]:
        """What the device measures at `t` (faults included, silence aside); `fault` is the
        device's fault at `t` when the caller knows it already."""
        spec = SPECS[device.kind]
        fault = self.fault(device, t) if fault is None else fault
        at = float(int(t // BLOCK) * BLOCK) if fault is Fault.STUCK else t
        instant = int(at // spec.sticky_s * spec.sticky_s) if spec.sticky_s else int(at)
        values = spec.signal(
            lambda n: self.trait(device, n),
            self.moment(device, at),
            Draws(self.seed, device.key, _SIGNAL, instant),
        )
        main = spec.main
        if main is None or fault is Fault.STUCK:
            return values
        value = values[main]
        if spec.drift_per_day and self.drifting(device):
            phase = unit(self.seed, device.key, _DRIFT, 1) * CALIBRATION_DAYS
            value += spec.drift_per_day * ((t / DAY + phase) % CALIBRATION_DAYS)
        if self.spiked(device, t):
            value = value * spec.spike + spec.spike_add
        if spec.upper is not None:
            value = min(value, spec.upper)
        values[main] = round(value, 3) if isinstance(value, float) else value
        return values

    def battery(self, device: SimDevice, t: float) -> float | None:
        years = SPECS[device.kind].battery_years
        if years is None:
            return None
        life = years * 365.0
        age = (t / DAY + unit(self.seed, device.key, _BATTERY) * life) % life
        return round(1.0 - 0.9 * age / life, 3)

    def first_report(self, device: SimDevice, start: float) -> float:
        """The device's first reporting time at or after `start` (each has its own phase)."""
        period = SPECS[device.kind].publish_s
        phase = int(unit(self.seed, device.key, _PHASE) * period)
        k = -((phase - int(start)) // period)  # ceil((start - phase) / period)
        return float(phase + k * period)

    def items(self, device: SimDevice, t: float) -> list[dict[str, Any]]:
        """The measurements a report at `t` carries (none from a silent device)."""
        fault = self.fault(device, t)
        if fault is Fault.SILENT:
            return []
        spec = SPECS[device.kind]
        found = []
        for k in range(spec.batch - 1, -1, -1):
            at = t - k * spec.sample_s
            # A batch may reach back into the previous block, whose fault is its own.
            values = self.observe(device, at, fault if at // BLOCK == t // BLOCK else None)
            if spec.fragments:
                stamp = iso(at)
                item: dict[str, Any] = {
                    name: {"type": "Property", "value": v, "observedAt": stamp}
                    for name, v in values.items()
                }
            else:
                item = {"observedAt": iso(at), **values}
            found.append(item)
        battery = self.battery(device, t)
        if battery is not None:
            found[-1]["batteryLevel"] = battery
        return found

    def message(self, device: SimDevice, t: float, tenant: str) -> tuple[str, bytes] | None:
        """The MQTT message of a report at `t`: (topic, payload), or None when silent."""
        found = self.report(device, t, tenant)
        return None if found is None else (found.topic, found.payload)

    def report(self, device: SimDevice, t: float, tenant: str) -> Report | None:
        """The message of a report at `t` with its count of readings; None when silent."""
        found = self.items(device, t)
        if not found:
            return None
        readings = sum(len(i) for i in found) - len(found) * (not SPECS[device.kind].fragments)
        readings -= "batteryLevel" in found[-1]
        payload = found[0] if len(found) == 1 else found
        return Report(topic(tenant, device), orjson.dumps(payload), readings)


@dataclass(frozen=True, slots=True)
class Report:
    topic: str
    payload: bytes
    readings: int  # attribute values carried (the device's self-reports aside)


def topic(tenant: str, device: SimDevice) -> str:
    return f"city/{tenant}/{device.kind.value}/{device.device_id}/attrs"
