"""ETSI TP/NGSI-LD/ContextInformation/Consumption/TemporalEntity/QueryTemporalEvolutionOfEntities
021_01–021_08, 021_11 (clause 5.7.4): GET /temporal/entities by type, id, idPattern, q, attrs,
timerel, lastN and limit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, random_id, same
from tests.context.conformance.temporal.payloads import (
    BUS_2020_08,
    BUS_FUEL,
    BUS_SPEED,
    FUEL_2020_08,
    FUEL_2020_09,
    FUEL_MANY,
    SPEED_2020_08,
    SPEED_2020_09,
    SPEED_MANY,
    VEHICLE_2020_08,
    VEHICLE_2020_09,
    VEHICLE_MANY,
    series,
)

AFTER_JULY = {"timerel": "after", "timeAt": "2020-07-01T12:05:00Z"}


def temporal_entity(entity_id: str, kind: str = "Vehicle", **points: Any) -> dict[str, Any]:
    return {"id": entity_id, "type": kind, **{k: series(*v) for k, v in points.items()}}


def queried(temporal, **params: Any) -> list[dict[str, Any]]:
    response = temporal.query(context=SUITE_CONTEXT, params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("params", "first", "second"),
    [
        pytest.param(
            {"timerel": "after", "timeAt": "2020-08-01T12:04:00Z"},
            {"speed": SPEED_2020_08[1:], "fuelLevel": FUEL_2020_08[1:]},
            {"speed": SPEED_2020_09, "fuelLevel": FUEL_2020_09},
            id="021_01_01",
        ),
        pytest.param(
            {"timerel": "before", "timeAt": "2020-09-01T13:06:00Z"},
            {"speed": SPEED_2020_08, "fuelLevel": FUEL_2020_08},
            {"speed": SPEED_2020_09, "fuelLevel": FUEL_2020_09[:2]},
            id="021_01_02",
        ),
        pytest.param(
            {
                "timerel": "between",
                "timeAt": "2020-08-01T12:04:00Z",
                "endTimeAt": "2020-09-01T13:06:00Z",
            },
            {"speed": SPEED_2020_08[1:], "fuelLevel": FUEL_2020_08[1:]},
            {"speed": SPEED_2020_09, "fuelLevel": FUEL_2020_09[:2]},
            id="021_01_03",
        ),
    ],
)
def test_021_01_timerel_selects_the_instances_of_each_entity(temporal, params, first, second):
    a, b = temporal.created(VEHICLE_2020_08), temporal.created(VEHICLE_2020_09)
    temporal.created(BUS_2020_08, random_id("urn:ngsi-ld:Bus:"))
    expected = [temporal_entity(a, **first), temporal_entity(b, **second)]
    same(expected, queried(temporal, type="Vehicle", **params))


def test_021_02_01_attrs_selects_attributes(temporal):
    a, b = temporal.created(VEHICLE_2020_08), temporal.created(VEHICLE_2020_09)
    expected = [
        temporal_entity(a, speed=SPEED_2020_08),
        temporal_entity(b, speed=SPEED_2020_09),
    ]
    same(expected, queried(temporal, type="Vehicle", attrs="speed", **AFTER_JULY))


def test_021_03_01_last_n_keeps_the_newest_instances_of_each_entity(temporal):
    a, b = temporal.created(VEHICLE_MANY), temporal.created(VEHICLE_2020_09)
    expected = [
        temporal_entity(a, speed=SPEED_MANY[-4:], fuelLevel=FUEL_MANY[-4:]),
        temporal_entity(b, speed=SPEED_2020_09, fuelLevel=FUEL_2020_09),
    ]
    same(expected, queried(temporal, type="Vehicle", lastN=4, **AFTER_JULY))


def _both(a: str, b: str) -> list[dict[str, Any]]:
    return [
        temporal_entity(a, speed=SPEED_2020_08, fuelLevel=FUEL_2020_08),
        temporal_entity(b, speed=SPEED_2020_09, fuelLevel=FUEL_2020_09),
    ]


def test_021_04_01_the_context_compacts_every_entity(temporal):
    a, b = temporal.created(VEHICLE_2020_08), temporal.created(VEHICLE_2020_09)
    same(_both(a, b), queried(temporal, type="Vehicle", **AFTER_JULY))


def test_021_05_01_type_selects_entities(temporal):
    temporal.created(VEHICLE_2020_08)
    bus = temporal.created(BUS_2020_08, random_id("urn:ngsi-ld:Bus:"))
    expected = [temporal_entity(bus, "Bus", speed=BUS_SPEED, fuelLevel=BUS_FUEL)]
    same(expected, queried(temporal, type="Bus", **AFTER_JULY))


def test_021_06_01_id_selects_entities(temporal):
    a, _ = temporal.created(VEHICLE_2020_08), temporal.created(VEHICLE_2020_09)
    expected = [temporal_entity(a, speed=SPEED_2020_08, fuelLevel=FUEL_2020_08)]
    same(expected, queried(temporal, type="Vehicle", id=a, **AFTER_JULY))


def test_021_07_01_id_pattern_selects_entities(temporal):
    a, b = temporal.created(VEHICLE_2020_08), temporal.created(VEHICLE_2020_09)
    got = queried(temporal, type="Vehicle", idPattern="urn:ngsi-ld:Vehicle:.*", **AFTER_JULY)
    same(_both(a, b), got)


def test_021_08_01_q_selects_entities_keeping_all_their_instances(temporal):
    a, b = temporal.created(VEHICLE_2020_08), temporal.created(VEHICLE_2020_09)
    same(_both(a, b), queried(temporal, type="Vehicle", q="speed>90", **AFTER_JULY))


@pytest.mark.parametrize(
    "limit", [pytest.param(2, id="021_11_01"), pytest.param(3, id="021_11_02")]
)
def test_021_11_limit_caps_the_entities(temporal, limit):
    temporal.created(VEHICLE_2020_08)
    temporal.created(VEHICLE_2020_09)
    temporal.created(VEHICLE_2020_09)
    got = queried(temporal, type="Bus,Vehicle", limit=limit, **AFTER_JULY)
    assert [e["type"] for e in got] == ["Vehicle"] * limit
