"""Deadlines on the working-day calendar: due time, elapsed working time with pauses, warnings.

All instants are timezone-aware and kept in UTC; working time is counted in the calendar's zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from smartcity.cases.calendar import WorkCalendar, aware

WARNING_FRACTION = 0.8
_EPSILON = 1e-6


class DeadlineUnit(StrEnum):
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class Deadline:
    """A handling time limit: so many working hours, or so many working days."""

    amount: int
    unit: DeadlineUnit

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 1:
            raise ValueError("a deadline must be a positive whole number")
        object.__setattr__(self, "unit", DeadlineUnit(self.unit))

    def label(self, lang: str = "zh") -> str:
        if lang == "en":
            unit = "working hour" if self.unit == DeadlineUnit.WORKING_HOURS else "working day"
            return f"{self.amount} {unit}{'' if self.amount == 1 else 's'}"
        unit = "个工作小时" if self.unit == DeadlineUnit.WORKING_HOURS else "个工作日"
        return f"{self.amount}{unit}"


def plain_due_at(calendar: WorkCalendar, start: datetime, deadline: Deadline) -> datetime:
    """Due time without pauses.

    Hours count within working periods from the start. Days follow the rule for periods in days
    (Civil Code art. 201): the starting day is not counted, the case is due at the end of the
    n-th working day after it.
    """
    start = aware(start, "start")
    if deadline.unit == DeadlineUnit.WORKING_HOURS:
        return calendar.add_working_seconds(start, deadline.amount * 3600)
    last_day = calendar.next_workday(calendar.local_date(start), deadline.amount)
    return calendar.end_of_workday(last_day)


def budget_seconds(calendar: WorkCalendar, start: datetime, deadline: Deadline) -> float:
    """The working time the deadline allows from this start, in seconds."""
    return calendar.working_seconds(start, plain_due_at(calendar, start, deadline))


class ClockError(ValueError):
    """A clock operation that does not fit the clock's state (e.g. resuming a running clock)."""


@dataclass(frozen=True)
class DeadlineClock:
    """A case's deadline clock: when it started, its paused intervals, whether it is stopped."""

    started_at: datetime | None = None
    pauses: tuple[tuple[datetime, datetime], ...] = ()
    paused_since: datetime | None = None
    stopped_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.paused_since is None and not self.stopped

    @property
    def stopped(self) -> bool:
        return self.stopped_at is not None

    def start(self, at: datetime) -> DeadlineClock:
        """Start afresh: a new deadline period, earlier pauses forgotten."""
        return DeadlineClock(started_at=aware(at))

    def pause(self, at: datetime) -> DeadlineClock:
        if not self.running:
            raise ClockError("only a running clock can be paused")
        return replace(self, paused_since=self._after_start(at))

    def resume(self, at: datetime) -> DeadlineClock:
        if self.paused_since is None or self.stopped:
            raise ClockError("only a paused clock can be resumed")
        at = aware(at)
        if at < self.paused_since:
            raise ClockError("a clock cannot resume before it was paused")
        return replace(self, pauses=(*self.pauses, (self.paused_since, at)), paused_since=None)

    def stop(self, at: datetime) -> DeadlineClock:
        if self.started_at is None or self.stopped:
            raise ClockError("only a started clock can be stopped")
        at = self._after_start(at)
        clock = self.resume(at) if self.paused_since is not None else self
        return replace(clock, stopped_at=at)

    def _after_start(self, at: datetime) -> datetime:
        at = aware(at)
        assert self.started_at is not None
        if at < self.started_at:
            raise ClockError("the clock cannot change before it started")
        return at

    def paused_intervals(self, now: datetime) -> list[tuple[datetime, datetime]]:
        """Every paused interval up to `now`, the open one closed at `now`."""
        intervals = list(self.pauses)
        if self.paused_since is not None and now > self.paused_since:
            intervals.append((self.paused_since, now))
        return intervals


