"""Live measures: indicator values the platform computes from its own data instead of taking
them typed in, each with the period it covers and how it was computed.

`MEASURES` is the registry. Measures of other parts are declared here as unavailable, saying
why; each part that computes one replaces its entry with `register_measure` (the case system's
handling days and on-time closure rates, the open-data catalogue's datasets: see the end).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartcity.context.models import ContextEntity, ContextEntityType
from smartcity.context.temporal.aggregate import aggregate
from smartcity.context.temporal.params import Aggregation, Duration, Window
from smartcity.geo.models import District, UnitGridCell
from smartcity.plan.models import PlanProject
from smartcity.platform import Platform
from smartcity.sensing import service as sensing
from smartcity.sensing.device_types import DeviceKind

SHANGHAI = timezone(timedelta(hours=8))  # calendar days are Beijing days
PM25_DAILY_LIMIT = 75.0  # µg/m³, GB 3095-2012 grade II, 24-hour mean


@dataclass(frozen=True)
class Period:
    """[start, end): what a measure looks at; an instant measure has start == end."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Measurement:
    value: float | None
    period: Period | None
    method: str
    details: dict[str, Any] = field(default_factory=dict)
    available: bool = True
    reason: str | None = None


Compute = Callable[[Session, Platform, int, Period | None], Measurement]


@dataclass(frozen=True)
class Measure:
    key: str
    name_zh: str
    name_en: str
    source: str  # the platform part the data comes from
    unit: str
    method: str
    u4ssc: str | None = None
    compute: Compute | None = None  # None: declared, not available yet
    unavailable_reason: str | None = None

    @property
    def available(self) -> bool:
        return self.compute is not None

    def measure(
        self, session: Session, platform: Platform, tenant_id: int, period: Period | None = None
    ) -> Measurement:
        if self.compute is None:
            return Measurement(
                None, None, self.method, available=False, reason=self.unavailable_reason
            )
        return self.compute(session, platform, tenant_id, period)


