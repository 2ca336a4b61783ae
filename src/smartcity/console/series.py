"""A numeric attribute's values over a period, read from the context broker's temporal history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from smartcity.context.jsonld import ActiveContext
from smartcity.context.temporal import history
from smartcity.context.temporal.params import Window

PERIODS = {
    "1h": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
MAX_POINTS = 5000


@dataclass(frozen=True)
class Series:
    attr: str
    unit: str | None
    points: list[tuple[str, float]]  # (observedAt, value), oldest first
    partial: bool
    start: datetime
    end: datetime


def attribute_series(
    session: Session,
    ctx: ActiveContext,
    tenant_id: int,
    entity_id: str,
    attr: str,
    *,
    period: str,
    now: datetime,
) -> Series:
    """The attribute's numeric values observed in the period up to now (the newest kept first
    when the period holds more than MAX_POINTS values)."""
    start = now - PERIODS[period]
    window = Window(timerel="between", time_at=start, end_time_at=now + timedelta(minutes=5))
    read = history.read(
        session, tenant_id, [entity_id], [ctx.stored_name(attr)], window, limit=MAX_POINTS
    )
    points: list[tuple[str, float]] = []
    unit: str | None = None
    for instances in read.instances.get(entity_id, {}).values():
        for instance in instances:
            value = instance.get("value")
            if isinstance(value, int | float) and not isinstance(value, bool):
                points.append((instance.get("observedAt", ""), float(value)))
                unit = unit or instance.get("unitCode")
    points.sort()
    return Series(attr, unit, points, read.cut is not None, start, now)
