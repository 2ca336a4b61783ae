"""ETSI TP/NGSI-LD/ContextInformation/Consumption/TemporalEntity/RetrieveTemporalEvolutionOfEntity
020_01–020_08 (clause 5.7.3): the normalized temporal representation, attrs, timerel, lastN and
the errors of retrieval."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, SUITE_NS, problem, same
from tests.context.conformance.temporal.conftest import Temporal
from tests.context.conformance.temporal.payloads import (
    FUEL_2020_08,
    FUEL_MANY,
    SPEED_2020_08,
    SPEED_MANY,
    VEHICLE_2020_08,
    VEHICLE_MANY,
    series,
    vehicle,
)


@pytest.fixture(scope="module")
def vehicle_id(suite) -> Iterator[str]:
    keywords = Temporal(suite)
    yield keywords.created(VEHICLE_2020_08)
    keywords.delete(keywords.ids[0])


def test_020_01_01_without_context_attributes_are_full_iris(temporal, vehicle_id):
    response = temporal.retrieve(vehicle_id)
    assert response.status_code == 200, response.text
    expected = {
        "id": vehicle_id,
        "type": SUITE_NS + "Vehicle",
        SUITE_NS + "speed": series(*SPEED_2020_08),
        SUITE_NS + "fuelLevel": series(*FUEL_2020_08),
    }
    same(expected, response.json())


def test_020_02_01_with_the_suite_context_attributes_are_terms(temporal, vehicle_id):
    response = temporal.retrieve(vehicle_id, context=SUITE_CONTEXT)
    assert response.status_code == 200, response.text
    expected = vehicle(speed=series(*SPEED_2020_08), fuelLevel=series(*FUEL_2020_08))
    same({**expected, "id": vehicle_id}, response.json())


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        pytest.param("fuelLevel", {"fuelLevel": series(*FUEL_2020_08)}, id="020_03_01"),
        pytest.param(
            "fuelLevel,speed",
            {"fuelLevel": series(*FUEL_2020_08), "speed": series(*SPEED_2020_08)},
            id="020_03_02",
        ),
    ],
)
def test_020_03_attrs_selects_attributes(temporal, vehicle_id, attrs, expected):
    response = temporal.retrieve(vehicle_id, context=SUITE_CONTEXT, params={"attrs": attrs})
    assert response.status_code == 200, response.text
    same({**vehicle(**expected), "id": vehicle_id}, response.json())


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(
            {"timerel": "after", "timeAt": "2020-08-01T13:03:00Z"},
            {"fuelLevel": series(*FUEL_2020_08[1:])},
            id="020_04_01",
        ),
        pytest.param(
            {"timerel": "before", "timeAt": "2020-08-01T12:05:00Z"},
            {"fuelLevel": series(*FUEL_2020_08[:1]), "speed": series(*SPEED_2020_08[:1])},
            id="020_04_02",
        ),
        pytest.param(
            {
                "timerel": "between",
                "timeAt": "2020-08-01T12:00:00Z",
                "endTimeAt": "2020-08-01T13:00:00Z",
            },
            {"fuelLevel": series(*FUEL_2020_08[:1]), "speed": series(*SPEED_2020_08)},
            id="020_04_03",
        ),
    ],
)
def test_020_04_timerel_selects_instances(temporal, vehicle_id, params, expected):
    response = temporal.retrieve(vehicle_id, context=SUITE_CONTEXT, params=params)
    assert response.status_code == 200, response.text
    same({**vehicle(**expected), "id": vehicle_id}, response.json())


@pytest.mark.parametrize(
    ("last_n", "kept"),
    [pytest.param(4, 4, id="020_05_01"), pytest.param(7, 5, id="020_05_02")],
)
def test_020_05_last_n_keeps_the_most_recent_instances(temporal, last_n, kept):
    entity_id = temporal.created(VEHICLE_MANY)
    response = temporal.retrieve(entity_id, context=SUITE_CONTEXT, params={"lastN": last_n})
    assert response.status_code == 200, response.text
    expected = vehicle(fuelLevel=series(*FUEL_MANY[-kept:]), speed=series(*SPEED_MANY[-kept:]))
    same({**expected, "id": entity_id}, response.json())


def test_020_06_01_an_id_that_is_not_a_uri_is_bad_request_data(temporal):
    problem(temporal.retrieve("invalidUri"), 400, "BadRequestData")


def test_020_07_01_an_unknown_entity_is_not_found(temporal):
    problem(temporal.retrieve("urn:ngsi-ld:Vehicle:unknowEntity"), 404, "ResourceNotFound")


def test_020_08_01_attrs_matching_nothing_is_not_found(temporal, vehicle_id):
    response = temporal.retrieve(
        vehicle_id, context=SUITE_CONTEXT, params={"attrs": "unknownAttribute"}
    )
    problem(response, 404, "ResourceNotFound")
