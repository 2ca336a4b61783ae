"""The rules of ingestion, the same for every transport: find each item's device, check each
reading against the device's Smart Data Model, store the good ones once each, and turn the rest
into dead letters, without ever stopping the batch. No HTTP or MQTT here.

Transports hand over batches: HTTP one request (`ingest_items`), MQTT (topic, payload bytes)
pairs (`ingest_messages`). Each batch is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.platform import Platform
from smartcity.rules.evaluate import evaluate_readings
from smartcity.sensing.device_types import DeviceKind
from smartcity.sensing.ingest import dead_letters, sdm
from smartcity.sensing.ingest.dead_letters import Letter, Reason
from smartcity.sensing.ingest.parse import Measurement
from smartcity.sensing.ingest.writer import Accepted, DeviceReport, EntityMapper, write
from smartcity.sensing.models import Device

# How far ahead of the receiving clock an observation may be (device clocks drift a little).
FUTURE_TOLERANCE = timedelta(minutes=5)
_IN_CHUNK = 1000


@dataclass(frozen=True)
class Source:
    """Where a batch came from, as its dead letters will say."""

    transport: str  # http | mqtt
    route: str  # the HTTP route, or the MQTT topic


@dataclass
class IngestOutcome:
    """What a batch did: readings stored, duplicates skipped, dead letters (each with the index
    of its item when the transport numbers items)."""

    stored: int = 0
    duplicates: int = 0
    letters: list[Letter] = field(default_factory=list)

    def merge(self, other: IngestOutcome) -> None:
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.letters.extend(other.letters)

    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for letter in self.letters:
            counts[letter.reason.value] = counts.get(letter.reason.value, 0) + 1
        return counts


def _devices(session: Session, tenant_id: int, ids: Iterable[str]) -> dict[str, Device]:
    wanted = sorted(ids)
    found: dict[str, Device] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        stmt = select(Device).where(
            Device.tenant_id == tenant_id, Device.device_id.in_(wanted[start : start + _IN_CHUNK])
        )
        found.update((d.device_id, d) for d in session.scalars(stmt))
    return found


def _device_refusal(
    measurement: Measurement, device: Device | None, only: str | None
) -> tuple[Reason, str] | None:
    name = measurement.device_id
    if name is None:
        return Reason.INVALID_PAYLOAD, "the item names no device (device_id)"
    if only is not None and name != only:
        return Reason.FOREIGN_DEVICE, f"this key belongs to device {only}, not {name}"
    if device is None:
        return Reason.UNKNOWN_DEVICE, f"no device {name} is registered"
    if device.status == "retired":
        return Reason.RETIRED_DEVICE, f"device {name} is retired"
    return None


def _self_report(measurement: Measurement) -> dict[str, float]:
    """Battery (0–1) and signal (dBm) the device gave; impossible ones are dead letters."""
    kept: dict[str, float] = {}
    limits = {"battery_level": (0.0, 1.0, "batteryLevel"), "rssi_dbm": (-200.0, 50.0, "rssi")}
    for key, value in measurement.self_report.items():
        low, high, name = limits[key]
        if not sdm.finite(value):
            measurement.refuse(Reason.NOT_FINITE, f"{name} is {value}", name)
        elif not sdm.is_number(value) or not low <= value <= high:
            measurement.refuse(
                Reason.SCHEMA_VIOLATION, f"{name} must be a number from {low} to {high}", name
            )
        else:
            kept[key] = float(value)
    return kept


def check_measurement(
    measurement: Measurement, device: Device, received_at: datetime
) -> list[Accepted]:
    """The readings that fit the device's model; the others become the measurement's letters."""
    specs = sdm.kind_attributes(DeviceKind(device.device_type))
    latest = received_at + FUTURE_TOLERANCE
    accepted = []
    for reading in measurement.readings:
        name, value = reading.attr, reading.value
        spec = specs.get(name)
        if spec is None:
            measurement.refuse(
                Reason.UNKNOWN_ATTRIBUTE, f"{name} is not an attribute of its model", name
            )
            continue
        if not sdm.finite(value):
            measurement.refuse(Reason.NOT_FINITE, f"{name} is {value}", name)
            continue
        if reading.observed_at > latest:
            measurement.refuse(
                Reason.FUTURE_TIME,
                f"{name} observed at {reading.observed_at.isoformat()}, in the future",
                name,
            )
            continue
        problem = spec.check(sdm.plain(value))
        if problem is not None:
            measurement.refuse(Reason.SCHEMA_VIOLATION, f"{name}: {problem}"[:1000], name)
            continue
        accepted.append(Accepted(device, reading, reading.unit_code or spec.unit_code))
    return accepted


def _report(
    reports: dict[int, DeviceReport],
    device: Device,
    measurement: Measurement,
    accepted: list[Accepted],
    received_at: datetime,
) -> None:
    said = _self_report(measurement)
    times = [a.reading.observed_at for a in accepted]
    seen = min(max(times), received_at) if times else received_at
    report = reports.get(device.id)
    if report is None:
        report = reports[device.id] = DeviceReport(device, seen)
    report.seen_at = max(report.seen_at, seen)
    if "battery_level" in said:
        report.battery_level = said["battery_level"]
    if "rssi_dbm" in said:
        report.rssi_dbm = said["rssi_dbm"]


def ingest(
    session: Session,
    platform: Platform,
    tenant_id: int,
    measurements: Sequence[Measurement],
    *,
    source: Source,
    received_at: datetime,
    only_device: str | None = None,
    letters: Sequence[Letter] = (),
) -> IngestOutcome:
    """Check and store one batch of measurements in one transaction (committed here).

    `only_device` limits the batch to one device's readings (a device's own key); `letters` are
    dead letters the transport found before (e.g. payloads that were not JSON).
    """
    devices = _devices(session, tenant_id, {m.device_id for m in measurements if m.device_id})
    outcome = IngestOutcome(letters=list(letters))
    accepted: list[Accepted] = []
    reports: dict[int, DeviceReport] = {}
    for measurement in measurements:
        device = devices.get(measurement.device_id) if measurement.device_id else None
        refusal = _device_refusal(measurement, device, only_device)
        if refusal is not None:
            measurement.letters.clear()  # one letter for an item nobody may store
            measurement.refuse(*refusal)
        elif device is not None:
            mine = check_measurement(measurement, device, received_at)
            accepted.extend(mine)
            if mine or measurement.self_report:
                _report(reports, device, measurement, mine, received_at)
        outcome.letters.extend(measurement.letters)
    assert platform.contexts is not None
    mapper = EntityMapper(platform.contexts.core)
    now = platform.clock.now()
    woken = [r.device for r in reports.values() if r.device.status == "silent"]
    with platform.serialized_writes():
        fresh, outcome.duplicates = write(
            session, mapper, tenant_id, accepted, list(reports.values()), now
        )
        outcome.stored = len(fresh)
        if fresh or woken:  # the rules judge the new readings in the same transaction
            evaluate_readings(session, platform, tenant_id, fresh, woken, now)
        dead_letters.record(
            session,
            tenant_id,
            outcome.letters,
            transport=source.transport,
            route=source.route,
            now=now,
        )
        session.commit()
    return outcome


def describe(letter: Letter) -> dict[str, Any]:
    """A dead letter as a transport reports it back to its sender."""
    return {
        "index": letter.index,
        "device_id": letter.device_id,
        "attribute": letter.attribute,
        "reason": letter.reason.value,
        "message": letter.message,
    }
