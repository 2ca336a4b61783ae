"""综合评价: the grid-management evaluation per department, street, district or the whole city
over a period [from, to), as SQL aggregates over the evaluation's fact table.

The cases counted are those registered (立案) in the period. At the cut-off (the period's end, or
now if that is earlier) the standard's formulas apply as `rates.closure_rates` has them: cases due
(应结案数) are those closed by the cut-off plus those open past their due time; 结案率 = closed ÷
due, 按期结案率 = closed no later than their due time ÷ due. Handling time is the working time
the deadline clock counted from dispatch to 处理反馈 or 结案 (suspensions and verification
excluded), for cases handled by the cut-off; the 90th percentile is the nearest-rank one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, tuple_
from sqlalchemy.orm import Session

from smartcity.cases.actors import actor_of
from smartcity.cases.calendar import aware
from smartcity.cases.catalogue import category_set
from smartcity.cases.evaluation_facts import refresh_facts
from smartcity.cases.evaluation_models import CaseEvaluationFact as F
from smartcity.core.errors import ValidationFailed
from smartcity.geo.models import Department, District, Street
from smartcity.platform import Platform
from smartcity.security.principal import Principal
from smartcity.security.roles import Role

SATISFIED = 4  # a rating of 4 or 5 (of 5) counts as satisfied


class GroupBy(StrEnum):
    DEPARTMENT = "department"
    STREET = "street"
    DISTRICT = "district"
    CITY = "city"


_KEYS: dict[GroupBy, ColumnElement[Any]] = {
    GroupBy.DEPARTMENT: F.department,
    GroupBy.STREET: F.street_code,
    GroupBy.DISTRICT: F.district_code,
}


@dataclass(frozen=True)
class EvaluationQuery:
    by: GroupBy
    start: datetime
    end: datetime
    category: str | None = None  # a category code; its subcategories are included
    source: str | None = None
    department: str | None = None  # set for handlers: they see their own department's figures


@dataclass(frozen=True)
class EvaluationRow:
    """The figures of one department, street, district or the city."""

    key: str | None
    name_zh: str | None
    name_en: str | None
    registered: int  # 立案数
    due: int  # 应结案数
    closed: int  # 结案数
    closed_on_time: int  # 按期结案数
    handled: int
    handling_seconds_mean: float | None
    handling_seconds_p90: float | None
    dispatched: int
    returned: int  # cases returned by a department at least once (退单)
    ever_closed: int
    reopened: int
    rated: int
    rating_mean: float | None
    satisfied: int

    @property
    def closure_rate(self) -> float | None:
        return self.closed / self.due if self.due else None

    @property
    def on_time_closure_rate(self) -> float | None:
        return self.closed_on_time / self.due if self.due else None

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.dispatched if self.dispatched else None

    @property
    def reopen_rate(self) -> float | None:
        return self.reopened / self.ever_closed if self.ever_closed else None

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


@dataclass(frozen=True)
class Evaluation:
    query: EvaluationQuery
    as_of: datetime
    rows: list[EvaluationRow]
    total: EvaluationRow
    notes: dict[str, str] = field(default_factory=dict)


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _closed_by(as_of: datetime) -> ColumnElement[bool]:
    return and_(F.closed_at.is_not(None), F.closed_at <= as_of)


def _handled_by(as_of: datetime) -> ColumnElement[bool]:
    return and_(F.handling_seconds.is_not(None), F.handled_at <= as_of)


def _scope(stmt: Select, tenant_id: int, q: EvaluationQuery) -> Select:
    stmt = stmt.where(F.tenant_id == tenant_id, F.registered_at >= q.start, F.registered_at < q.end)
    if q.category is not None:
        stmt = stmt.where(or_(F.category == q.category, F.category.startswith(q.category)))
    if q.source is not None:
        stmt = stmt.where(F.source == q.source)
    if q.department is not None:
        stmt = stmt.where(F.department == q.department)
    return stmt


def _figures(as_of: datetime) -> list[ColumnElement[Any]]:
    closed = _closed_by(as_of)
    handled = _handled_by(as_of)
    return [
        func.count().label("registered"),
        _flag(or_(closed, and_(F.due_at.is_not(None), F.due_at < as_of))).label("due"),
        _flag(closed).label("closed"),
        _flag(and_(closed, F.due_at.is_not(None), F.closed_at <= F.due_at)).label("on_time"),
        _flag(handled).label("handled"),
        func.avg(case((handled, F.handling_seconds))).label("handling_mean"),
        _flag(F.dispatched.is_(True)).label("dispatched"),
        _flag(F.returns > 0).label("returned"),
        _flag(or_(F.closed_at.is_not(None), F.reopens > 0)).label("ever_closed"),
        _flag(F.reopens > 0).label("reopened"),
        func.count(F.rating).label("rated"),
        func.avg(F.rating).label("rating_mean"),
        _flag(F.rating >= SATISFIED).label("satisfied"),
    ]


def _p90(session: Session, tenant_id: int, q: EvaluationQuery, key: Any, as_of: datetime) -> Any:
    """Nearest-rank 90th percentile of handling time per group, by window functions."""
    ranked = _scope(
        select(
            key.label("key"),
            F.handling_seconds.label("seconds"),
            func.row_number().over(partition_by=key, order_by=F.handling_seconds).label("rank"),
            func.count().over(partition_by=key).label("n"),
        ),
        tenant_id,
        q,
    ).where(_handled_by(as_of))
    sub = ranked.subquery()
    stmt = select(sub.c.key, sub.c.seconds).where(sub.c.rank == (sub.c.n * 9 + 9) // 10)
    return {k: float(s) for k, s in session.execute(stmt)}


def _row(
    key: str | None, r: Any, p90: float | None, names: tuple[str, str] | None
) -> EvaluationRow:
    return EvaluationRow(
        key=key,
        name_zh=names[0] if names else None,
        name_en=names[1] if names else None,
        registered=int(r.registered),
        due=int(r.due),
        closed=int(r.closed),
        closed_on_time=int(r.on_time),
        handled=int(r.handled),
        handling_seconds_mean=float(r.handling_mean) if r.handling_mean is not None else None,
        handling_seconds_p90=p90,
        dispatched=int(r.dispatched),
        returned=int(r.returned),
        ever_closed=int(r.ever_closed),
        reopened=int(r.reopened),
        rated=int(r.rated),
        rating_mean=float(r.rating_mean) if r.rating_mean is not None else None,
        satisfied=int(r.satisfied),
    )


def _names(session: Session, tenant_id: int, by: GroupBy) -> dict[str, tuple[str, str]]:
    model: Any = {
        GroupBy.DEPARTMENT: Department,
        GroupBy.STREET: Street,
        GroupBy.DISTRICT: District,
    }.get(by)
    if model is None:
        return {}
    rows = session.execute(
        select(model.code, model.name_zh, model.name_en).where(model.tenant_id == tenant_id)
    )
    return {code: (zh, en) for code, zh, en in rows}


def check_query(session: Session, tenant_id: int, q: EvaluationQuery) -> None:
    """Refuse a period that is empty or reversed and a category the city does not have."""
    start, end = aware(q.start, "from"), aware(q.end, "to")
    if start >= end:
        raise ValidationFailed("the period must end after it starts", field="to")
    if q.category is not None and q.category not in category_set(session, tenant_id):
        raise ValidationFailed(f"no category {q.category}", field="category")


def aggregate(
    session: Session, tenant_id: int, q: EvaluationQuery, as_of: datetime
) -> tuple[list[EvaluationRow], EvaluationRow]:
    """The figures per group and for all groups together, from the fact table as it stands."""
    names = _names(session, tenant_id, q.by)
    key = _KEYS.get(q.by, F.tenant_id)  # the city: one group, the tenant
    if session.get_bind().dialect.name == "postgresql":
        found = _aggregate_postgresql(session, tenant_id, q, key, as_of)
    else:
        found = _aggregate_portable(session, tenant_id, q, key, as_of)
    total = found.pop(_TOTAL)
    rows = (
        []
        if q.by == GroupBy.CITY
        else [_row(k, r, p90, names.get(k) if k else None) for k, (r, p90) in found.items()]
    )
    rows.sort(key=lambda r: (r.key is None, r.key or ""))  # unassigned cases last
    city = _row(None, total[0], total[1], ("全市", "City"))
    return rows, city


_TOTAL = object()  # the key of the all-groups row among the groups
_Found = dict[Any, tuple[Any, float | None]]


def _aggregate_postgresql(
    session: Session, tenant_id: int, q: EvaluationQuery, key: Any, as_of: datetime
) -> _Found:
    """One scan: every group and the total (GROUPING SETS), the 90th percentile by
    percentile_disc, which is the nearest-rank one."""
    handled = _handled_by(as_of)
    p90 = func.percentile_disc(0.9).within_group(case((handled, F.handling_seconds)))
    stmt = _scope(
        select(
            key.label("key"),
            func.grouping(key).label("is_total"),
            p90.label("p90"),
            *_figures(as_of),
        ),
        tenant_id,
        q,
    ).group_by(func.grouping_sets(tuple_(key), tuple_()))
    found: _Found = {}
    for r in session.execute(stmt):
        found[_TOTAL if r.is_total else r.key] = (r, float(r.p90) if r.p90 is not None else None)
    return found


def _aggregate_portable(
    session: Session, tenant_id: int, q: EvaluationQuery, key: Any, as_of: datetime
) -> _Found:
    """SQLite: the groups, the total and the percentiles by window functions, query by query."""
    p90 = _p90(session, tenant_id, q, key, as_of)
    found: _Found = {}
    for r in session.execute(
        _scope(select(key.label("key"), *_figures(as_of)), tenant_id, q).group_by(key)
    ):
        found[r.key] = (r, p90.get(r.key))
    total = session.execute(_scope(select(*_figures(as_of)), tenant_id, q)).one()
    found[_TOTAL] = (total, _p90(session, tenant_id, q, F.tenant_id, as_of).get(tenant_id))
    return found


def evaluate(
    session: Session, platform: Platform, principal: Principal, q: EvaluationQuery
) -> Evaluation:
    """The 综合评价 report: facts brought up to date, then aggregated per group. A handler sees
    the figures of their own department only, as they see its cases only."""
    check_query(session, principal.tenant_id, q)
    actor = actor_of(session, principal)
    if actor.role == Role.HANDLER:
        q = replace(q, department=actor.department or "")
    refresh_facts(session, principal.tenant_id)
    as_of = min(q.end, platform.clock.now())
    rows, total = aggregate(session, principal.tenant_id, q, as_of)
    return Evaluation(q, as_of, rows, total)
