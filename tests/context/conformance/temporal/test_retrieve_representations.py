"""ETSI TP/NGSI-LD/ContextInformation/Consumption/TemporalEntity/RetrieveTemporalEvolutionOfEntity
020_09–020_12, 020_15–020_18 (clauses 5.7.3, 4.5.7, 4.5.9, 4.5.19): bad temporal queries, the
simplified and aggregated representations, LanguageProperty, JsonProperty, VocabProperty, and
deletions read by `timeproperty=deletedAt`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, same
from tests.context.conformance.temporal.conftest import Temporal
from tests.context.conformance.temporal.payloads import (
    FUEL_2020_08,
    JSON_SPEEDS,
    SPEED_2020_08,
    STREETS,
    VEHICLE_2020_08,
    VEHICLE_JSON,
    VEHICLE_KINDS,
    VEHICLE_STREETS,
    VEHICLE_VOCAB,
    VOCABS,
    vehicle,
)

NULL = "urn:ngsi-ld:null"
# DELETE /entities/{id}/attrs/{attr} (context/service.py) writes no deletion record yet; the
# temporal side reads them (see temporal/deletions.py and tests/context/temporal).


@pytest.fixture(scope="module")
def vehicle_id(suite) -> Iterator[str]:
    keywords = Temporal(suite)
    yield keywords.created(VEHICLE_2020_08)
    keywords.delete(keywords.ids[0])


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"timerel": "after"}, id="020_09_01"),
        pytest.param({"timerel": "before"}, id="020_09_02"),
        pytest.param({"timerel": "between", "timeAt": "2020-08-01T12:00:00Z"}, id="020_09_03"),
    ],
)
def test_020_09_an_incomplete_temporal_query_is_bad_request_data(temporal, vehicle_id, params):
    problem(temporal.retrieve(vehicle_id, params=params), 400, "BadRequestData")


def values(points: list[tuple[Any, str]]) -> dict[str, Any]:
    return {"type": "Property", "values": [[v, at] for v, at in points]}


def test_020_10_01_temporal_values_are_value_time_pairs(temporal, vehicle_id):
    response = temporal.retrieve(
        vehicle_id, context=SUITE_CONTEXT, params={"options": "temporalValues"}
    )
    assert response.status_code == 200, response.text
    expected = vehicle(speed=values(SPEED_2020_08), fuelLevel=values(FUEL_2020_08))
    same({**expected, "id": vehicle_id}, response.json())


def periods(*rows: tuple[float, str, str]) -> list[list[Any]]:
    return [list(row) for row in rows]


HOUR_1 = ("2020-08-01T12:03:00Z", "2020-08-01T13:03:00Z")
HOUR_2 = ("2020-08-01T13:03:00Z", "2020-08-01T14:03:00Z")
HOUR_3 = ("2020-08-01T14:03:00Z", "2020-08-01T15:03:00Z")
DAY = ("2020-08-01T12:03:00Z", "2020-08-02T12:03:00Z")
SPEED_AVG = periods((100.0, *HOUR_1))
FUEL_HOURLY = periods((67.0, *HOUR_1), (53.0, *HOUR_2), (40.0, *HOUR_3))


def aggregated(**methods: list[list[Any]]) -> dict[str, Any]:
    return {"type": "Property", **methods}


@pytest.mark.parametrize(
    ("methods", "duration", "attrs", "expected"),
    [
        pytest.param(
            "avg",
            "PT1H",
            None,
            {"speed": aggregated(avg=SPEED_AVG), "fuelLevel": aggregated(avg=FUEL_HOURLY)},
            id="020_11_01",
        ),
        pytest.param(
            "avg", "PT1H", "fuelLevel", {"fuelLevel": aggregated(avg=FUEL_HOURLY)}, id="020_11_02"
        ),
        pytest.param(
            "avg,max",
            "PT1H",
            None,
            {
                "speed": aggregated(avg=SPEED_AVG, max=periods((120.0, *HOUR_1))),
                "fuelLevel": aggregated(avg=FUEL_HOURLY, max=FUEL_HOURLY),
            },
            id="020_11_03",
        ),
        pytest.param(
            "min,max",
            "P1D",
            None,
            {
                "speed": aggregated(min=periods((80.0, *DAY)), max=periods((120.0, *DAY))),
                "fuelLevel": aggregated(min=periods((40.0, *DAY)), max=periods((67.0, *DAY))),
            },
            id="020_11_04",
        ),
    ],
)
def test_020_11_aggregated_values_per_period(
    temporal, vehicle_id, methods, duration, attrs, expected
):
    params = {"options": "aggregatedValues", "aggrMethods": methods}
    params["aggrPeriodDuration"] = duration
    if attrs:
        params["attrs"] = attrs
    response = temporal.retrieve(vehicle_id, context=SUITE_CONTEXT, params=params)
    assert response.status_code == 200, response.text
    same({**vehicle(**expected), "id": vehicle_id}, response.json())


@pytest.fixture(scope="module")
def kinds(suite) -> Iterator[dict[str, str]]:
    """One vehicle per kind of attribute the suite checks (020_12, 020_15, 020_16)."""
    keywords = Temporal(suite)
    ids = {
        "street": keywords.created(VEHICLE_STREETS),
        "json": keywords.created(VEHICLE_JSON),
        "vocab": keywords.created(VEHICLE_VOCAB),
    }
    yield ids
    for entity_id in keywords.ids:
        keywords.delete(entity_id)


def without_context(document: dict[str, Any], entity_id: str) -> dict[str, Any]:
    return {**{k: v for k, v in document.items() if k != "@context"}, "id": entity_id}


@pytest.mark.parametrize(
    ("kind", "document"),
    [
        pytest.param("street", VEHICLE_STREETS, id="020_12_01"),
        pytest.param("json", VEHICLE_JSON, id="020_15_01"),
        pytest.param("vocab", VEHICLE_VOCAB, id="020_16_01"),
    ],
)
def test_normalized_representation_of_other_property_kinds(temporal, kinds, kind, document):
    response = temporal.retrieve(kinds[kind], context=SUITE_CONTEXT)
    assert response.status_code == 200, response.text
    same(without_context(document, kinds[kind]), response.json())


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        pytest.param(
            "street",
            {
                "street": {
                    "type": "LanguageProperty",
                    "languageMaps": [[{"languageMap": m}, at] for m, at in STREETS],
                }
            },
            id="020_12_02",
        ),
        pytest.param(
            "json",
            {
                "speed": {
                    "type": "JsonProperty",
                    "jsons": [[{"json": j}, at] for j, at in JSON_SPEEDS],
                }
            },
            id="020_15_02",
        ),
        pytest.param(
            "vocab",
            {
                "vocabProperty": {
                    "type": "VocabProperty",
                    "vocabs": [[{"vocab": v}, at] for v, at in VOCABS],
                }
            },
            id="020_16_02",
        ),
    ],
)
def test_simplified_representation_of_other_property_kinds(temporal, kinds, kind, expected):
    response = temporal.retrieve(
        kinds[kind], context=SUITE_CONTEXT, params={"options": "temporalValues"}
    )
    assert response.status_code == 200, response.text
    same({**vehicle(**expected), "id": kinds[kind]}, response.json())


DELETED = {
    "fuelLevel": ({"type": "Property", "value": NULL}, ("values", NULL)),
    "isParkedIn": ({"type": "Relationship", "object": NULL}, ("objects", NULL)),
    "name": (
        {"type": "LanguageProperty", "languageMap": {"@none": NULL}},
        ("languageMaps", {"languageMap": {"@none": NULL}}),
    ),
}


def _deleted_by_the_core_api(temporal, name: str) -> str:
    entity_id = temporal.created(VEHICLE_KINDS)
    response = temporal.suite.request(
        "DELETE", f"/entities/{entity_id}/attrs/{name}", context=SUITE_CONTEXT
    )
    assert response.status_code == 204, response.text
    return entity_id


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("fuelLevel", id="020_17_01"),
        pytest.param("isParkedIn", id="020_17_02"),
        pytest.param("name", id="020_17_03"),
    ],
)
def test_020_17_a_deleted_attribute_reads_by_deleted_at(temporal, name):
    entity_id = _deleted_by_the_core_api(temporal, name)
    response = temporal.retrieve(
        entity_id, context=SUITE_CONTEXT, params={"timeproperty": "deletedAt"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    instance, _ = DELETED[name]
    same({**vehicle(**{name: [instance]}), "id": entity_id}, body, ignore=("deletedAt",))
    assert body[name][0]["deletedAt"]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("fuelLevel", id="020_18_01"),
        pytest.param("isParkedIn", id="020_18_02"),
        pytest.param("name", id="020_18_03"),
    ],
)
def test_020_18_a_deleted_attribute_as_temporal_values(temporal, name):
    entity_id = _deleted_by_the_core_api(temporal, name)
    params = {"timeproperty": "deletedAt", "options": "temporalValues"}
    response = temporal.retrieve(entity_id, context=SUITE_CONTEXT, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    instance, (key, value) = DELETED[name]
    assert body[name]["type"] == instance["type"]
    assert [pair[0] for pair in body[name][key]] == [value]
    assert body[name][key][0][1]
    assert set(body) == {"id", "type", name}
