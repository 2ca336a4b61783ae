"""The temporal query (clause 4.11 and 5.2.21): timerel/timeAt/endTimeAt/timeproperty, lastN, the
representation asked for, and aggregation (4.5.19) — parsed and checked, from URL parameters or
from the JSON `temporalQ`/`aggrParams` of a Query body.

Bounds (clause 4.11): `before` is exclusive, `after` inclusive, `between` includes `timeAt` and
excludes `endTimeAt`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from smartcity.context.errors import BadRequestData, InvalidRequest
from smartcity.context.query.literals import read_datetime

TIMERELS = ("before", "after", "between")
TIME_PROPERTIES = ("observedAt", "createdAt", "modifiedAt", "deletedAt")
AGGR_METHODS = ("totalCount", "distinctCount", "sum", "avg", "min", "max", "stddev", "sumsq")
NORMALIZED, TEMPORAL_VALUES, AGGREGATED = "normalized", "temporalValues", "aggregatedValues"
# Representations by option/format name; concise and normalized both answer the full instances.
FORMATS = {
    "normalized": NORMALIZED,
    "concise": NORMALIZED,
    "temporalValues": TEMPORAL_VALUES,
    "simplified": TEMPORAL_VALUES,
    "keyValues": TEMPORAL_VALUES,
    "aggregatedValues": AGGREGATED,
}
OPTIONS = {*FORMATS, "sysAttrs"}
MAX_PERIOD = timedelta(days=100 * 366)  # periods start and end within the DateTime range
MAX_LAST_N = 2**31 - 1
_DURATION = re.compile(
    r"P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?"
)


@dataclass(frozen=True)
class Duration:
    """An ISO 8601 duration: calendar months (years are 12 of them) plus a fixed length."""

    months: int = 0
    fixed: timedelta = timedelta(0)

    @property
    def is_zero(self) -> bool:
        return self.months == 0 and not self.fixed

    @property
    def calendar(self) -> bool:
        return self.months != 0

    def after(self, start: datetime, times: int = 1) -> datetime:
        """`start` plus `times` of this duration (months added on the calendar, day clamped)."""
        moved = _add_months(start, self.months * times) if self.months else start
        return moved + self.fixed * times


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    days = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
    return moment.replace(year=year, month=month + 1, day=min(moment.day, days))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass(frozen=True)
class Window:
    """Which instants a temporal query keeps, on which time property."""

    timerel: str | None = None
    time_at: datetime | None = None
    end_time_at: datetime | None = None
    timeproperty: str = "observedAt"

    @property
    def lower(self) -> datetime | None:
        """The inclusive lower bound."""
        return self.time_at if self.timerel in ("after", "between") else None

    @property
    def upper(self) -> datetime | None:
        """The exclusive upper bound."""
        if self.timerel == "before":
            return self.time_at
        return self.end_time_at if self.timerel == "between" else None


@dataclass(frozen=True)
class Aggregation:
    methods: tuple[str, ...]
    period: Duration  # zero: one period spanning the whole range


@dataclass(frozen=True)
class TemporalQuery:
    window: Window = Window()
    last_n: int | None = None
    representation: str = NORMALIZED
    aggregation: Aggregation | None = None
    sys_attrs: bool = False


def parse_datetime(text: Any, what: str) -> datetime:
    """A DateTime (clause 4.6.3) as an aware UTC datetime; anything else is BadRequestData."""
    if not isinstance(text, str):
        raise BadRequestData(f"{what} must be a DateTime, e.g. 2026-01-05T09:00:00Z")
    # In a URL an unencoded '+' of a UTC offset arrives as a space.
    moment = read_datetime(text.strip().replace(" ", "+"))
    if moment is None:
        raise BadRequestData(f"{what} {text!r} is not a DateTime, e.g. 2026-01-05T09:00:00Z")
    return moment.astimezone(UTC)


def parse_duration(text: Any) -> Duration:
    """`P[n]Y[n]M[n]W[n]DT[n]H[n]M[n]S` (clause 4.5.19); PT0S means the whole range."""
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise BadRequestData(f"aggrPeriodDuration {text!r} is not an ISO 8601 duration like PT1H")
    years, months, weeks, days, hours, minutes, seconds = match.groups()
    try:
        fixed = timedelta(
            weeks=int(weeks or 0),
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=float((seconds or "0").replace(",", ".")),
        )
    except OverflowError:
        fixed = MAX_PERIOD
    duration = Duration(int(years or 0) * 12 + int(months or 0), fixed)
    if duration.months > MAX_PERIOD.days // 28 or fixed > MAX_PERIOD:
        raise BadRequestData(f"aggrPeriodDuration {text!r} is longer than {MAX_PERIOD.days} days")
    if not duration.is_zero and not duration.months and fixed < timedelta(milliseconds=1):
        raise BadRequestData("aggrPeriodDuration must be at least one millisecond")
    return duration


def parse_window(timerel: Any, time_at: Any, end_time_at: Any, timeproperty: Any = None) -> Window:
    prop = "observedAt" if timeproperty is None else timeproperty
    if prop not in TIME_PROPERTIES:
        raise BadRequestData(f"timeproperty must be one of {', '.join(TIME_PROPERTIES)}")
    if timerel is None:
        if time_at is not None or end_time_at is not None:
            raise BadRequestData("timeAt and endTimeAt need timerel")
        return Window(timeproperty=prop)
    if timerel not in TIMERELS:
        raise BadRequestData(f"timerel must be one of {', '.join(TIMERELS)}, not {timerel!r}")
    if time_at is None:
        raise BadRequestData(f"timerel={timerel} needs timeAt")
    start = parse_datetime(time_at, "timeAt")
    end = None
    if timerel == "between":
        if end_time_at is None:
            raise BadRequestData("timerel=between needs endTimeAt")
        end = parse_datetime(end_time_at, "endTimeAt")
        if end <= start:
            raise BadRequestData("endTimeAt must be later than timeAt")
    elif end_time_at is not None:
        raise BadRequestData("endTimeAt is only for timerel=between")
    return Window(timerel, start, end, prop)


def parse_last_n(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadRequestData("lastN must be a positive integer")
    return min(value, MAX_LAST_N)  # more than any answer holds anyway


def parse_methods(value: Any) -> tuple[str, ...]:
    """aggrMethods as a comma-separated string or an array of strings."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise BadRequestData("aggrMethods must be a comma-separated list of methods")
    methods = tuple(dict.fromkeys(i.strip() for i in items))
    unknown = [m for m in methods if m not in AGGR_METHODS]
    if unknown:
        raise BadRequestData(
            f"aggrMethods: unknown method(s) {', '.join(unknown)}; use {', '.join(AGGR_METHODS)}"
        )
    return methods


