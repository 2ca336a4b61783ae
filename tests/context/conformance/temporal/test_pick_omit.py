"""ETSI TP/NGSI-LD/ContextInformation/Consumption/TemporalEntity/RetrieveTemporalEvolutionOfEntity
020_21–020_23 and 5731_01 (clauses 5.7.3, 4.21): pick and omit on a temporal retrieval."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, same
from tests.context.conformance.temporal.conftest import JSON, Temporal
from tests.context.conformance.temporal.payloads import (
    FUEL_2020_08,
    SPEED_2020_08,
    VEHICLE_2020_08,
    series,
)

SPEED = series(*SPEED_2020_08)
FUEL = series(*FUEL_2020_08)


@pytest.fixture(scope="module")
def vehicle_id(suite) -> Iterator[str]:
    keywords = Temporal(suite)
    yield keywords.created(VEHICLE_2020_08)
    keywords.delete(keywords.ids[0])


@pytest.mark.parametrize(
    ("params", "members"),
    [
        pytest.param({"pick": "speed"}, {"speed": SPEED}, id="020_21_01"),
        pytest.param(
            {"omit": "speed"}, {"id": None, "type": "Vehicle", "fuelLevel": FUEL}, id="020_21_02"
        ),
        pytest.param({"pick": "id,speed"}, {"id": None, "speed": SPEED}, id="020_21_03"),
        pytest.param({"omit": "type,speed"}, {"id": None, "fuelLevel": FUEL}, id="020_21_04"),
    ],
)
def test_020_21_pick_and_omit_choose_members(temporal, vehicle_id, params, members):
    response = temporal.retrieve(vehicle_id, context=SUITE_CONTEXT, params=params)
    assert response.status_code == 200, response.text
    expected = {k: vehicle_id if k == "id" else v for k, v in members.items()}
    same(expected, response.json())


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"pick": "speed", "omit": "speed"}, id="020_22_01"),
        pytest.param({"pick": "speed", "attrs": "fuelLevel"}, id="020_22_02"),
        pytest.param({"omit": "speed", "attrs": "fuelLevel"}, id="020_22_03"),
    ],
)
def test_020_22_conflicting_projections_are_bad_request_data(temporal, vehicle_id, params):
    response = temporal.retrieve(vehicle_id, context=SUITE_CONTEXT, accept=JSON, params=params)
    problem(response, 400, "BadRequestData")


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"pick": "unknown"}, id="020_23_01"),
        pytest.param({"omit": "id,type,fuelLevel,speed"}, id="020_23_02"),
    ],
)
def test_020_23_a_projection_leaving_nothing_is_not_found(temporal, vehicle_id, params):
    response = temporal.retrieve(vehicle_id, context=SUITE_CONTEXT, accept=JSON, params=params)
    problem(response, 404, "ResourceNotFound")


def test_5731_01_01_a_linked_entity_projection_is_bad_request_data(temporal):
    response = temporal.retrieve(
        "urn:ngsi-ld:Building:5731", accept="application/ld+json", params={"pick": "owner{name}"}
    )
    problem(response, 400, "BadRequestData")
