"""The fleet's health per device type and district: how many devices are active, silent, faulty
and retired, how many never reported, and the mean time since the last reading of those in
service (not retired) that have reported. One grouped query; the arithmetic on times is the
database's (epoch seconds on PostgreSQL, Julian days on SQLite)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Float, bindparam, case, cast, func, literal_column, select
from sqlalchemy.orm import Session

from smartcity.geo.models import District
from smartcity.sensing.models import Device

STATUSES = ("active", "silent", "faulty", "retired")


class HealthGroupOut(BaseModel):
    """The devices of one type in one district (the API's shape)."""

    device_type: str
    type_name_zh: str
    type_name_en: str
    district_code: str | None
    district_name_zh: str | None
    district_name_en: str | None
    total: int
    active: int
    silent: int
    faulty: int
    retired: int
    never_reported: int = Field(description="in service and never sent a reading")
    mean_seconds_since_last_reading: float | None = Field(
        description="over the devices in service that have reported"
    )


class FleetHealthOut(BaseModel):
    at: datetime
    items: list[HealthGroupOut]


@dataclass
class HealthGroup:
    device_type: str
    district_code: str | None
    district_name_zh: str | None = None
    district_name_en: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    never_reported: int = 0
    mean_seconds_since_last_reading: float | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _age_seconds(dialect: str, now: datetime) -> ColumnElement[float]:
    """Seconds from a device's last reading to `now`, in the database's own arithmetic."""
    if dialect == "postgresql":
        at = bindparam("health_now", now, type_=Device.__table__.c.last_seen_at.type)
        return func.extract("epoch", at - Device.last_seen_at)
    utc_text = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLite stores times
    return cast(
        (func.julianday(utc_text) - func.julianday(Device.last_seen_at))
        * literal_column("86400.0"),
        Float,
    )


def fleet_health(
    session: Session,
    tenant_id: int,
    now: datetime,
    *,
    device_type: str | None = None,
    district: str | None = None,
) -> list[HealthGroup]:
    """One group per (device type, district) holding devices, by type then district code."""
    dialect = session.get_bind().dialect.name
    in_service = Device.status != "retired"
    seen = Device.last_seen_at.is_not(None)
    age = case((in_service & seen, _age_seconds(dialect, now)))
    stmt = select(
        Device.device_type,
        Device.district_code,
        Device.status,
        func.count(),
        func.sum(case((in_service & ~seen, 1), else_=0)),
        func.sum(age),
        func.count(age),
    ).where(Device.tenant_id == tenant_id)
    if device_type is not None:
        stmt = stmt.where(Device.device_type == device_type)
    if district is not None:
        stmt = stmt.where(Device.district_code == district)
    stmt = stmt.group_by(Device.device_type, Device.district_code, Device.status)
    groups: dict[tuple[str, str | None], HealthGroup] = {}
    sums: dict[tuple[str, str | None], tuple[float, int]] = {}
    for kind, code, status, count, never, age_sum, aged in session.execute(stmt):
        key = (kind, code)
        group = groups.setdefault(key, HealthGroup(kind, code))
        group.counts[status] = group.counts.get(status, 0) + int(count)
        group.never_reported += int(never or 0)
        total, n = sums.get(key, (0.0, 0))
        sums[key] = (total + float(age_sum or 0.0), n + int(aged or 0))
    for key, (total, n) in sums.items():
        if n:
            groups[key].mean_seconds_since_last_reading = round(total / n, 3)
    _name_districts(session, tenant_id, groups.values())
    return [groups[k] for k in sorted(groups, key=lambda k: (k[0], k[1] or ""))]


def _name_districts(session: Session, tenant_id: int, groups: Iterable[HealthGroup]) -> None:
    groups = list(groups)
    codes = {g.district_code for g in groups if g.district_code}
    if not codes:
        return
    names = {
        code: (zh, en)
        for code, zh, en in session.execute(
            select(District.code, District.name_zh, District.name_en).where(
                District.tenant_id == tenant_id, District.code.in_(sorted(codes))
            )
        )
    }
    for group in groups:
        if group.district_code in names:
            group.district_name_zh, group.district_name_en = names[group.district_code]
