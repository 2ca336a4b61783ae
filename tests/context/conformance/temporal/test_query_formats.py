"""ETSI TP/NGSI-LD/ContextInformation/Consumption/TemporalEntity/QueryTemporalEvolutionOfEntities
021_19–021_21 (clauses 6.3.12, 6.3.20, 4.21): format and options on a query, their errors, and
pick/omit over several entities."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, gap, problem, random_id, same
from tests.context.conformance.temporal.payloads import (
    BUS_2020_08,
    BUS_FUEL,
    BUS_SPEED,
    FUEL_2020_08,
    FUEL_2020_09,
    SPEED_2020_08,
    SPEED_2020_09,
    VEHICLE_2020_08,
    VEHICLE_2020_09,
    series,
)

SINCE_2020 = {"timerel": "after", "timeAt": "2020-01-01T12:03:00Z"}


def values(points: list[tuple[Any, str]]) -> dict[str, Any]:
    return {"type": "Property", "values": [[v, at] for v, at in points]}


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"format": "temporalValues"}, id="021_19_01"),
        pytest.param(
            {"format": "temporalValues", "options": "aggregatedValues", "aggrMethods": "sum"},
            id="021_19_02",
        ),
        pytest.param({"options": "temporalValues"}, id="021_19_03"),
    ],
)
def test_021_19_format_wins_over_options(temporal, params):
    a, b = temporal.created(VEHICLE_2020_08), temporal.created(VEHICLE_2020_09)
    response = temporal.query(
        context=SUITE_CONTEXT, params={"type": "Vehicle", **SINCE_2020, **params}
    )
    assert response.status_code == 200, response.text
    expected = [
        {"id": a, "type": "Vehicle", "speed": values(SPEED_2020_08)}
        | {"fuelLevel": values(FUEL_2020_08)},
        {"id": b, "type": "Vehicle", "speed": values(SPEED_2020_09)}
        | {"fuelLevel": values(FUEL_2020_09)},
    ]
    same(expected, response.json())


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"format": "invalidFormat"}, id="021_20_01"),
        pytest.param({"options": "invalidOptions"}, id="021_20_02"),
        pytest.param({"options": "temporalValues,invalidOptions"}, id="021_20_03"),
        pytest.param(
            {"format": "temporalValues", "options": "aggregatedValues,invalidOptions"},
            id="021_20_04",
        ),
    ],
)
def test_021_20_an_unknown_format_or_option_is_invalid_request(temporal, params):
    response = temporal.query(
        context=SUITE_CONTEXT, params={"type": "Vehicle", **SINCE_2020, **params}
    )
    problem(response, 400, "InvalidRequest")


@pytest.mark.parametrize(
    ("params", "members"),
    [
        pytest.param({"pick": "speed"}, {"speed"}, id="021_21_01"),
        pytest.param({"omit": "speed"}, {"id", "type", "fuelLevel"}, id="021_21_02"),
        pytest.param({"pick": "id"}, {"id"}, id="021_21_03"),
        pytest.param({"omit": "type"}, {"id", "speed", "fuelLevel"}, id="021_21_04"),
        pytest.param({"pick": "id,speed"}, {"id", "speed"}, id="021_21_05"),
        pytest.param({"omit": "type,speed"}, {"id", "fuelLevel"}, id="021_21_06"),
    ],
)
def test_021_21_pick_and_omit_choose_the_members_of_each_entity(temporal, params, members):
    a, b = temporal.created(VEHICLE_2020_08), temporal.created(VEHICLE_2020_09)
    bus = temporal.created(BUS_2020_08, random_id("urn:ngsi-ld:Bus:"))
    whole = [
        {"id": a, "type": "Vehicle", "speed": SPEED_2020_08, "fuelLevel": FUEL_2020_08},
        {"id": b, "type": "Vehicle", "speed": SPEED_2020_09, "fuelLevel": FUEL_2020_09},
        {"id": bus, "type": "Bus", "speed": BUS_SPEED, "fuelLevel": BUS_FUEL},
    ]
    expected = [
        {k: series(*v) if k in ("speed", "fuelLevel") else v for k, v in e.items() if k in members}
        for e in whole
    ]
    query = {"type": "Bus,Vehicle", "timerel": "after", "timeAt": "1970-01-01T00:00:00Z"}
    response = temporal.query(context=SUITE_CONTEXT, params={**query, **params})
    assert response.status_code == 200, response.text
    same(expected, response.json())


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"pick": "speed", "omit": "speed"}, id="021_22_01"),
        pytest.param({"pick": "speed", "attrs": "fuelLevel"}, id="021_22_02"),
        pytest.param({"omit": "speed", "attrs": "fuelLevel"}, id="021_22_03"),
    ],
)
def test_021_22_conflicting_projections_are_bad_request_data(temporal, params):
    temporal.created(VEHICLE_2020_08)
    query = {"type": "Building,Vehicle", "timerel": "after", "timeAt": "1970-01-01T00:00:00Z"}
    response = temporal.query(context=SUITE_CONTEXT, params={**query, **params})
    problem(response, 400, "BadRequestData")


@gap("021_23: orderBy (clause 4.23, since v1.9.1) is not implemented on temporal queries")
def test_021_23_07_order_by_a_name_descending(temporal):
    prefix = random_id()
    ids = [f"{prefix}-{n}" for n in (1, 2, 3)]  # by id or by creation, never name;desc
    for entity_id, name in ((ids[1], "b"), (ids[0], "a"), (ids[2], "c")):
        building = {
            "id": entity_id,
            "type": "Building",
            "name": {"type": "Property", "value": name},
        }
        temporal.suite.created({**building, "@context": [SUITE_CONTEXT]})
    query = {"type": "Building", "timerel": "after", "timeAt": "1970-01-01T00:00:00Z"}
    query |= {"timeproperty": "createdAt", "orderBy": "name;desc"}
    response = temporal.query(context=SUITE_CONTEXT, params=query)
    assert response.status_code == 200, response.text
    assert [e["id"] for e in response.json()] == ids[::-1]
