"""Aggregated temporal representation (clause 4.5.19), computed in SQL: one GROUP BY over the
instances, by entity, attribute, datasetId and period, on SQLite and PostgreSQL alike.

Periods start at `timeAt` when the query has one, else at each entity's first selected instance,
and last `aggrPeriodDuration` (period k covers [origin + k·P, origin + (k+1)·P)). Fixed-length
periods are numbered arithmetically on epoch milliseconds; calendar periods (months, years) by
comparing with their precomputed bounds. PT0S is one period spanning the whole range: the query's
bounds where it has them, else the first and last instance. Numeric methods read `value_number`;
totalCount counts every instance and distinctCount compares whole values.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from smartcity.context.errors import BadRequestData, TooComplexQuery
from smartcity.context.temporal import aggregate_sql as fragments
from smartcity.context.temporal.params import Aggregation, Duration, Window, format_datetime
from smartcity.core.db import UTCDateTime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_PERIODS = 1000  # calendar periods per request
# Series → method → [[value, startAt, endAt], ...]
Result = dict[str, dict[str, dict[str | None, dict[str, list[list[Any]]]]]]


def aggregate(
    session: Session,
    tenant_id: int,
    entity_ids: Collection[str],
    names: Collection[str] | None,
    window: Window,
    aggregation: Aggregation,
) -> Result:
    """The aggregated values of every selected attribute series, period by period."""
    if not entity_ids:
        return {}
    dialect = session.get_bind().dialect.name
    where, binds = fragments.where_clause(window, names)
    series = fragments.series_keys(dialect, names)
    values: dict[str, Any] = {"tenant": tenant_id, "ids": list(entity_ids)}
    if names:
        values["names"] = sorted(names)
    values.update({k: v for k, v in (("lower", window.lower), ("upper", window.upper)) if v})
    period = aggregation.period
    if period.is_zero:
        sql, periods = _whole_range(dialect, where, series, window, aggregation)
    elif period.calendar:
        sql, periods, extra = _calendar(
            session, dialect, where, series, binds, values, window, aggregation
        )
        if sql is None:
            return {}
        binds, values = binds + extra[0], {**values, **extra[1]}
    else:
        sql, periods = _fixed(dialect, where, series, window, aggregation, values)
    if dialect == "postgresql":  # sort or hash in memory; JIT compiling costs more than it saves
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text("SET LOCAL jit = off"))
    found = session.execute(text(sql).bindparams(*binds), values)
    keys = list(found.keys())
    at = {key: position for position, key in enumerate(keys)}
    readers = [(method, fragments.reader(method, at)) for method in aggregation.methods]
    period_of = [at[c] for c in ("k", "o", "t0", "t1") if c in at]
    entity, attr, dataset = at["entity_id"], at["attr"], at["dataset_id"]
    stamps: dict[Any, tuple[str, str]] = {}  # few distinct periods: format each once
    result: Result = {}
    single = period_of[0] if len(period_of) == 1 else None
    for row in found.all():
        key = row[single] if single is not None else tuple(row[i] for i in period_of)
        stamp = stamps.get(key)
        if stamp is None:
            start, end = periods(dict(zip(keys, row, strict=True)))
            stamp = stamps[key] = (format_datetime(start), format_datetime(end))
        by_dataset = result.setdefault(row[entity], {}).setdefault(row[attr], {})
        lists = by_dataset.get(row[dataset])
        if lists is None:
            lists = by_dataset[row[dataset]] = {m: [] for m, _ in readers}
        for method, read in readers:
            value = read(row)
            if value is not None:
                lists[method].append([value, *stamp])
    return result


def _whole_range(
    dialect: str, where: str, series: str, window: Window, aggregation: Aggregation
) -> Any:
    column = fragments.time_column(window)
    sql = (
        f"SELECT entity_id, attr, dataset_id, MIN({column}) AS t0, MAX({column}) AS t1, "
        f"{fragments.measures(dialect, aggregation.methods)} FROM ngsi_attribute_instances "
        f"WHERE {where} GROUP BY {series}"
    )

    def periods(row: Any) -> tuple[datetime, datetime]:
        return window.lower or _moment(row["t0"]), window.upper or _moment(row["t1"])

    return sql, periods


def _fixed(
    dialect: str,
    where: str,
    series: str,
    window: Window,
    aggregation: Aggregation,
    values: dict[str, Any],
) -> Any:
    column = fragments.time_column(window)
    period_ms = round(aggregation.period.fixed / timedelta(milliseconds=1))
    values["period_ms"] = period_ms
    step = timedelta(milliseconds=period_ms)
    measures = fragments.measures(dialect, aggregation.methods)
    if window.time_at is not None:  # periods aligned on timeAt
        values["origin_ms"] = round((window.time_at - EPOCH) / timedelta(milliseconds=1))
        bucket = fragments.aligned_bucket(dialect, column, values, window.lower is not None)
        sql = (
            f"SELECT entity_id, attr, dataset_id, {bucket} AS k, {measures} "
            f"FROM ngsi_attribute_instances WHERE {where} GROUP BY {series}, k ORDER BY {series}, k"
        )
        origin = window.time_at
        return sql, lambda row: (_shift(origin, step, row["k"]), _shift(origin, step, row["k"] + 1))
    # No timeAt: each entity's periods start at its first selected instance.
    inner = (
        f"SELECT entity_id, attr, dataset_id, value_number, instance, "
        f"{fragments.millis(dialect, column)} AS ms, "
        f"MIN({fragments.millis(dialect, column)}) OVER (PARTITION BY entity_id) AS origin_ms "
        f"FROM ngsi_attribute_instances WHERE {where}"
    )
    bucket = fragments.floor_div(dialect, "ms - origin_ms", True)
    sql = (
        f"SELECT entity_id, attr, dataset_id, {bucket} AS k, MIN(origin_ms) AS o, {measures} "
        f"FROM ({inner}) AS windowed GROUP BY {series}, k ORDER BY {series}, k"
    )

    def periods(row: Any) -> tuple[datetime, datetime]:
        origin = EPOCH + timedelta(milliseconds=float(row["o"]))
        return _shift(origin, step, row["k"]), _shift(origin, step, row["k"] + 1)

    return sql, periods


def _calendar(
    session: Session,
    dialect: str,
    where: str,
    series: str,
    binds: list[Any],
    values: dict[str, Any],
    window: Window,
    aggregation: Aggregation,
) -> Any:
    """Month/year periods: bounds computed here, matched in SQL with one CASE."""
    column = fragments.time_column(window)
    span = text(
        f"SELECT MIN({column}) AS t0, MAX({column}) AS t1 "
        f"FROM ngsi_attribute_instances WHERE {where}"
    )
    first, last = session.execute(span.bindparams(*binds), values).one()
    if first is None:
        return None, None, ([], {})  # no instances: nothing to aggregate
    first, last = _moment(first), _moment(last)
    origin = window.time_at or first
    bounds = _bounds(aggregation.period, origin, first, last)
    cases = " ".join(f"WHEN {column} < :b{i} THEN {i}" for i in range(1, len(bounds)))
    extra_binds = [bindparam(f"b{i}", type_=UTCDateTime()) for i in range(1, len(bounds))]
    extra_values = {f"b{i}": bound for i, bound in enumerate(bounds) if i}
    sql = (
        f"SELECT entity_id, attr, dataset_id, CASE {cases} END AS k, "
        f"{fragments.measures(dialect, aggregation.methods)} FROM ngsi_attribute_instances "
        f"WHERE {where} GROUP BY {series}, k ORDER BY {series}, k"
    )

    def periods(row: Any) -> tuple[datetime, datetime]:
        index = int(row["k"])
        return bounds[index - 1], bounds[index]

    return sql, periods, (extra_binds, extra_values)


def _shift(origin: datetime, step: timedelta, times: Any) -> datetime:
    """origin + times·step, held within the representable DateTimes."""
    try:
        return origin + step * int(times)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC) if times > 0 else datetime.min.replace(tzinfo=UTC)


def _bounds(period: Duration, origin: datetime, first: datetime, last: datetime) -> list[datetime]:
    """Consecutive period bounds aligned on `origin` from before `first` to after `last`."""
    try:
        back = 0
        while period.after(origin, back) > first:
            back -= 1
            if -back > MAX_PERIODS:
                raise TooComplexQuery("too many aggregation periods; choose a longer duration")
        bounds = [period.after(origin, back)]
        while bounds[-1] <= last:
            bounds.append(period.after(origin, back + len(bounds)))
            if len(bounds) > MAX_PERIODS:
                raise TooComplexQuery("too many aggregation periods; choose a longer duration")
    except (OverflowError, ValueError):
        raise BadRequestData("the aggregation periods reach beyond the DateTime range") from None
    return bounds


def _moment(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite hands back its text form
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
