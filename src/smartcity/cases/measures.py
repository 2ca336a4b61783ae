"""The case system's live measures for the LIVED programme: food-safety complaint handling days
and 按期结案率 (all cases and 12345 hotline cases), registered in the plan's measure registry in
place of the declared ones by `register_case_measures`, which the app and the CLI call at start."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from smartcity.cases.evaluation import EvaluationQuery, GroupBy, aggregate
from smartcity.cases.evaluation_facts import refresh_facts
from smartcity.cases.evaluation_models import CaseEvaluationFact as F
from smartcity.cases.states import CaseSource
from smartcity.plan.measures import Measure, Measurement, Period, current_year, register_measure
from smartcity.platform import Platform

FOOD_SAFETY = "H01"  # the hotline's food-safety category; its subcategories count with it
_DAY = 86400.0


def _period(platform: Platform, period: Period | None) -> tuple[Period, datetime]:
    period = period or current_year(platform)
    return period, min(period.end, platform.clock.now())


def _days_to_close(session: Session) -> object:
    """Calendar seconds from report to closure, on either database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", F.closed_at - F.reported_at)
    return (func.julianday(F.closed_at) - func.julianday(F.reported_at)) * _DAY


def food_safety_handling_days(
    session: Session, platform: Platform, tenant_id: int, period: Period | None
) -> Measurement:
    period, as_of = _period(platform, period)
    refresh_facts(session, tenant_id)
    mean, count = session.execute(
        select(func.avg(_days_to_close(session)), func.count()).where(
            F.tenant_id == tenant_id,
            or_(F.category == FOOD_SAFETY, F.category.startswith(FOOD_SAFETY)),
            F.closed_at >= period.start,
            F.closed_at < period.end,
            F.closed_at <= as_of,
        )
    ).one()
    value = round(float(mean) / _DAY, 2) if mean is not None else None
    details = {"cases_closed": int(count), "category": FOOD_SAFETY}
    return Measurement(value, period, FOOD_SAFETY_METHOD, details)


def _on_time_rate(
    session: Session, platform: Platform, tenant_id: int, period: Period | None, source: str | None
) -> Measurement:
    period, as_of = _period(platform, period)
    refresh_facts(session, tenant_id)
    q = EvaluationQuery(GroupBy.CITY, period.start, period.end, source=source)
    _, total = aggregate(session, tenant_id, q, as_of)
    rate = total.on_time_closure_rate
    details = {
        "registered": total.registered,
        "due": total.due,
        "closed_on_time": total.closed_on_time,
        "source": source or "all",
    }
    method = HOTLINE_METHOD if source else ON_TIME_METHOD
    return Measurement(round(rate * 100, 2) if rate is not None else None, period, method, details)


def on_time_closure_rate(
    session: Session, platform: Platform, tenant_id: int, period: Period | None
) -> Measurement:
    return _on_time_rate(session, platform, tenant_id, period, None)


def hotline_on_time_closure_rate(
    session: Session, platform: Platform, tenant_id: int, period: Period | None
) -> Measurement:
    return _on_time_rate(session, platform, tenant_id, period, CaseSource.HOTLINE.value)


FOOD_SAFETY_METHOD = (
    "Mean calendar days from report to closure (结案) of the cases of the 12345 food-safety "
    "category (H01 and its subcategories) closed in the period, from the case system. Default "
    "period: this year to date (Beijing time)."
)
ON_TIME_METHOD = (
    "按期结案率 (GB/T 30428): of the cases registered (立案) in the period, those closed no "
    "later than their due time ÷ those due by the period's end (closed, or open past their due "
    "time) × 100, from the case system. Default period: this year to date (Beijing time)."
)
HOTLINE_METHOD = ON_TIME_METHOD.replace(
    "of the cases registered", "of the 12345 hotline cases registered"
)

CASE_MEASURES: tuple[Measure, ...] = (
    Measure(
        "food_safety_complaint_handling_days",
        "食品安全投诉办理天数",
        "Food-safety complaint handling days",
        "cases",
        "days",
        FOOD_SAFETY_METHOD,
        compute=food_safety_handling_days,
    ),
    Measure(
        "on_time_closure_rate",
        "按期结案率",
        "On-time closure rate",
        "cases",
        "percent",
        ON_TIME_METHOD,
        compute=on_time_closure_rate,
    ),
    Measure(
        "hotline_on_time_closure_rate",
        "12345热线按期办结率",
        "12345 hotline on-time closure rate",
        "cases",
        "percent",
        HOTLINE_METHOD,
        compute=hotline_on_time_closure_rate,
    ),
)


def register_case_measures() -> None:
    """Put the case system's measures in the plan's registry (replacing the declared ones)."""
    for measure in CASE_MEASURES:
        register_measure(measure)


register_case_measures()  # on import: see the end of smartcity.plan.measures
