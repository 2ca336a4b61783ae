"""What the console reads of the sensing registry and the context broker's current state:
devices per grid cell and status, each device's latest reading, readings per hour.

Read-only queries for pages; they belong in sensing's service.py once sensing exposes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from smartcity.context.jsonld import ActiveContext
from smartcity.context.models import ContextEntity
from smartcity.sensing.device_types import DeviceKind
from smartcity.sensing.ingest.models import ReadingReceipt
from smartcity.sensing.models import Device

# What the overview's air quality tile reads of an AirQualityObserved entity.
PM25, AQI = "pm25", "airQualityIndex"
STATUSES = ("active", "silent", "faulty", "retired")
# UN/CEFACT unit codes (NGSI-LD unitCode) as people write them.
UNIT_SYMBOLS = {"GQ": "μg/m³", "2N": "dB", "CEL": "°C", "P1": "%", "KWT": "kW", "KMH": "km/h"}
_SKIPPED = {"location", "refDevice", "dateObserved", "name", "description", "source"}


@dataclass(frozen=True)
class Latest:
    """One attribute's current value as the context broker holds it."""

    name: str
    value: Any
    unit: str | None
    observed_at: str | None

    @property
    def observed_time(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.observed_at) if self.observed_at else None
        except ValueError:
            return None

    @property
    def unit_label(self) -> str:
        return UNIT_SYMBOLS.get(self.unit or "", self.unit or "")

    @property
    def numeric(self) -> bool:
        return isinstance(self.value, int | float) and not isinstance(self.value, bool)


def status_counts(session: Session, tenant_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Device.status, func.count())
        .where(Device.tenant_id == tenant_id)
        .group_by(Device.status)
    )
    return {status: int(count) for status, count in rows}


def devices_per_cell(session: Session, tenant_id: int) -> dict[str, int]:
    """Devices in service (not retired) in each grid cell that has any."""
    rows = session.execute(
        select(Device.cell_code, func.count())
        .where(
            Device.tenant_id == tenant_id,
            Device.status != "retired",
            Device.cell_code.is_not(None),
        )
        .group_by(Device.cell_code)
    )
    return {code: int(count) for code, count in rows}


def readings_since(session: Session, tenant_id: int, since: datetime) -> int:
    """Readings stored since a moment (each reading leaves one receipt)."""
    stmt = select(func.count()).where(
        ReadingReceipt.tenant_id == tenant_id, ReadingReceipt.received_at >= since
    )
    return session.scalar(stmt) or 0


def _latest(ctx: ActiveContext, attrs: dict[str, Any]) -> list[Latest]:
    found = []
    for stored, attribute in attrs.items():
        name = ctx.present_name(stored)
        instance = attribute[0] if isinstance(attribute, list) and attribute else attribute
        if name in _SKIPPED or not isinstance(instance, dict):
            continue
        if instance.get("type") not in ("Property", None) or "value" not in instance:
            continue
        value = instance["value"]
        if isinstance(value, dict) and "@value" in value:
            value = value["@value"]
        found.append(Latest(name, value, instance.get("unitCode"), instance.get("observedAt")))
    return sorted(found, key=lambda x: x.name)


def latest_values(
    session: Session, ctx: ActiveContext, tenant_id: int, entity_ids: Iterable[str]
) -> dict[str, list[Latest]]:
    """The current attributes of each entity (those that exist), compacted for people."""
    ids = sorted(set(entity_ids))
    result: dict[str, list[Latest]] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(ContextEntity.entity_id, ContextEntity.attrs).where(
                ContextEntity.tenant_id == tenant_id,
                ContextEntity.entity_id.in_(ids[start : start + 500]),
            )
        )
        for entity_id, attrs in rows:
            result[entity_id] = _latest(ctx, attrs or {})
    return result


