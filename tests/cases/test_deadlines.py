"""Deadlines: due times in working hours and days, pauses, 80 % warnings, overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcity.cases.calendar import SHANGHAI, default_calendar
from smartcity.cases.deadlines import (
    ClockError,
    Deadline,
    DeadlineClock,
    DeadlineLevel,
    DeadlineUnit,
    budget_seconds,
    deadline_status,
    elapsed_seconds,
    plain_due_at,
    time_when_elapsed,
)

CAL = default_calendar()
HOURS, DAYS = DeadlineUnit.WORKING_HOURS, DeadlineUnit.WORKING_DAYS


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_working_hours_run_over_the_weekend():
    # Friday 16:00 + 4 working hours: 2 h on Friday, 2 h on Monday morning
    assert plain_due_at(CAL, sh(2026, 3, 6, 16), Deadline(4, HOURS)) == sh(2026, 3, 9, 11)


def test_working_days_do_not_count_the_starting_day():
    # Monday 10:00 + 1 working day: due at the end of Tuesday
    assert plain_due_at(CAL, sh(2026, 3, 2, 10), Deadline(1, DAYS)) == sh(2026, 3, 3, 18)
    assert plain_due_at(CAL, sh(2026, 3, 6, 10), Deadline(5, DAYS)) == sh(2026, 3, 13, 18)


def test_a_case_started_on_a_saturday_counts_from_monday():
    assert plain_due_at(CAL, sh(2026, 3, 7, 10), Deadline(1, DAYS)) == sh(2026, 3, 9, 18)
    assert plain_due_at(CAL, sh(2026, 3, 7, 10), Deadline(2, HOURS)) == sh(2026, 3, 9, 11)


def test_the_national_day_week_is_skipped():
    # Wednesday 30 Sept + 5 working days: 8, 9, 10 (make-up Saturday), 12, 13 October
    assert plain_due_at(CAL, sh(2026, 9, 30, 10), Deadline(5, DAYS)) == sh(2026, 10, 13, 18)


def test_a_make_up_saturday_counts_as_a_working_day():
    assert plain_due_at(CAL, sh(2026, 10, 9, 17), Deadline(2, HOURS)) == sh(2026, 10, 10, 10)


def test_the_spring_festival_is_skipped():
    # Friday 13 Feb + 2 working days: Saturday 14 (make-up), then 24 Feb after the holiday
    assert plain_due_at(CAL, sh(2026, 2, 13, 10), Deadline(2, DAYS)) == sh(2026, 2, 24, 18)


def test_fifteen_working_days_across_the_spring_festival():
    due = plain_due_at(CAL, sh(2026, 2, 10, 9), Deadline(15, DAYS))
    assert due == sh(2026, 3, 9, 18)  # 11–14 Feb, 24 Feb–9 Mar, both make-up Saturdays


def test_a_suspended_interval_does_not_count():
    clock = DeadlineClock().start(sh(2026, 3, 2, 9))
    clock = clock.pause(sh(2026, 3, 2, 10)).resume(sh(2026, 3, 4, 10))
    assert elapsed_seconds(CAL, clock, sh(2026, 3, 4, 11)) == 2 * 3600
    status = deadline_status(CAL, clock, Deadline(4, HOURS), sh(2026, 3, 4, 11))
    assert status.due_at == sh(2026, 3, 4, 14, 30)  # 1 h before the pause, 3 h after it
    assert status.level == DeadlineLevel.ON_TRACK


def test_a_paused_clock_has_no_due_time_and_is_not_late():
    clock = DeadlineClock().start(sh(2026, 3, 2, 9)).pause(sh(2026, 3, 2, 10))
    status = deadline_status(CAL, clock, Deadline(2, HOURS), sh(2026, 3, 20, 10))
    assert (status.level, status.due_at, status.elapsed_seconds) == (
        DeadlineLevel.PAUSED,
        None,
        3600,
    )


def test_the_warning_comes_at_80_percent_of_the_working_time():
    clock = DeadlineClock().start(sh(2026, 3, 2, 9))
    deadline = Deadline(10, HOURS)
    status = deadline_status(CAL, clock, deadline, sh(2026, 3, 2, 9))
    assert status.warning_at == sh(2026, 3, 3, 9, 30)  # 8 h: 7.5 on Monday, 0.5 on Tuesday
    before = deadline_status(CAL, clock, deadline, sh(2026, 3, 3, 9, 29))
    after = deadline_status(CAL, clock, deadline, sh(2026, 3, 3, 9, 30))
    assert (before.level, after.level) == (DeadlineLevel.ON_TRACK, DeadlineLevel.WARNING)


def test_a_case_past_its_due_time_is_overdue_and_closing_it_then_is_late():
    clock = DeadlineClock().start(sh(2026, 3, 2, 9))
    deadline = Deadline(1, DAYS)
    at_due = deadline_status(CAL, clock, deadline, sh(2026, 3, 3, 18))
    assert at_due.level == DeadlineLevel.WARNING and at_due.remaining_seconds == 0
    late = deadline_status(CAL, clock, deadline, sh(2026, 3, 4, 9, 1))
    assert late.level == DeadlineLevel.OVERDUE
    closed = deadline_status(CAL, clock.stop(sh(2026, 3, 4, 10)), deadline, sh(2026, 4, 1, 9))
    assert closed.level == DeadlineLevel.CLOSED_LATE


def test_a_case_closed_in_time_stays_on_time_forever():
    clock = DeadlineClock().start(sh(2026, 3, 2, 9)).stop(sh(2026, 3, 2, 15))
    status = deadline_status(CAL, clock, Deadline(1, DAYS), sh(2027, 3, 2, 9))
    assert status.level == DeadlineLevel.CLOSED_ON_TIME
    assert status.elapsed_seconds == 4.5 * 3600


def test_a_late_case_stays_overdue_while_paused():
    clock = DeadlineClock().start(sh(2026, 3, 2, 9)).pause(sh(2026, 3, 3, 9))
    status = deadline_status(CAL, clock, Deadline(2, HOURS), sh(2026, 3, 5, 9))
    assert status.level == DeadlineLevel.OVERDUE


def test_a_clock_not_started_has_no_deadline():
    status = deadline_status(CAL, DeadlineClock(), Deadline(1, DAYS), sh(2026, 3, 2, 9))
    assert (status.level, status.due_at) == (DeadlineLevel.NOT_STARTED, None)


def test_clock_operations_out_of_order_are_refused():
    clock = DeadlineClock().start(sh(2026, 3, 2, 9))
    with pytest.raises(ClockError):
        clock.resume(sh(2026, 3, 2, 10))
    with pytest.raises(ClockError):
        clock.pause(sh(2026, 3, 1, 10))
    with pytest.raises(ClockError):
        DeadlineClock().pause(sh(2026, 3, 2, 10))
    with pytest.raises(ClockError):
        clock.stop(sh(2026, 3, 2, 10)).stop(sh(2026, 3, 2, 11))


def test_stopping_a_paused_clock_closes_the_pause():
    clock = DeadlineClock().start(sh(2026, 3, 2, 9)).pause(sh(2026, 3, 2, 10))
    stopped = clock.stop(sh(2026, 3, 5, 10))
    assert stopped.pauses == ((sh(2026, 3, 2, 10), sh(2026, 3, 5, 10)),)
    assert elapsed_seconds(CAL, stopped, sh(2026, 4, 1)) == 3600


@pytest.mark.parametrize("amount", [0, -1, 1.5, True])
def test_deadlines_must_be_positive_whole_numbers(amount):
    with pytest.raises(ValueError):
        Deadline(amount, DAYS)


def test_deadline_labels_are_bilingual():
    assert Deadline(5, DAYS).label() == "5个工作日"
    assert Deadline(1, HOURS).label("en") == "1 working hour"


instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 11, 30), timezones=st.just(UTC)
)
deadlines = st.builds(
    Deadline, st.integers(1, 40), st.sampled_from([DeadlineUnit.WORKING_HOURS, DAYS])
)


@settings(max_examples=150, deadline=None)
@given(start=instants, deadline=deadlines)
def test_at_the_due_time_exactly_the_budget_has_elapsed(start, deadline):
    clock = DeadlineClock().start(start)
    due = plain_due_at(CAL, start, deadline)
    budget = budget_seconds(CAL, start, deadline)
    assert due > start and budget > 0
    assert elapsed_seconds(CAL, clock, due) == pytest.approx(budget)
    assert time_when_elapsed(CAL, clock, budget) <= due
    assert CAL.is_workday(CAL.local_date(due - timedelta(seconds=1)))


@settings(max_examples=150, deadline=None)
@given(
    start=instants,
    deadline=deadlines,
    pause_after=st.floats(0, 200).map(lambda h: timedelta(hours=h)),
    pause_for=st.floats(0.1, 400).map(lambda h: timedelta(hours=h)),
)
def test_a_pause_moves_the_due_time_by_the_working_time_it_took(
    start, deadline, pause_after, pause_for
):
    paused_at = start + pause_after
    clock = DeadlineClock().start(start).pause(paused_at).resume(paused_at + pause_for)
    status = deadline_status(CAL, clock, deadline, paused_at + pause_for)
    plain = plain_due_at(CAL, start, deadline)
    assert status.due_at is not None and status.due_at >= plain
    lost = CAL.working_seconds(paused_at, paused_at + pause_for)
    if paused_at + pause_for <= plain:
        # the whole pause fell before the due time: the due time moves by its working time
        assert CAL.working_seconds(plain, status.due_at) == pytest.approx(lost, abs=1e-3)
    assert elapsed_seconds(CAL, clock, status.due_at) == pytest.approx(status.budget_seconds)
    assert status.warning_at <= status.due_at


@settings(max_examples=100, deadline=None)
@given(start=instants, deadline=deadlines, offset=st.floats(0, 2000))
def test_elapsed_time_never_decreases_and_levels_follow_it(start, deadline, offset):
    clock = DeadlineClock().start(start)
    now = start + timedelta(hours=offset)
    later = now + timedelta(hours=7)
    assert elapsed_seconds(CAL, clock, later) >= elapsed_seconds(CAL, clock, now)
    status = deadline_status(CAL, clock, deadline, now)
    expected = (
        DeadlineLevel.OVERDUE
        if status.elapsed_seconds > status.budget_seconds
        else DeadlineLevel.WARNING
        if status.elapsed_seconds >= 0.8 * status.budget_seconds
        else DeadlineLevel.ON_TRACK
    )
    assert status.level == expected
