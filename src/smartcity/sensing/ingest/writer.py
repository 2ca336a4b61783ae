"""The one batched writer of readings: receipts, entity history and current values, the devices'
reports and the batch's dead letters, all in one transaction.

Exactly once: each accepted reading's receipt (tenant, device, attribute, observation time) is
inserted with ON CONFLICT DO NOTHING … RETURNING; only the readings whose receipt was new are
written, in the same transaction. A crash before the commit stores nothing (the redelivery
stores it); a crash after it leaves receipts that make the redelivery a duplicate.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Double, bindparam, case, func, text, update
from sqlalchemy.orm import Session

from smartcity.context.jsonld import ActiveContext
from smartcity.context.temporal.observations import (
    Observed,
    driver_cursor,
    sqlite_time,
    write_observations,
)
from smartcity.context.temporal.params import format_datetime
from smartcity.sensing.device_types import DEVICE_TYPES, DeviceKind, device_entity_id
from smartcity.sensing.entity import device_entity
from smartcity.sensing.ingest.parse import Reading
from smartcity.sensing.models import Device

RECEIPT_CHUNK = 2000  # rows per INSERT … RETURNING statement
Key = tuple[int, str, datetime]  # (device pk, attribute, observed at)


@dataclass(slots=True)
class Accepted:
    """A reading that passed every check, with the device that sent it."""

    device: Device
    reading: Reading
    unit_code: str | None


@dataclass(slots=True)
class DeviceReport:
    """What a batch learned about a device itself."""

    device: Device
    seen_at: datetime
    battery_level: float | None = None
    rssi_dbm: float | None = None


def claim_receipts(
    session: Session, tenant_id: int, keys: Sequence[Key], now: datetime
) -> set[Key]:
    """Insert the receipts; the keys that were new (the others were stored before)."""
    if session.get_bind().dialect.name == "postgresql":
        return _claim_postgresql(session, tenant_id, keys, now)
    return _claim_sqlite(session, tenant_id, keys, now)


def _claim_sqlite(session: Session, tenant_id: int, keys: Sequence[Key], now: datetime) -> set[Key]:
    """Multi-row INSERTs on the driver's cursor (SQLAlchemy's per-parameter processing cost more
    than SQLite's work); the times go in as SQLAlchemy writes them, and come back the same."""
    received = sqlite_time(now)
    times: dict[datetime, str] = {}
    new: set[Key] = set()
    cursor = driver_cursor(session)
    try:
        for start in range(0, len(keys), RECEIPT_CHUNK):
            chunk = keys[start : start + RECEIPT_CHUNK]
            back: dict[str, datetime] = {}
            params: list[Any] = []
            for device_pk, attr, moment in chunk:
                text = times.get(moment)
                if text is None:
                    text = times[moment] = sqlite_time(moment)
                back[text] = moment
                params += (tenant_id, device_pk, attr, text, received)
            cursor.execute(_claim_sqlite_statement(len(chunk)), params)
            new.update((d, a, back[t]) for d, a, t in cursor.fetchall())
    finally:
        cursor.close()
    return new


@functools.lru_cache(maxsize=8)
def _claim_sqlite_statement(rows: int) -> str:
    return (
        "INSERT INTO reading_receipts (tenant_id, device_pk, attr, observed_at, received_at) "
        f"VALUES {', '.join(['(?, ?, ?, ?, ?)'] * rows)} "
        "ON CONFLICT DO NOTHING RETURNING device_pk, attr, observed_at"
    )


# One statement of three arrays instead of thousands of parameters: planned once, and a third of
# the time of a multi-row VALUES list on PostgreSQL. The arrays travel as three strings split by
# the server: the driver's per-element array encoding cost more than the insert.
SEPARATOR = "\x1f"  # ASCII unit separator: in no device attribute name or timestamp
_CLAIM_POSTGRESQL = text(
    "INSERT INTO reading_receipts (tenant_id, device_pk, attr, observed_at, received_at) "
    "SELECT :tenant_id, d, a, t, :now FROM unnest("
    "CAST(string_to_array(:devices, :sep) AS bigint[]), string_to_array(:attrs, :sep), "
    "CAST(string_to_array(:times, :sep) AS timestamptz[])"
    ") AS u(d, a, t) ON CONFLICT DO NOTHING RETURNING device_pk, attr, observed_at"
)
_CLAIM_POSTGRESQL_ARRAYS = text(
    "INSERT INTO reading_receipts (tenant_id, device_pk, attr, observed_at, received_at) "
    "SELECT :tenant_id, d, a, t, :now FROM unnest("
    "CAST(:devices AS bigint[]), CAST(:attrs AS varchar[]), CAST(:times AS timestamptz[])"
    ") AS u(d, a, t) ON CONFLICT DO NOTHING RETURNING device_pk, attr, observed_at"
)


def _claim_postgresql(
    session: Session, tenant_id: int, keys: Sequence[Key], now: datetime
) -> set[Key]:
    new: set[Key] = set()
    times: dict[datetime, str] = {}
    for start in range(0, len(keys), RECEIPT_CHUNK * 10):
        chunk = keys[start : start + RECEIPT_CHUNK * 10]
        attrs = [a for _, a, _ in chunk]
        params: dict[str, Any] = {"tenant_id": tenant_id, "now": now}
        if any(SEPARATOR in a or not a for a in set(attrs)):  # not from a model; still correct
            params["devices"] = [d for d, _, _ in chunk]
            params["attrs"] = attrs
            params["times"] = [t for _, _, t in chunk]
            stmt = _CLAIM_POSTGRESQL_ARRAYS
        else:
            for _, _, moment in chunk:
                if moment not in times:
                    if moment.tzinfo is None:
                        raise ValueError("naive datetime given to a UTC column")
                    times[moment] = moment.isoformat()
            params |= {
                "sep": SEPARATOR,
                "devices": SEPARATOR.join([str(d) for d, _, _ in chunk]),
                "attrs": SEPARATOR.join(attrs),
                "times": SEPARATOR.join([times[t] for _, _, t in chunk]),
            }
            stmt = _CLAIM_POSTGRESQL
        new.update((d, a, t) for d, a, t in session.execute(stmt, params))
    return new