def map_devices(
    session: Session, ctx: ActiveContext, tenant_id: int, *, limit: int = 20_000
) -> list[dict[str, Any]]:
    """Devices in service as GeoJSON points, each with its latest numeric readings."""
    devices = list(
        session.scalars(
            select(Device)
            .where(Device.tenant_id == tenant_id, Device.status != "retired")
            .order_by(Device.device_id)
            .limit(limit)
        )
    )
    latest = latest_values(session, ctx, tenant_id, (d.entity_id for d in devices))
    features = []
    for device in devices:
        readings = [x for x in latest.get(device.entity_id, []) if x.numeric][:6]
        features.append(
            {
                "type": "Feature",
                "id": device.device_id,
                "geometry": {"type": "Point", "coordinates": [device.lon, device.lat]},
                "properties": {
                    "device_id": device.device_id,
                    "name": device.name,
                    "type": device.device_type,
                    "status": device.status,
                    "cell": device.cell_code,
                    "last_seen": device.last_seen_at.isoformat() if device.last_seen_at else None,
                    "readings": [
                        {
                            "name": x.name,
                            "value": x.value,
                            "unit": x.unit_label,
                            "at": x.observed_at,
                        }
                        for x in readings
                    ],
                },
            }
        )
    return features


@dataclass(frozen=True)
class AirQuality:
    stations: int  # stations in service with a PM2.5 reading
    pm25_mean: float | None
    pm25_max: float | None
    aqi_max: float | None
    observed_at: str | None  # the newest of the readings


def air_quality_now(session: Session, ctx: ActiveContext, tenant_id: int) -> AirQuality:
    """PM2.5 and AQI across the air quality stations in service, from their latest readings."""
    ids = session.scalars(
        select(Device.entity_id).where(
            Device.tenant_id == tenant_id,
            Device.device_type == DeviceKind.AIR_QUALITY_STATION.value,
            Device.status != "retired",
        )
    )
    pm25: list[float] = []
    aqi: list[float] = []
    newest: str | None = None
    for values in latest_values(session, ctx, tenant_id, ids).values():
        for item in values:
            if not item.numeric or item.name not in (PM25, AQI):
                continue
            (pm25 if item.name == PM25 else aqi).append(float(item.value))
            if item.observed_at and (newest is None or item.observed_at > newest):
                newest = item.observed_at
    return AirQuality(
        stations=len(pm25),
        pm25_mean=round(sum(pm25) / len(pm25), 1) if pm25 else None,
        pm25_max=max(pm25) if pm25 else None,
        aqi_max=max(aqi) if aqi else None,
        observed_at=newest,
    )


@dataclass(frozen=True)
class EntityNow:
    entity_id: str
    types: list[str]
    attributes: list[Latest]


def entity_now(
    session: Session, ctx: ActiveContext, tenant_id: int, entity_id: str
) -> EntityNow | None:
    """An entity's types and current attributes, compacted for people; None if unknown."""
    row = session.execute(
        select(ContextEntity.types, ContextEntity.attrs).where(
            ContextEntity.tenant_id == tenant_id, ContextEntity.entity_id == entity_id
        )
    ).first()
    if row is None:
        return None
    types = [ctx.present_name(t) for t in row.types]
    return EntityNow(entity_id, types, _latest(ctx, row.attrs or {}))


@dataclass
class HealthRow:
    """The devices of one type in one district: how many in each status, how many in service
    never reported, and when the last of them reported."""

    device_type: str
    district_code: str | None
    counts: dict[str, int]
    never_reported: int = 0
    last_seen: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def health_by_type_and_district(
    session: Session, tenant_id: int, *, device_type: str | None = None, district: str | None = None
) -> list[HealthRow]:
    """One row per (device type, district) holding devices, by type then district code."""
    in_service_unseen = (Device.status != "retired") & Device.last_seen_at.is_(None)
    stmt = select(
        Device.device_type,
        Device.district_code,
        Device.status,
        func.count(),
        func.sum(case((in_service_unseen, 1), else_=0)),
        func.max(Device.last_seen_at),
    ).where(Device.tenant_id == tenant_id)
    if device_type is not None:
        stmt = stmt.where(Device.device_type == device_type)
    if district is not None:
        stmt = stmt.where(Device.district_code == district)
    rows: dict[tuple[str, str | None], HealthRow] = {}
    for kind, code, status, count, never, seen in session.execute(
        stmt.group_by(Device.device_type, Device.district_code, Device.status)
    ):
        row = rows.setdefault((kind, code), HealthRow(kind, code, dict.fromkeys(STATUSES, 0)))
        row.counts[status] = row.counts.get(status, 0) + int(count)
        row.never_reported += int(never or 0)
        if seen is not None and (row.last_seen is None or seen > row.last_seen):
            row.last_seen = seen
    return [rows[k] for k in sorted(rows, key=lambda k: (k[0], k[1] or ""))]