def parse_representation(options: Any, fmt: Any) -> tuple[str, bool]:
    """The representation (normalized, temporalValues, aggregatedValues) and sysAttrs. An
    unknown option or format is InvalidRequest (clauses 6.3.12, 6.3.20, as the ETSI suite's
    021_20 checks); options naming two representations are BadRequestData."""
    flags = [o.strip() for o in options.split(",")] if isinstance(options, str) else []
    unknown = [f for f in flags if f not in OPTIONS]
    if unknown:
        raise InvalidRequest(f"unknown option(s): {', '.join(unknown)}")
    kinds = {FORMATS[f] for f in flags if f in FORMATS}
    if fmt is not None:
        if fmt not in FORMATS:
            raise InvalidRequest(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        kinds = {FORMATS[fmt]}
    if len(kinds) > 1:
        raise BadRequestData("options names more than one temporal representation")
    return (kinds.pop() if kinds else NORMALIZED), "sysAttrs" in flags


def temporal_query(
    *,
    timerel: Any = None,
    time_at: Any = None,
    end_time_at: Any = None,
    timeproperty: Any = None,
    last_n: Any = None,
    options: Any = None,
    fmt: Any = None,
    aggr_methods: Any = None,
    aggr_period: Any = None,
) -> TemporalQuery:
    """Everything temporal a request asks for; aggrMethods alone implies aggregatedValues."""
    window = parse_window(timerel, time_at, end_time_at, timeproperty)
    representation, sys_attrs = parse_representation(options, fmt)
    period = parse_duration(aggr_period) if aggr_period is not None else Duration()
    aggregation = None
    if aggr_methods is not None:
        aggregation = Aggregation(parse_methods(aggr_methods), period)
        if representation == NORMALIZED:
            representation = AGGREGATED
    if representation == AGGREGATED and aggregation is None:
        raise BadRequestData("aggregatedValues needs aggrMethods")
    return TemporalQuery(window, parse_last_n(last_n), representation, aggregation, sys_attrs)


def from_body(payload: dict[str, Any], options: Any, fmt: Any) -> TemporalQuery:
    """The temporal part of a Query body (clause 5.2.23): `temporalQ`, and `aggrParams`."""
    temporal = payload.get("temporalQ", {})
    aggregation = payload.get("aggrParams", {})
    if not isinstance(temporal, dict) or not isinstance(aggregation, dict):
        raise BadRequestData("temporalQ and aggrParams must be JSON objects")
    return temporal_query(
        timerel=temporal.get("timerel"),
        time_at=temporal.get("timeAt"),
        end_time_at=temporal.get("endTimeAt"),
        timeproperty=temporal.get("timeproperty"),
        last_n=temporal.get("lastN"),
        options=options,
        fmt=fmt,
        aggr_methods=aggregation.get("aggrMethods", temporal.get("aggrMethods")),
        aggr_period=aggregation.get("aggrPeriodDuration", temporal.get("aggrPeriodDuration")),
    )


def format_datetime(moment: datetime) -> str:
    """A UTC DateTime as `2020-08-01T12:03:00Z` (fraction only when there is one)."""
    spec = "microseconds" if moment.microsecond else "seconds"
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec=spec) + "Z"
