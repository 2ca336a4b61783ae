"""The overview's alert tiles: active alerts (raised or acknowledged) by severity."""

from __future__ import annotations

from sqlalchemy import func, select

from smartcity.console.tiles import Tile, TileContext, TileProvider
from smartcity.rules.alerts import ACTIVE
from smartcity.rules.models import Alert
from smartcity.rules.schemas import SEVERITIES

# The severities that make the tile red; the rest make it amber.
URGENT = ("high", "critical")


def active_by_severity(ctx: TileContext) -> dict[str, int]:
    rows = ctx.session.execute(
        select(Alert.severity, func.count())
        .where(Alert.tenant_id == ctx.principal.tenant_id, Alert.status.in_(ACTIVE))
        .group_by(Alert.severity)
    )
    return {severity: count for severity, count in rows}


def alert_tiles(ctx: TileContext) -> list[Tile]:
    counts = active_by_severity(ctx)
    total = sum(counts.values())
    t = ctx.t
    parts = [f"{t('severity.' + s)} {counts[s]}" for s in reversed(SEVERITIES) if counts.get(s)]
    tone = "good" if not total else "alert" if any(counts.get(s) for s in URGENT) else "warn"
    return [
        Tile(
            "alerts.active",
            t("tile.alerts_active"),
            f"{total:,}",
            t("unit.alerts"),
            " · ".join(parts) if parts else t("tile.alerts_none"),
            tone,
            "/alerts?status=active",
        )
    ]


PROVIDERS = [TileProvider("alerts.active", "alerts:read", alert_tiles, order=20)]
