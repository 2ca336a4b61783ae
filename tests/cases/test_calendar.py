"""The working-day calendar: weekends, holidays, make-up days, overrides, working hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from smartcity.cases.calendar import (
    SHANGHAI,
    CalendarError,
    WorkCalendar,
    WorkingHours,
    default_calendar,
    load_overrides,
)

CAL = default_calendar()


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_weekends_are_days_off_and_weekdays_working_days():
    assert CAL.is_workday(date(2026, 3, 6))  # Friday
    assert not CAL.is_workday(date(2026, 3, 7))  # Saturday
    assert not CAL.is_workday(date(2026, 3, 8))  # Sunday


def test_national_day_week_is_off_and_its_make_up_saturday_is_a_working_day():
    assert not any(CAL.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday, 调休
    assert CAL.is_workday(date(2026, 9, 20))  # Sunday, 调休


def test_spring_festival_2026_is_off_with_its_make_up_saturdays():
    assert not any(CAL.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert CAL.is_workday(date(2026, 2, 14)) and CAL.is_workday(date(2026, 2, 28))


def test_next_workday_skips_the_whole_national_day_holiday():
    assert CAL.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    assert CAL.next_workday(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_years_the_package_knows_are_covered_and_later_ones_are_not():
    assert CAL.covers(2026) and not CAL.covers(2027)
    assert CAL.is_workday(date(2027, 1, 4)) and not CAL.is_workday(date(2027, 1, 9))


def test_an_override_wins_over_the_package():
    overrides = load_overrides('[2026]\nholidays = [2026-03-06]\nworkdays = ["2026-03-07"]\n')
    cal = WorkCalendar(overrides=overrides)
    assert not cal.is_workday(date(2026, 3, 6)) and cal.is_workday(date(2026, 3, 7))
    assert not cal.is_workday(date(2026, 10, 1))  # unlisted days still come from the package


def test_a_complete_override_year_counts_as_covered():
    cal = WorkCalendar(overrides=load_overrides("[2027]\nholidays = [2027-01-01]\ncomplete = true"))
    assert cal.covers(2027)
    assert not cal.is_workday(date(2027, 1, 1)) and cal.is_workday(date(2027, 1, 4))


@pytest.mark.parametrize(
    "text",
    [
        "[2027]\nholidays = [2026-12-31]",  # listed under the wrong year
        "[2027]\nholidays = [2027-01-01]\nworkdays = [2027-01-01]",
        "[next]\nholidays = []",
        "[2027]\nholiday = []",
    ],
)
def test_bad_override_tables_are_refused(text):
    with pytest.raises(CalendarError):
        load_overrides(text)


def test_the_shipped_override_table_loads():
    assert isinstance(load_overrides(), dict)


def test_working_periods_are_in_utc_and_skip_lunch():
    periods = CAL.periods_of(date(2026, 3, 6))
    assert periods == [
        (datetime(2026, 3, 6, 1, 0, tzinfo=UTC), datetime(2026, 3, 6, 4, 0, tzinfo=UTC)),
        (datetime(2026, 3, 6, 5, 30, tzinfo=UTC), datetime(2026, 3, 6, 10, 0, tzinfo=UTC)),
    ]
    assert CAL.periods_of(date(2026, 3, 7)) == []


def test_working_seconds_count_only_working_hours():
    assert CAL.working_seconds(sh(2026, 3, 6, 8), sh(2026, 3, 6, 20)) == 7.5 * 3600
    assert CAL.working_seconds(sh(2026, 3, 6, 11), sh(2026, 3, 9, 10)) == (5.5 + 1) * 3600
    assert CAL.working_seconds(sh(2026, 3, 9), sh(2026, 3, 6)) == 0


def test_adding_working_time_carries_over_lunch_and_nights():
    assert CAL.add_working_seconds(sh(2026, 3, 6, 11), 2 * 3600) == sh(2026, 3, 6, 14, 30)
    assert CAL.add_working_seconds(sh(2026, 3, 6, 17), 2 * 3600) == sh(2026, 3, 9, 10)


def test_naive_datetimes_are_refused():
    with pytest.raises(CalendarError, match="timezone-aware"):
        CAL.working_seconds(datetime(2026, 3, 6, 9), sh(2026, 3, 6, 10))


def test_working_hours_parse_and_reject_overlaps():
    hours = WorkingHours.parse("08:30-11:30,13:00-17:00")
    assert hours.periods[0] == (time(8, 30), time(11, 30)) and hours.seconds_per_day == 25200
    with pytest.raises(CalendarError):
        WorkingHours.parse("09:00-12:00,11:00-18:00")
    with pytest.raises(CalendarError):
        WorkingHours.parse("18:00-09:00")
    with pytest.raises(CalendarError):
        WorkingHours.parse("nine to five")