def current_year(platform: Platform) -> Period:
    """From 1 January (Beijing time) of this year to now."""
    now = platform.clock.now()
    local = now.astimezone(SHANGHAI)
    start = datetime(local.year, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
    return Period(start, now)


# -- the live ones ---------------------------------------------------------------------------


def count_public_wifi(
    session: Session, platform: Platform, tenant_id: int, period: Period | None
) -> Measurement:
    now = platform.clock.now()
    filters = sensing.Filters(type=DeviceKind.WIFI_ACCESS_POINT.value, status="active")
    _, total = sensing.list_devices(session, tenant_id, filters, limit=1)
    return Measurement(float(total), Period(now, now), MEASURES["public_wifi_access_points"].method)


def grid_coverage(
    session: Session, platform: Platform, tenant_id: int, period: Period | None
) -> Measurement:
    now = platform.clock.now()
    method = MEASURES["grid_coverage"].method
    city = session.scalar(
        select(func.coalesce(func.sum(District.area_m2), 0.0)).where(
            District.tenant_id == tenant_id
        )
    )
    cells, cell_count = session.execute(
        select(func.coalesce(func.sum(UnitGridCell.area_m2), 0.0), func.count()).where(
            UnitGridCell.tenant_id == tenant_id
        )
    ).one()
    if not city:
        return Measurement(
            None,
            Period(now, now),
            method,
            available=False,
            reason="the city model has no districts yet",
        )
    share = min(100.0, float(cells) / float(city) * 100.0)
    details = {
        "grid_cells": int(cell_count),
        "cells_area_km2": round(float(cells) / 1e6, 3),
        "city_area_km2": round(float(city) / 1e6, 3),
    }
    return Measurement(round(share, 3), Period(now, now), method, details)


def air_quality_standard_days(
    session: Session, platform: Platform, tenant_id: int, period: Period | None
) -> Measurement:
    period = period or current_year(platform)
    method = MEASURES["air_quality_standard_days"].method
    assert platform.contexts is not None
    core = platform.contexts.core
    kind = core.expand_type("AirQualityObserved")
    pm25 = core.stored_name("pm25")
    entity_ids = list(
        session.scalars(
            select(ContextEntityType.entity_pk).where(
                ContextEntityType.tenant_id == tenant_id, ContextEntityType.type == kind
            )
        )
    )
    ids = _entity_ids(session, tenant_id, entity_ids)
    origin = _beijing_midnight(period.start)
    window = Window(timerel="between", time_at=origin, end_time_at=period.end)
    found = aggregate(
        session,
        tenant_id,
        ids,
        {pm25},
        window,
        Aggregation(("avg",), Duration(0, timedelta(days=1))),
    )
    by_day: dict[str, list[float]] = defaultdict(list)
    for series in found.values():
        for methods in series.get(pm25, {}).values():
            for value, start, _end in methods["avg"]:
                by_day[start].append(value)
    city_means = {day: sum(v) / len(v) for day, v in by_day.items()}
    good = sum(1 for mean in city_means.values() if mean <= PM25_DAILY_LIMIT)
    details = {
        "stations": len(ids),
        "days_with_data": len(city_means),
        "days_within_standard": good,
        "share_within_standard_percent": (
            round(good / len(city_means) * 100, 2) if city_means else None
        ),
        "limit_ug_m3": PM25_DAILY_LIMIT,
    }
    return Measurement(float(good), Period(origin, period.end), method, details)


def _entity_ids(session: Session, tenant_id: int, pks: list[int]) -> list[str]:
    if not pks:
        return []
    return list(
        session.scalars(
            select(ContextEntity.entity_id).where(
                ContextEntity.tenant_id == tenant_id, ContextEntity.id.in_(pks)
            )
        )
    )


def _beijing_midnight(moment: datetime) -> datetime:
    local = moment.astimezone(SHANGHAI)
    return datetime(local.year, local.month, local.day, tzinfo=SHANGHAI).astimezone(UTC)


def key_projects_completed(
    session: Session, platform: Platform, tenant_id: int, period: Period | None
) -> Measurement:
    now = platform.clock.now()
    rows = session.execute(
        select(PlanProject.status, func.count())
        .where(PlanProject.tenant_id == tenant_id)
        .group_by(PlanProject.status)
    ).all()
    by_status = {status: int(n) for status, n in rows}
    return Measurement(
        float(by_status.get("done", 0)),
        Period(now, now),
        MEASURES["key_projects_completed"].method,
        {"by_status": by_status},
    )


MEASURES: dict[str, Measure] = {}


def register_measure(measure: Measure) -> None:
    """Add a measure, or replace a declared one when its part can now compute it."""
    MEASURES[measure.key] = measure


for _measure in (
    Measure(
        "public_wifi_access_points",
        "公共Wi-Fi接入点数",
        "Public Wi-Fi access points",
        "sensing",
        "access_points",
        "Count of devices of type wifi_access_point whose status is active in the device "
        "registry, at the moment of the query.",
        u4ssc="Availability of WIFI in Public Areas",
        compute=count_public_wifi,
    ),
    Measure(
        "grid_coverage",
        "网格化管理覆盖面积比例",
        "Share of the city's area in unit grid cells",
        "geo",
        "percent",
        "Sum of the areas of the city model's unit grid cells divided by the sum of its "
        "districts' areas, × 100 (capped at 100), at the moment of the query.",
        compute=grid_coverage,
    ),
    Measure(
        "air_quality_standard_days",
        "空气质量达标天数",
        "Days within the national PM2.5 standard",
        "context",
        "days",
        "From the NGSI-LD history of AirQualityObserved entities: each station's mean pm25 per "
        "Beijing calendar day, averaged over the stations reporting that day; days whose city "
        "mean is at most 75 µg/m³ (GB 3095-2012 grade II, 24-hour) are counted. Days without "
        "any reading are not counted either way. Default period: this year to date.",
        u4ssc="Air Pollution",
        compute=air_quality_standard_days,
    ),
    Measure(
        "key_projects_completed",
        "已完成重点专项数",
        "Key projects completed",
        "plan",
        "projects",
        "Count of the programme's key projects whose status is done, at the moment of the query.",
        compute=key_projects_completed,
    ),
    Measure(
        "food_safety_complaint_handling_days",
        "食品安全投诉办理天数",
        "Food-safety complaint handling days",
        "cases",
        "days",
        "Mean days from registration to closure of food-safety complaint cases closed in the "
        "period (to be computed by the case system).",
        unavailable_reason="not available yet: the case system does not publish this measure",
    ),
    Measure(
        "on_time_closure_rate",
        "按期结案率",
        "On-time closure rate",
        "cases",
        "percent",
        "Cases closed within their deadline ÷ cases due in the period × 100 (GB/T 30428), to "
        "be computed by the case system.",
        unavailable_reason="not available yet: the case system does not publish this measure",
    ),
    Measure(
        "open_datasets_published",
        "已开放数据集数",
        "Open datasets published",
        "opendata",
        "datasets",
        "Count of datasets published in the open-data catalogue (to be computed by it).",
        u4ssc="Open Data (EC: ICT: PS: 1A)",
        unavailable_reason="not available yet: the platform has no open-data catalogue",
    ),
):
    register_measure(_measure)

# The parts that compute measures of their own register them when imported (at the end of their
# module); importing them here makes the registry complete wherever it is read, whichever module
# is imported first (they import this module's names, all defined above).
import smartcity.cases.measures  # noqa: E402
import smartcity.opendata.measures  # noqa: E402, F401
