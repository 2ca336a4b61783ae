"""What the overview and the map show of cases: open and overdue cases, today's 12345 intake,
the on-time rate, and open cases per grid cell. Reads only, through the case part's own
visibility rule (a handler's figures are its department's)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from smartcity.cases.actors import actor_of, visible
from smartcity.cases.calendar import SHANGHAI
from smartcity.cases.intake import OPEN
from smartcity.cases.models import Case
from smartcity.cases.states import CaseSource
from smartcity.console.map_layers import CellMeasure
from smartcity.console.tiles import Tile, TileContext, TileProvider

ON_TIME_WINDOW = timedelta(days=30)  # the on-time rate counts cases closed in the last 30 days


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """An open case past its deadline (or escalated), its clock still running or paused."""
    return (
        Case.status.in_(OPEN)
        & Case.clock_stopped_at.is_(None)
        & (Case.escalated_at.is_not(None) | (Case.due_at <= now))
    )


def _count(session: Session, stmt: Select) -> int:
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def start_of_day(now: datetime) -> datetime:
    """Midnight today in the city's time zone."""
    local = now.astimezone(SHANGHAI)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def case_tiles(ctx: TileContext) -> list[Tile]:
    session, t, now = ctx.session, ctx.t, ctx.now
    base = visible(select(Case.id), ctx.principal, actor_of(session, ctx.principal))
    open_cases = _count(session, base.where(Case.status.in_(OPEN)))
    waiting = _count(session, base.where(Case.status == "reported"))
    overdue = _count(session, base.where(overdue_condition(now)))
    today = start_of_day(now)
    hotline = _count(
        session, base.where(Case.source == CaseSource.HOTLINE.value, Case.created_at >= today)
    )
    intake = _count(session, base.where(Case.created_at >= today))
    recent = base.where(Case.closed_at >= now - ON_TIME_WINDOW)
    total_closed = _count(session, recent.where(Case.closed_on_time.is_not(None)))
    on_time = _count(session, recent.where(Case.closed_on_time.is_(True)))
    rate = f"{100 * on_time / total_closed:.0f}" if total_closed else "—"
    rate_tone = (
        "normal"
        if not total_closed
        else "good"
        if on_time / total_closed >= 0.9
        else "warn"
        if on_time / total_closed >= 0.7
        else "alert"
    )
    return [
        Tile(
            "cases.open",
            t("tile.cases_open"),
            f"{open_cases:,}",
            t("unit.cases"),
            t("tile.cases_open_detail", waiting=f"{waiting:,}"),
            "normal",
            "/cases",
        ),
        Tile(
            "cases.overdue",
            t("tile.cases_overdue"),
            f"{overdue:,}",
            t("unit.cases"),
            t("tile.cases_overdue_detail"),
            "alert" if overdue else "good",
            "/cases?overdue=yes",
        ),
        Tile(
            "cases.hotline_today",
            t("tile.hotline_today"),
            f"{hotline:,}",
            t("unit.cases"),
            t("tile.hotline_today_detail", total=f"{intake:,}"),
            "normal",
            "/cases?source=hotline",
        ),
        Tile(
            "cases.on_time",
            t("tile.on_time"),
            rate,
            "%" if total_closed else "",
            t("tile.on_time_detail", closed=f"{total_closed:,}"),
            rate_tone,
        ),
    ]


def open_cases_per_cell(session: Session, tenant_id: int) -> dict[str, float]:
    rows = session.execute(
        select(Case.cell_code, func.count())
        .where(Case.tenant_id == tenant_id, Case.status.in_(OPEN))
        .group_by(Case.cell_code)
    )
    return {cell: count for cell, count in rows if cell}


PROVIDERS = [TileProvider("cases", "cases:read", case_tiles, order=25)]
MEASURES = [CellMeasure("cases", "map.measure_cases", "cases:read", open_cases_per_cell)]