def _effective_periods(
    calendar: WorkCalendar, start: datetime, pauses: list[tuple[datetime, datetime]]
) -> Iterator[tuple[datetime, datetime]]:
    """Working periods from `start` with the paused intervals cut out."""
    ordered = sorted(pauses)
    for begin, end in calendar.periods_from(start):
        pieces = [(begin, end)]
        for p_start, p_end in ordered:
            if p_end <= begin or p_start >= end:
                continue
            pieces = [
                part
                for a, b in pieces
                for part in ((a, min(b, p_start)), (max(a, p_end), b))
                if part[0] < part[1]
            ]
        yield from pieces


def elapsed_seconds(calendar: WorkCalendar, clock: DeadlineClock, now: datetime) -> float:
    """Working time the clock has counted by `now` (pauses and time after a stop excluded)."""
    if clock.started_at is None:
        return 0.0
    now = aware(now, "now")
    end = min(now, clock.stopped_at) if clock.stopped_at else now
    total = 0.0
    if end <= clock.started_at:
        return total
    pauses = clock.paused_intervals(end)
    for begin, finish in _effective_periods(calendar, clock.started_at, pauses):
        if begin >= end:
            break
        total += (min(finish, end) - begin).total_seconds()
    return total


def time_when_elapsed(
    calendar: WorkCalendar, clock: DeadlineClock, seconds: float
) -> datetime | None:
    """When the clock will have counted `seconds`, if it keeps running; None while paused."""
    if clock.started_at is None or clock.paused_since is not None:
        return None
    left = seconds
    for begin, end in _effective_periods(calendar, clock.started_at, list(clock.pauses)):
        length = (end - begin).total_seconds()
        if left <= length + _EPSILON:  # float sums of microseconds must not spill over
            return begin + timedelta(seconds=min(left, length))
        left -= length
    return None


class DeadlineLevel(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    WARNING = "warning"  # 80 % of the allowed working time used
    OVERDUE = "overdue"
    PAUSED = "paused"
    CLOSED_ON_TIME = "closed_on_time"
    CLOSED_LATE = "closed_late"


@dataclass(frozen=True)
class DeadlineStatus:
    """Where a case stands against its deadline at one instant."""

    level: DeadlineLevel
    budget_seconds: float
    elapsed_seconds: float
    due_at: datetime | None  # None while paused: it depends on when the clock resumes
    warning_at: datetime | None

    @property
    def fraction_used(self) -> float:
        return self.elapsed_seconds / self.budget_seconds if self.budget_seconds else 0.0

    @property
    def remaining_seconds(self) -> float:
        return self.budget_seconds - self.elapsed_seconds


def deadline_status(
    calendar: WorkCalendar,
    clock: DeadlineClock,
    deadline: Deadline,
    now: datetime,
    *,
    warning_fraction: float = WARNING_FRACTION,
) -> DeadlineStatus:
    """The clock against the deadline at `now`: used time, due and warning times, and the level."""
    if not 0 < warning_fraction < 1:
        raise ValueError("the warning fraction must lie between 0 and 1")
    now = aware(now, "now")
    if clock.started_at is None:
        return DeadlineStatus(DeadlineLevel.NOT_STARTED, 0.0, 0.0, None, None)
    budget = budget_seconds(calendar, clock.started_at, deadline)
    elapsed = elapsed_seconds(calendar, clock, now)
    due = time_when_elapsed(calendar, clock, budget)
    warn = time_when_elapsed(calendar, clock, budget * warning_fraction)
    return DeadlineStatus(
        _level(clock, elapsed, budget, warning_fraction), budget, elapsed, due, warn
    )


def _level(clock: DeadlineClock, elapsed: float, budget: float, fraction: float) -> DeadlineLevel:
    if clock.stopped:
        return DeadlineLevel.CLOSED_ON_TIME if elapsed <= budget else DeadlineLevel.CLOSED_LATE
    if elapsed > budget:
        return DeadlineLevel.OVERDUE  # a paused case that is already late stays late
    if clock.paused_since is not None:
        return DeadlineLevel.PAUSED
    return DeadlineLevel.WARNING if elapsed >= budget * fraction else DeadlineLevel.ON_TRACK
