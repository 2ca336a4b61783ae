"""The overview tiles sensing can fill today: devices by status, air quality now, readings in
the last hour."""

from __future__ import annotations

from datetime import timedelta

from smartcity.console import readings
from smartcity.console.tiles import Tile, TileContext, TileProvider

# PM2.5 (μg/m³) bands of China's air quality index (HJ 633-2012): excellent, good, polluted.
PM25_GOOD, PM25_FAIR = 35.0, 75.0


def _number(value: float | int) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def device_tiles(ctx: TileContext) -> list[Tile]:
    counts = readings.status_counts(ctx.session, ctx.principal.tenant_id)
    in_service = sum(n for status, n in counts.items() if status != "retired")
    silent, faulty = counts.get("silent", 0), counts.get("faulty", 0)
    t = ctx.t
    return [
        Tile(
            "devices.active",
            t("tile.devices_active"),
            _number(counts.get("active", 0)),
            t("unit.devices"),
            t("tile.devices_active_detail", total=_number(in_service)),
            "good" if in_service and not (silent or faulty) else "normal",
            "/sensing/devices",
        ),
        Tile(
            "devices.silent",
            t("tile.devices_silent"),
            _number(silent),
            t("unit.devices"),
            t("tile.devices_silent_detail", faulty=_number(faulty)),
            "alert" if silent else "good",
            "/sensing/devices?status=silent",
        ),
    ]


def air_tiles(ctx: TileContext) -> list[Tile]:
    assert ctx.platform.contexts is not None
    air = readings.air_quality_now(ctx.session, ctx.platform.contexts.core, ctx.principal.tenant_id)
    t = ctx.t
    if air.pm25_mean is None:
        return [Tile("air.pm25", t("tile.pm25"), "—", "", t("tile.pm25_none"))]
    tone = (
        "good" if air.pm25_mean <= PM25_GOOD else "warn" if air.pm25_mean <= PM25_FAIR else "alert"
    )
    detail = t("tile.pm25_detail", max=_number(air.pm25_max or 0.0), stations=air.stations)
    if air.aqi_max is not None:
        detail += " · " + t("tile.aqi_max", aqi=_number(air.aqi_max))
    return [Tile("air.pm25", t("tile.pm25"), _number(air.pm25_mean), "μg/m³", detail, tone)]


def reading_tiles(ctx: TileContext) -> list[Tile]:
    since = ctx.now - timedelta(hours=1)
    count = readings.readings_since(ctx.session, ctx.principal.tenant_id, since)
    t = ctx.t
    return [
        Tile(
            "readings.hour",
            t("tile.readings_hour"),
            _number(count),
            t("unit.readings"),
            t("tile.readings_hour_detail"),
        )
    ]


PROVIDERS = [
    TileProvider("sensing.devices", "devices:read", device_tiles, order=30),
    TileProvider("sensing.air", "context:read", air_tiles, order=40),
    TileProvider("sensing.readings", "devices:read", reading_tiles, order=50),
]
