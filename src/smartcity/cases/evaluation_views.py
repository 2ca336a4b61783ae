"""The 综合评价 report's shapes: JSON for machines and CSV (UTF-8 with BOM, headers in Chinese and
English) for Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from smartcity.cases.evaluation import Evaluation, EvaluationRow

_HOUR = 3600.0


def _round(value: float | None, digits: int) -> float | None:
    return round(value, digits) if value is not None else None


def _hours(seconds: float | None) -> float | None:
    return _round(seconds / _HOUR if seconds is not None else None, 2)


def _pct(value: float | None) -> float | None:
    return _round(value * 100 if value is not None else None, 2)


def row_json(row: EvaluationRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "registered": row.registered,
        "due": row.due,
        "closed": row.closed,
        "closed_on_time": row.closed_on_time,
        "closure_rate": _round(row.closure_rate, 4),
        "on_time_closure_rate": _round(row.on_time_closure_rate, 4),
        "handled": row.handled,
        "handling_hours_mean": _hours(row.handling_seconds_mean),
        "handling_hours_p90": _hours(row.handling_seconds_p90),
        "dispatched": row.dispatched,
        "returned": row.returned,
        "return_rate": _round(row.return_rate, 4),
        "ever_closed": row.ever_closed,
        "reopened": row.reopened,
        "reopen_rate": _round(row.reopen_rate, 4),
        "rated": row.rated,
        "rating_mean": _round(row.rating_mean, 2),
        "satisfied_share": _round(row.satisfied_share, 4),
    }


def evaluation_json(report: Evaluation) -> dict[str, Any]:
    q = report.query
    return {
        "by": q.by.value,
        "from": q.start.isoformat(),
        "to": q.end.isoformat(),
        "as_of": report.as_of.isoformat(),
        "category": q.category,
        "source": q.source,
        "rows": [row_json(r) for r in report.rows],
        "total": row_json(report.total),
        "method": METHOD,
    }


METHOD = (
    "Cases registered (立案) in [from, to). At the cut-off (to, or now if earlier): due = "
    "closed by then + open past their due time; closure_rate (结案率) = closed ÷ due; "
    "on_time_closure_rate (按期结案率) = closed by their due time ÷ due. Handling hours: working "
    "time the deadline clock counted from dispatch to 处理反馈/结案 (suspensions and "
    "verification excluded), for cases handled by the cut-off; p90 is nearest-rank. "
    "return_rate = cases returned (退单) at least once ÷ dispatched; reopen_rate = cases "
    "reopened at least once ÷ cases ever closed; satisfied_share = ratings ≥ 4 ÷ rated."
)

Cell = Callable[[EvaluationRow], Any]
COLUMNS: list[tuple[str, Cell]] = [
    ("编码 Code", lambda r: r.key or ""),
    ("名称 Name", lambda r: r.name_zh or ""),
    ("英文名称 Name (en)", lambda r: r.name_en or ""),
    ("立案数 Registered", lambda r: r.registered),
    ("应结案数 Due", lambda r: r.due),
    ("结案数 Closed", lambda r: r.closed),
    ("按期结案数 Closed on time", lambda r: r.closed_on_time),
    ("结案率(%) Closure rate (%)", lambda r: _pct(r.closure_rate)),
    ("按期结案率(%) On-time closure rate (%)", lambda r: _pct(r.on_time_closure_rate)),
    ("平均处置时长(工作小时) Mean handling (working h)", lambda r: _hours(r.handling_seconds_mean)),
    ("90%处置时长(工作小时) P90 handling (working h)", lambda r: _hours(r.handling_seconds_p90)),
    ("退单率(%) Return rate (%)", lambda r: _pct(r.return_rate)),
    ("重新开启率(%) Reopen rate (%)", lambda r: _pct(r.reopen_rate)),
    ("评价数 Ratings", lambda r: r.rated),
    ("平均满意度 Mean rating", lambda r: _round(r.rating_mean, 2)),
    ("满意率(%) Satisfied (%)", lambda r: _pct(r.satisfied_share)),
]


def evaluation_csv(report: Evaluation) -> bytes:
    """The report as CSV with a byte-order mark, so Excel opens the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for title, _ in COLUMNS])
    for row in [*report.rows, report.total]:
        writer.writerow(["" if (v := cell(row)) is None else v for _, cell in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
