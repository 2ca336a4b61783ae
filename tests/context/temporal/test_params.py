"""The temporal query parameters (clause 4.11, 5.2.21, 4.5.19) parsed and checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smartcity.context.errors import BadRequestData
from smartcity.context.temporal.params import (
    AGGREGATED,
    NORMALIZED,
    TEMPORAL_VALUES,
    Duration,
    format_datetime,
    from_body,
    parse_duration,
    parse_window,
    temporal_query,
)

T = datetime(2020, 8, 1, 12, 5, tzinfo=UTC)


def test_after_is_an_inclusive_lower_bound() -> None:
    window = parse_window("after", "2020-08-01T12:05:00Z", None)
    assert (window.lower, window.upper) == (T, None)


def test_before_is_an_exclusive_upper_bound() -> None:
    window = parse_window("before", "2020-08-01T12:05:00.000Z", None)
    assert (window.lower, window.upper) == (None, T)


def test_between_spans_time_at_to_end_time_at() -> None:
    window = parse_window("between", "2020-08-01T12:05:00Z", "2020-08-01T13:05:00Z")
    assert (window.lower, window.upper) == (T, T + timedelta(hours=1))


def test_a_utc_offset_is_read_as_the_same_instant() -> None:
    window = parse_window("after", "2020-08-01T14:05:00+02:00", None)
    assert window.lower == T


def test_an_unencoded_plus_of_an_offset_arriving_as_a_space_still_parses() -> None:
    assert parse_window("after", "2020-08-01T14:05:00 02:00", None).lower == T


@pytest.mark.parametrize(
    ("timerel", "time_at", "end"),
    [
        ("during", "2020-08-01T12:05:00Z", None),
        ("after", None, None),
        ("before", "", None),
        ("between", "2020-08-01T12:05:00Z", None),
        ("after", "2020-08-01", None),  # a Date is not a DateTime
        ("after", "yesterday", None),
        ("between", "2020-08-01T13:00:00Z", "2020-08-01T12:00:00Z"),
        (None, "2020-08-01T12:05:00Z", None),
        ("after", "2020-08-01T12:05:00Z", "2020-08-01T13:05:00Z"),
    ],
)
def test_a_malformed_temporal_query_is_bad_request_data(
    timerel: str | None, time_at: str | None, end: str | None
) -> None:
    with pytest.raises(BadRequestData):
        parse_window(timerel, time_at, end)


def test_timeproperty_is_one_of_the_four_temporal_properties() -> None:
    assert parse_window(None, None, None, "createdAt").timeproperty == "createdAt"
    with pytest.raises(BadRequestData):
        parse_window(None, None, None, "updatedAt")


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("PT1H", Duration(0, timedelta(hours=1))),
        ("P1D", Duration(0, timedelta(days=1))),
        ("PT0S", Duration()),
        ("P0D", Duration()),
        ("P1W", Duration(0, timedelta(weeks=1))),
        ("PT1.5S", Duration(0, timedelta(seconds=1.5))),
        ("P1M", Duration(1)),
        ("P1Y2M3DT4H5M6S", Duration(14, timedelta(days=3, hours=4, minutes=5, seconds=6))),
    ],
)
def test_iso_8601_durations(text: str, duration: Duration) -> None:
    assert parse_duration(text) == duration


@pytest.mark.parametrize("text", ["P", "PT", "1H", "PT1H30", "P1H", "T1H", "PT-1H", "", 3600])
def test_not_a_duration_is_bad_request_data(text: object) -> None:
    with pytest.raises(BadRequestData, match="aggrPeriodDuration"):
        parse_duration(text)


def test_a_month_is_added_on_the_calendar_with_the_day_clamped() -> None:
    jan31 = datetime(2024, 1, 31, tzinfo=UTC)
    assert Duration(1).after(jan31) == datetime(2024, 2, 29, tzinfo=UTC)
    assert Duration(1).after(jan31, -2) == datetime(2023, 11, 30, tzinfo=UTC)


def test_aggr_methods_alone_ask_for_the_aggregated_representation() -> None:
    query = temporal_query(aggr_methods="avg,max", aggr_period="PT1H")
    assert query.representation == AGGREGATED
    assert query.aggregation is not None
    assert query.aggregation.methods == ("avg", "max")


def test_aggregated_values_without_methods_is_bad_request_data() -> None:
    with pytest.raises(BadRequestData, match="aggrMethods"):
        temporal_query(options="aggregatedValues")


def test_an_unknown_aggregation_method_is_bad_request_data() -> None:
    with pytest.raises(BadRequestData, match="median"):
        temporal_query(aggr_methods="avg,median")


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "x", 0, 2.5, True])
def test_last_n_is_a_positive_integer(value: object) -> None:
    with pytest.raises(BadRequestData, match="lastN"):
        temporal_query(last_n=value)


def test_temporal_values_by_option_or_format() -> None:
    assert temporal_query(options="temporalValues").representation == TEMPORAL_VALUES
    assert temporal_query(fmt="temporalValues").representation == TEMPORAL_VALUES
    assert temporal_query().representation == NORMALIZED
    with pytest.raises(BadRequestData):
        temporal_query(options="temporalValues,aggregatedValues")


def test_a_query_body_carries_temporal_q_and_aggr_params() -> None:
    body = {
        "type": "Query",
        "temporalQ": {"timerel": "after", "timeAt": "2020-08-01T12:05:00Z", "lastN": 2},
        "aggrParams": {"aggrMethods": ["avg"], "aggrPeriodDuration": "PT0S"},
    }
    query = from_body(body, None, None)
    assert query.window.lower == T
    assert query.last_n == 2
    assert query.aggregation is not None and query.aggregation.period.is_zero


def test_date_times_are_written_in_utc_with_a_fraction_only_when_there_is_one() -> None:
    assert format_datetime(T) == "2020-08-01T12:05:00Z"
    assert format_datetime(T.replace(microsecond=250000)) == "2020-08-01T12:05:00.250000Z"
