"""结案率 and 按期结案率 over case records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from smartcity.cases.rates import closure_rate, closure_rates, on_time_closure_rate

CUT = datetime(2026, 6, 30, tzinfo=UTC)
DAY = timedelta(days=1)


@dataclass
class Rec:
    due_at: datetime | None
    closed_at: datetime | None


def test_rates_count_closed_on_time_closed_late_and_overdue_open_cases():
    records = [
        Rec(CUT - 5 * DAY, CUT - 6 * DAY),  # closed on time
        Rec(CUT - 5 * DAY, CUT - 4 * DAY),  # closed late
        Rec(CUT - 1 * DAY, None),  # open and overdue: due, not closed
        Rec(CUT + 3 * DAY, None),  # open, not yet due: not counted
        Rec(None, None),  # suspended: no due time, not counted
        Rec(CUT + 9 * DAY, CUT - DAY),  # closed early: due and on time
    ]
    rates = closure_rates(records, CUT)
    assert (rates.due, rates.closed, rates.closed_on_time) == (4, 3, 2)
    assert closure_rate(records, CUT) == pytest.approx(0.75)
    assert on_time_closure_rate(records, CUT) == pytest.approx(0.5)


def test_a_case_closed_after_the_cut_off_counts_as_open():
    records = [Rec(CUT - DAY, CUT + DAY)]
    assert closure_rates(records, CUT).closed == 0 and closure_rate(records, CUT) == 0


def test_nothing_due_means_no_rate():
    assert (
        closure_rate([], CUT) is None and on_time_closure_rate([Rec(CUT + DAY, None)], CUT) is None
    )


def test_closing_exactly_at_the_due_time_is_on_time():
    assert on_time_closure_rate([Rec(CUT - DAY, CUT - DAY)], CUT) == 1.0


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        closure_rates([Rec(datetime(2026, 1, 1), None)], CUT)
