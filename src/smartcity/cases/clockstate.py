"""A case row's deadline clock: read into the domain's DeadlineClock, written back with the due
and warning times the deadline job and the overdue filter query."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from smartcity.cases.calendar import WorkCalendar, default_calendar
from smartcity.cases.deadlines import (
    Deadline,
    DeadlineClock,
    DeadlineLevel,
    DeadlineStatus,
    DeadlineUnit,
    deadline_status,
)
from smartcity.cases.models import Case


@cache
def calendar() -> WorkCalendar:
    """The working-day calendar every deadline is counted on (built once per process)."""
    return default_calendar()


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def clock_of(case: Case) -> DeadlineClock:
    return DeadlineClock(
        started_at=case.clock_started_at,
        pauses=tuple((_parse(a), _parse(b)) for a, b in case.clock_pauses or []),
        paused_since=case.clock_paused_since,
        stopped_at=case.clock_stopped_at,
    )


def deadline_of(case: Case) -> Deadline:
    return Deadline(case.deadline_amount, DeadlineUnit(case.deadline_unit))


def status_of(case: Case, now: datetime) -> DeadlineStatus:
    return deadline_status(calendar(), clock_of(case), deadline_of(case), now)


def store_clock(case: Case, clock: DeadlineClock, now: datetime) -> None:
    """Write the clock back; a new period (a restart) clears its warning and escalation marks."""
    restarted = clock.started_at != case.clock_started_at
    case.clock_started_at = clock.started_at
    case.clock_pauses = [[a.isoformat(), b.isoformat()] for a, b in clock.pauses]
    case.clock_paused_since = clock.paused_since
    case.clock_stopped_at = clock.stopped_at
    if restarted:
        case.warned_at = case.escalated_at = None
        case.closed_at = case.closed_on_time = None
    status = deadline_status(calendar(), clock, deadline_of(case), now)
    case.due_at, case.warn_at = status.due_at, status.warning_at
    if clock.stopped:
        case.closed_at = clock.stopped_at
        case.closed_on_time = status.level == DeadlineLevel.CLOSED_ON_TIME
