"""The aggregated temporal representation (clause 4.5.19), computed in SQL on both backends."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from smartcity.context.temporal import aggregate as agg
from smartcity.context.temporal import service
from smartcity.context.temporal.params import AGGR_METHODS, Aggregation, Window, parse_duration
from tests.context.temporal.conftest import TEMPORAL, Ngsi, vehicle

SPEED = "https://uri.etsi.org/ngsi-ld/default-context/speed"
LEVEL = "https://uri.etsi.org/ngsi-ld/default-context/level"
T0 = datetime(2020, 8, 1, 12, 0, tzinfo=UTC)


def _at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def _store(session: Session, tenant_id: int, now: datetime, series: dict[str, list[Any]]) -> None:
    """One entity whose attributes have the given (minutes after T0, value[, datasetId])."""
    instances = {
        name: [
            {
                "type": "Property",
                "value": item[1],
                "observedAt": _at(item[0]),
                **({"datasetId": item[2]} if len(item) > 2 else {}),
            }
            for item in items
        ]
        for name, items in series.items()
    }
    head = {"id": "urn:ngsi-ld:Sensor:1", "type": "https://example.org/Sensor"}
    service.upsert_temporal_entity(session, tenant_id, head, instances, now)


def _run(
    session: Session, tenant_id: int, window: Window, methods: tuple[str, ...], period: str
) -> Any:
    aggregation = Aggregation(methods, parse_duration(period))
    result = agg.aggregate(session, tenant_id, ["urn:ngsi-ld:Sensor:1"], None, window, aggregation)
    return result.get("urn:ngsi-ld:Sensor:1", {})


def test_every_method_matches_its_definition(session: Session, tenant_id: int, clock: Any) -> None:
    values = [3.0, 5.5, 5.5, -2.0, 10.0, 7.25]
    _store(session, tenant_id, clock.now(), {SPEED: [(i * 7, v) for i, v in enumerate(values)]})
    window = Window("between", T0, T0 + timedelta(hours=1))
    got = _run(session, tenant_id, window, AGGR_METHODS, "PT1H")[SPEED][None]
    expected = {
        "totalCount": 6,
        "distinctCount": 5,
        "sum": sum(values),
        "avg": statistics.fmean(values),
        "min": -2.0,
        "max": 10.0,
        "stddev": statistics.stdev(values),
        "sumsq": sum(v * v for v in values),
    }
    for method, value in expected.items():
        [[found, start, end]] = got[method]
        assert math.isclose(found, value, rel_tol=1e-9), method
        assert (start, end) == ("2020-08-01T12:00:00Z", "2020-08-01T13:00:00Z")


def test_periods_start_at_time_at_and_skip_empty_ones(
    session: Session, tenant_id: int, clock: Any
) -> None:
    readings = [(0, 1), (59.99, 3), (60, 10), (185, 7)]  # 12:00, 12:59:59.4, 13:00, 15:05
    _store(session, tenant_id, clock.now(), {SPEED: readings})
    window = Window("after", T0)
    got = _run(session, tenant_id, window, ("avg",), "PT1H")[SPEED][None]["avg"]
    assert got == [
        [2.0, "2020-08-01T12:00:00Z", "2020-08-01T13:00:00Z"],
        [10.0, "2020-08-01T13:00:00Z", "2020-08-01T14:00:00Z"],
        [7.0, "2020-08-01T15:00:00Z", "2020-08-01T16:00:00Z"],
    ]


def test_before_aligns_periods_on_time_at_going_back(
    session: Session, tenant_id: int, clock: Any
) -> None:
    _store(session, tenant_id, clock.now(), {SPEED: [(0, 1), (50, 2), (70, 4)]})
    window = Window("before", T0 + timedelta(minutes=90))
    got = _run(session, tenant_id, window, ("sum",), "PT1H")[SPEED][None]["sum"]
    assert got == [
        [1.0, "2020-08-01T11:30:00Z", "2020-08-01T12:30:00Z"],
        [6.0, "2020-08-01T12:30:00Z", "2020-08-01T13:30:00Z"],
    ]


def test_without_time_at_periods_start_at_the_first_instance(
    session: Session, tenant_id: int, clock: Any
) -> None:
    _store(
        session,
        tenant_id,
        clock.now(),
        {SPEED: [(3, 120), (5, 80), (7, 100)], LEVEL: [(3, 67), (65, 53)]},
    )
    got = _run(session, tenant_id, Window(), ("avg",), "PT1H")
    assert got[SPEED][None]["avg"] == [[100.0, "2020-08-01T12:03:00Z", "2020-08-01T13:03:00Z"]]
    assert got[LEVEL][None]["avg"][1] == [53.0, "2020-08-01T13:03:00Z", "2020-08-01T14:03:00Z"]


def test_a_zero_duration_spans_the_whole_range(
    session: Session, tenant_id: int, clock: Any
) -> None:
    _store(session, tenant_id, clock.now(), {SPEED: [(3, 1), (500, 5)]})
    whole = _run(session, tenant_id, Window(), ("max",), "PT0S")[SPEED][None]["max"]
    assert whole == [[5.0, "2020-08-01T12:03:00Z", "2020-08-01T20:20:00Z"]]
    bounded = Window("between", T0, T0 + timedelta(days=1))
    shown = _run(session, tenant_id, bounded, ("max",), "P0D")[SPEED][None]["max"]
    assert shown == [[5.0, "2020-08-01T12:00:00Z", "2020-08-02T12:00:00Z"]]


def test_calendar_months_are_periods_of_unequal_length(
    session: Session, tenant_id: int, clock: Any
) -> None:
    days = [0, 30, 31, 59, 60]  # Aug 1, Aug 31, Sep 1, Sep 29, Sep 30 (12:00)
    _store(session, tenant_id, clock.now(), {SPEED: [(d * 1440, 1) for d in days]})
    window = Window("after", T0)
    got = _run(session, tenant_id, window, ("totalCount",), "P1M")[SPEED][None]["totalCount"]
    assert got == [
        [2, "2020-08-01T12:00:00Z", "2020-09-01T12:00:00Z"],
        [3, "2020-09-01T12:00:00Z", "2020-10-01T12:00:00Z"],
    ]


def test_each_dataset_is_aggregated_apart(session: Session, tenant_id: int, clock: Any) -> None:
    _store(session, tenant_id, clock.now(), {SPEED: [(1, 10), (2, 20), (1, 100, "urn:d:gps")]})
    got = _run(session, tenant_id, Window("after", T0), ("avg",), "PT1H")[SPEED]
    assert got[None]["avg"][0][0] == 15.0
    assert got["urn:d:gps"]["avg"][0][0] == 100.0


def test_numeric_methods_skip_periods_without_numbers(
    session: Session, tenant_id: int, clock: Any
) -> None:
    _store(session, tenant_id, clock.now(), {SPEED: [(1, "fast"), (2, "fast"), (3, "slow")]})
    got = _run(session, tenant_id, Window(), ("avg", "totalCount", "distinctCount"), "PT1H")
    methods = got[SPEED][None]
    assert methods["avg"] == []
    assert (methods["totalCount"][0][0], methods["distinctCount"][0][0]) == (3, 2)


def test_too_many_calendar_periods_are_refused(
    session: Session, tenant_id: int, clock: Any
) -> None:
    _store(session, tenant_id, clock.now(), {SPEED: [(0, 1), (200 * 366 * 1440, 2)]})
    from smartcity.context.errors import TooComplexQuery

    with pytest.raises(TooComplexQuery):
        _run(session, tenant_id, Window(), ("sum",), "P1M")


def test_over_http_the_etsi_vehicle_averages_per_hour(ngsi: Ngsi, created: Any) -> None:
    body = ngsi.get(
        TEMPORAL + "/urn:ngsi-ld:Vehicle:A",
        params={"options": "aggregatedValues", "aggrMethods": "avg", "aggrPeriodDuration": "PT1H"},
    ).json()
    assert body == {
        "id": "urn:ngsi-ld:Vehicle:A",
        "type": "Vehicle",
        "speed": {
            "type": "Property",
            "avg": [[100.0, "2020-08-01T12:03:00Z", "2020-08-01T13:03:00Z"]],
        },
        "fuelLevel": {
            "type": "Property",
            "avg": [
                [67.0, "2020-08-01T12:03:00Z", "2020-08-01T13:03:00Z"],
                [53.0, "2020-08-01T13:03:00Z", "2020-08-01T14:03:00Z"],
                [40.0, "2020-08-01T14:03:00Z", "2020-08-01T15:03:00Z"],
            ],
        },
    }


def test_over_http_a_query_aggregates_every_entity(ngsi: Ngsi, created: Any) -> None:
    ngsi.post(TEMPORAL, json=vehicle("urn:ngsi-ld:Vehicle:B"))
    params = {
        "type": "Vehicle",
        "attrs": "fuelLevel",
        "timerel": "between",
        "timeAt": "2020-08-01T12:00:00Z",
        "endTimeAt": "2020-08-02T00:00:00Z",
        "aggrMethods": "min,max",
        "aggrPeriodDuration": "P1D",
    }
    body = ngsi.get(TEMPORAL, params=params).json()
    assert [e["id"] for e in body] == ["urn:ngsi-ld:Vehicle:A", "urn:ngsi-ld:Vehicle:B"]
    assert all(set(e) == {"id", "type", "fuelLevel"} for e in body)
    assert body[0]["fuelLevel"]["min"] == [[40.0, "2020-08-01T12:00:00Z", "2020-08-02T12:00:00Z"]]
    assert body[0]["fuelLevel"]["max"][0][0] == 67.0
