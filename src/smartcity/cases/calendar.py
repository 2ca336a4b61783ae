"""China's working-day calendar: weekends, public holidays and make-up days, plus working hours.

Days come from the `chinese-calendar` package; a per-year override table wins over it, because the
package only knows the years up to its release and the State Council announces each year late.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_PERIODS = ((time(9, 0), time(12, 0)), (time(13, 30), time(18, 0)))
_MAX_DAYS = 3 * 366  # a search for working time gives up after this many days
_EPSILON = 1e-6


class CalendarError(ValueError):
    """A calendar or working-hours definition that cannot be used."""


def aware(value: datetime, name: str = "time") -> datetime:
    """The value in UTC; naive datetimes are refused because their zone is a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class WorkingHours:
    """The daily working periods in local time, e.g. 09:00–12:00 and 13:30–18:00 in Shanghai."""

    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    zone: ZoneInfo = SHANGHAI

    def __post_init__(self) -> None:
        if not self.periods:
            raise CalendarError("working hours need at least one period")
        previous_end: time | None = None
        for start, end in self.periods:
            if not start < end:
                raise CalendarError(f"a working period must end after it starts: {start}–{end}")
            if previous_end is not None and start < previous_end:
                raise CalendarError("working periods must be in order and must not overlap")
            previous_end = end

    @property
    def seconds_per_day(self) -> float:
        return sum(_seconds(end) - _seconds(start) for start, end in self.periods)

    @classmethod
    def parse(cls, spec: str, zone: str = "Asia/Shanghai") -> WorkingHours:
        """Parse "09:00-12:00,13:30-18:00" (the form a setting would take)."""
        periods = []
        for part in spec.split(","):
            try:
                start, end = (time.fromisoformat(p.strip()) for p in part.split("-"))
            except ValueError as exc:
                raise CalendarError(f"bad working period {part!r}; use HH:MM-HH:MM") from exc
            periods.append((start, end))
        return cls(tuple(periods), ZoneInfo(zone))


def _seconds(t: time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class YearOverride:
    """What a year's official schedule says where it differs from, or is missing in, the package."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    complete: bool = False  # true: the whole year's schedule is here, the year counts as covered


def load_overrides(text: str | None = None) -> dict[int, YearOverride]:
    """Read the override table (TOML: one `[YYYY]` table a year); the shipped file by default."""
    if text is None:
        text = resources.files("smartcity.cases").joinpath("data/workdays.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    table: dict[int, YearOverride] = {}
    for key, entry in raw.items():
        if not (key.isdigit() and len(key) == 4 and isinstance(entry, dict)):
            raise CalendarError(f"override table keys must be years, not {key!r}")
        year = int(key)
        unknown = set(entry) - {"holidays", "workdays", "complete"}
        if unknown:
            raise CalendarError(f"{year}: unknown fields {sorted(unknown)}")
        holidays = frozenset(_dates(entry.get("holidays", []), year))
        workdays = frozenset(_dates(entry.get("workdays", []), year))
        if holidays & workdays:
            raise CalendarError(f"{year}: a day cannot be both holiday and workday")
        table[year] = YearOverride(holidays, workdays, bool(entry.get("complete", False)))
    return table


def _dates(values: list[object], year: int) -> Iterator[date]:
    for value in values:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        if day.year != year:
            raise CalendarError(f"{day} is listed under {year}")
        yield day


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days, and the working periods of each, as aware datetimes."""

    hours: WorkingHours = field(default_factory=WorkingHours)
    overrides: Mapping[int, YearOverride] = field(default_factory=dict)

    def covers(self, year: int) -> bool:
        """Whether the year's holidays are known; outside, only weekends are days off."""
        override = self.overrides.get(year)
        return (override is not None and override.complete) or _package_covers(year)

    def is_workday(self, day: date) -> bool:
        override = self.overrides.get(day.year)
        if override is not None:
            if day in override.workdays:
                return True
            if day in override.holidays:
                return False
            if override.complete:
                return day.weekday() < 5
        if _package_covers(day.year):
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def next_workday(self, day: date, n: int = 1) -> date:
        """The n-th working day after `day` (the day itself is not counted)."""
        if n < 1:
            raise CalendarError("n must be at least 1")
        for _ in range(_MAX_DAYS):
            day += timedelta(days=1)
            if self.is_workday(day):
                n -= 1
                if n == 0:
                    return day
        raise CalendarError("no working day found within three years")

    def periods_of(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's working periods in UTC (none on a day off)."""
        if not self.is_workday(day):
            return []
        zone = self.hours.zone
        return [
            (
                datetime.combine(day, start, zone).astimezone(UTC),
                datetime.combine(day, end, zone).astimezone(UTC),
            )
            for start, end in self.hours.periods
        ]

    def end_of_workday(self, day: date) -> datetime:
        """When the given working day's last period ends, in UTC."""
        periods = self.periods_of(day)
        if not periods:
            raise CalendarError(f"{day} is not a working day")
        return periods[-1][1]

    def local_date(self, at: datetime) -> date:
        return aware(at).astimezone(self.hours.zone).date()

    def periods_from(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods from `start` on (the first clipped to it), for at most three years."""
        start = aware(start, "start")
        day = self.local_date(start)
        for _ in range(_MAX_DAYS):
            for begin, end in self.periods_of(day):
                if end > start:
                    yield max(begin, start), end
            day += timedelta(days=1)

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working time between two instants, in seconds (0 if end is not after start)."""
        start, end = aware(start, "start"), aware(end, "end")
        total = 0.0
        if end <= start:
            return total
        for begin, finish in self.periods_from(start):
            if begin >= end:
                break
            total += (min(finish, end) - begin).total_seconds()
        return total

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant at which `seconds` of working time have passed since `start`."""
        if seconds < 0:
            raise CalendarError("working time to add must not be negative")
        left = seconds
        for begin, end in self.periods_from(start):
            length = (end - begin).total_seconds()
            if left <= length + _EPSILON:  # float sums of microseconds must not spill over
                return begin + timedelta(seconds=min(left, length))
            left -= length
        raise CalendarError("deadline lies more than three years ahead")


def _package_covers(year: int) -> bool:
    first, last = _package_years()
    return first <= year <= last


@cache
def _package_years() -> tuple[int, int]:
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def default_calendar(hours: WorkingHours | None = None) -> WorkCalendar:
    """Shanghai's working hours on the package's days with the shipped override table."""
    return WorkCalendar(hours or WorkingHours(), load_overrides())