class EntityMapper:
    """Readings into the stored form of their entities (names expanded with the core context)."""

    def __init__(self, core: ActiveContext) -> None:
        self.core = core
        self._names: dict[str, str] = {}

    def name(self, term: str) -> str:
        stored = self._names.get(term)
        if stored is None:
            stored = self._names[term] = self.core.stored_name(term)
        return stored

    def head(self, device: Device) -> dict[str, Any]:
        """The entity a device feeds, as created on its first reading."""
        kind = DEVICE_TYPES[DeviceKind(device.device_type)]
        return self.core.expand_entity(
            {
                "id": device.entity_id,
                "type": kind.sdm_type,
                "location": {
                    "type": "GeoProperty",
                    "value": {"type": "Point", "coordinates": [device.lon, device.lat]},
                },
                "refDevice": {"type": "Relationship", "object": device_entity_id(device.device_id)},
            }
        )

    def observations(self, accepted: Sequence[Accepted]) -> dict[str, Observed]:
        batch: dict[str, Observed] = {}
        times: dict[datetime, str] = {}  # a message's readings share a few observation times
        for item in accepted:
            device, reading = item.device, item.reading
            observed = batch.get(device.entity_id)
            if observed is None:
                observed = batch[device.entity_id] = Observed(self.head(device), {})
            at = times.get(reading.observed_at)
            if at is None:
                at = times[reading.observed_at] = format_datetime(reading.observed_at)
            instance: dict[str, Any] = {
                "type": "Property",
                "value": reading.value,
                "observedAt": at,
            }
            if item.unit_code:
                instance["unitCode"] = item.unit_code
            observed.instances.setdefault(self.name(reading.attr), []).append(instance)
        return batch

    def device_observations(
        self, reports: Sequence[DeviceReport], now: datetime
    ) -> dict[str, Observed]:
        """Battery and signal go to the device's own `Device` entity, with the time it last
        reported, when a device says them, and so does a silent device's waking up (the
        registry keeps last seen for every report)."""
        batch: dict[str, Observed] = {}
        for report in reports:
            values = {"batteryLevel": report.battery_level, "rssi": report.rssi_dbm}
            said: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
            if report.device.status == "silent":  # reporting wakes it (record_device_reports)
                said["deviceState"] = "active"
            if not said:
                continue
            at = format_datetime(report.seen_at)
            said["dateLastValueReported"] = {"@type": "DateTime", "@value": at}
            head = self.core.expand_entity(device_entity(report.device))
            instances = {
                self.name(k): [{"type": "Property", "value": v, "observedAt": at}]
                for k, v in said.items()
            }
            if "deviceState" in said:  # the state changes now, whenever the reading was taken
                state = instances[self.name("deviceState")][0]
                state["observedAt"] = format_datetime(now)
            batch[head["id"]] = Observed(head, instances)
        return batch


def record_device_reports(session: Session, reports: Sequence[DeviceReport], now: datetime) -> None:
    """Last seen (only ever forward), battery and signal of many devices in one statement; a
    silent device that reports is active again."""
    if not reports:
        return
    table = Device.__table__
    seen = bindparam("b_seen", type_=table.c.last_seen_at.type)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            last_seen_at=case(
                (table.c.last_seen_at.is_(None), seen),
                (table.c.last_seen_at < seen, seen),
                else_=table.c.last_seen_at,
            ),
            battery_level=func.coalesce(
                bindparam("b_battery", type_=Double()), table.c.battery_level
            ),
            rssi_dbm=func.coalesce(bindparam("b_rssi", type_=Double()), table.c.rssi_dbm),
            status=case((table.c.status == "silent", "active"), else_=table.c.status),
            updated_at=bindparam("b_now"),
        )
    )
    rows = [
        {
            "b_id": r.device.id,
            "b_seen": r.seen_at,
            "b_battery": r.battery_level,
            "b_rssi": r.rssi_dbm,
            "b_now": now,
        }
        for r in reports
    ]
    session.execute(stmt, rows)


def write(
    session: Session,
    mapper: EntityMapper,
    tenant_id: int,
    accepted: Sequence[Accepted],
    reports: Sequence[DeviceReport],
    now: datetime,
) -> tuple[list[Accepted], int]:
    """Store what is new of `accepted` and the devices' reports; (the new readings, how many
    were duplicates). Only the new ones go on to the rules: a redelivery is judged once."""
    unique: dict[Key, Accepted] = {}
    for item in accepted:
        unique.setdefault((item.device.id, item.reading.attr, item.reading.observed_at), item)
    new = claim_receipts(session, tenant_id, list(unique), now) if unique else set()
    fresh = [item for key, item in unique.items() if key in new]
    batch = mapper.observations(fresh)
    batch.update(mapper.device_observations(reports, now))
    if batch:
        write_observations(session, tenant_id, batch, now)
    record_device_reports(session, reports, now)
    return fresh, len(accepted) - len(fresh)
