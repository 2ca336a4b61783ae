"""SQL fragments of the aggregation (clause 4.5.19) for SQLite and PostgreSQL: the time column,
period numbers, the aggregates each method needs and how to read them back."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam

from smartcity.context.temporal.params import Window
from smartcity.core.db import UTCDateTime

_VALUE_MEMBERS = ("value", "object", "languageMap", "valueList", "objectList", "json", "vocab")


def time_column(window: Window) -> str:
    return "observed_at" if window.timeproperty == "observedAt" else "recorded_at"


def millis(dialect: str, column: str) -> str:
    if dialect == "sqlite":  # stored as ISO text: julianday, rounded to whole milliseconds
        return f"CAST(ROUND((julianday({column}) - 2440587.5) * 86400000.0) AS INTEGER)"
    return f"(date_part('epoch', {column}) * 1000)"  # double precision: exact to microseconds


def floor_div(dialect: str, offset: str, non_negative: bool, per: str = ":period_ms") -> str:
    if dialect != "sqlite":
        return f"FLOOR(({offset}) / {per})"
    if non_negative:  # integer division truncates, which is floor for x >= 0
        return f"(({offset}) / {per})"
    return (
        f"(CASE WHEN ({offset}) >= 0 THEN ({offset}) / {per} "
        f"ELSE -(({per} - 1 - ({offset})) / {per}) END)"
    )


def aligned_bucket(dialect: str, column: str, values: dict[str, Any], non_negative: bool) -> str:
    """The period number of an instance, periods aligned on `origin_ms`. On SQLite whole-second
    origins and periods use unixepoch(), cheaper than julianday() and exact: for whole seconds
    o and P, floor((t - o) / P) == floor((floor(t) - o) / P)."""
    whole = values["origin_ms"] % 1000 == 0 and values["period_ms"] % 1000 == 0
    if dialect == "sqlite" and whole and sqlite3.sqlite_version_info >= (3, 38, 0):
        values["origin_s"], values["period_s"] = (
            values["origin_ms"] // 1000,
            values["period_ms"] // 1000,
        )
        return floor_div(dialect, f"unixepoch({column}) - :origin_s", non_negative, ":period_s")
    return floor_div(dialect, f"{millis(dialect, column)} - :origin_ms", non_negative)


def _distinct(dialect: str) -> str:
    if dialect == "sqlite":
        members = ", ".join(f"json_extract(instance, '$.{m}')" for m in _VALUE_MEMBERS)
        return f"COALESCE('n' || CAST(value_number AS TEXT), 'j' || COALESCE({members}))"
    members = ", ".join(f"instance -> '{m}'" for m in _VALUE_MEMBERS)
    return f"COALESCE('n' || CAST(value_number AS TEXT), 'j' || CAST(COALESCE({members}) AS TEXT))"


_DIRECT = {
    "sum": "SUM(value_number)",
    "avg": "AVG(value_number)",
    "min": "MIN(value_number)",
    "max": "MAX(value_number)",
    "sumsq": "SUM(value_number * value_number)",
}


def measures(dialect: str, methods: Collection[str]) -> str:
    """Only the aggregates the methods need; stddev is finished from count, sum and sumsq."""
    parts = []
    for method in methods:
        if method == "totalCount":
            parts.append("COUNT(*) AS m_totalcount")
        elif method == "distinctCount":
            parts.append(f"COUNT(DISTINCT {_distinct(dialect)}) AS m_distinctcount")
        elif method == "stddev":
            parts += [
                "COUNT(value_number) AS sd_n",
                "SUM(value_number) AS sd_s",
                "SUM(value_number * value_number) AS sd_ss",
            ]
        else:
            parts.append(f"{_DIRECT[method]} AS m_{method}")
    return ", ".join(parts)


def reader(method: str, at: dict[str, int]) -> Any:
    """How to read one method's value from a result row (None: no value in that period)."""
    if method in ("totalCount", "distinctCount"):
        column = at["m_" + method.lower()]  # PostgreSQL folds unquoted aliases to lower case
        return lambda row: int(row[column])
    if method != "stddev":
        column = at["m_" + method]
        return lambda row: None if row[column] is None else float(row[column])
    n, s, ss = at["sd_n"], at["sd_s"], at["sd_ss"]
    return lambda row: _stddev(row[n], row[s], row[ss])


def _stddev(n: int, s: Any, ss: Any) -> float | None:
    """The sample standard deviation; it needs two values."""
    if n < 2:
        return None
    mean_square = float(s) * float(s) / n
    return math.sqrt(max(0.0, (float(ss) - mean_square) / (n - 1)))


def series_keys(dialect: str, names: Collection[str] | None) -> str:
    """The GROUP BY keys of one series. One attribute on SQLite: leave `attr` out of the sort
    (SQLite then reads it as a bare column, the same on every row)."""
    single = dialect == "sqlite" and names is not None and len(names) == 1
    return "entity_id, dataset_id" if single else "entity_id, attr, dataset_id"


def where_clause(window: Window, names: Collection[str] | None) -> tuple[str, list[Any]]:
    column = time_column(window)
    clauses = ["tenant_id = :tenant", "entity_id IN :ids", f"{column} IS NOT NULL"]
    binds = [bindparam("ids", expanding=True)]
    if names:
        clauses.append("attr IN :names")
        binds.append(bindparam("names", expanding=True))
    if window.lower is not None:
        clauses.append(f"{column} >= :lower")
        binds.append(bindparam("lower", type_=UTCDateTime()))
    if window.upper is not None:
        clauses.append(f"{column} < :upper")
        binds.append(bindparam("upper", type_=UTCDateTime()))
    return " AND ".join(clauses), binds
