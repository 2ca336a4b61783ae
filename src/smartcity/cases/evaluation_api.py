"""The 综合评价 route: GET /api/cases/evaluation as JSON, or CSV for Excel."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from smartcity.cases.calendar import SHANGHAI
from smartcity.cases.categories import CODE
from smartcity.cases.evaluation import EvaluationQuery, GroupBy, evaluate
from smartcity.cases.evaluation_views import evaluation_csv, evaluation_json
from smartcity.cases.states import CaseSource
from smartcity.core.errors import ValidationFailed
from smartcity.security.principal import Principal
from smartcity.web.deps import PlatformDep, SessionDep, require

router = APIRouter(prefix="/api/cases", tags=["cases"])

Evaluate = Annotated[Principal, require("evaluation:read")]
_WHEN = "a date (Beijing midnight) or an ISO 8601 time; a time without offset is Beijing time"
From = Annotated[str, Query(alias="from", min_length=1, max_length=40, description=_WHEN)]
To = Annotated[str, Query(alias="to", min_length=1, max_length=40, description=_WHEN)]


def parse_instant(value: str, name: str) -> datetime:
    """A period bound: a date is Beijing midnight; a time without offset is Beijing time."""
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), SHANGHAI)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            f"{name} must be a date (2026-01-01) or an ISO 8601 time", field=name
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)


@router.get("/evaluation", response_model=None)
def evaluation(
    platform: PlatformDep,
    session: SessionDep,
    principal: Evaluate,
    start: From,
    end: To,
    by: GroupBy = GroupBy.DEPARTMENT,
    category: Annotated[str | None, Query(pattern=CODE.pattern)] = None,
    source: CaseSource | None = None,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Any:
    """综合评价 per department, street, district or the city over [from, to): 立案数, 结案率,
    按期结案率, handling time (mean, 90th percentile), return and reopen rates, satisfaction.
    `format=csv` or `Accept: text/csv` gives CSV (UTF-8 with BOM) for Excel."""
    q = EvaluationQuery(
        by=by,
        start=parse_instant(start, "from"),
        end=parse_instant(end, "to"),
        category=category,
        source=source.value if source else None,
    )
    as_csv = format == "csv" or (format is None and "text/csv" in (accept or ""))
    with platform.serialized_writes():  # the report first brings its fact table up to date
        report = evaluate(session, platform, principal, q)
    if as_csv:
        name = f"evaluation-{by.value}-{q.start.date()}-{q.end.date()}.csv"
        return Response(
            evaluation_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return evaluation_json(report)
