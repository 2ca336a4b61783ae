"""ETSI TP/NGSI-LD/ContextInformation/Consumption/TemporalEntity/QueryTemporalEvolutionOfEntities
021_17 (clause 4.5.19) and 5744_01 (clause 5.7.4.4): aggregated values in a query, and the values
filter `q` checked against the instances inside the time window only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, same
from tests.context.conformance.temporal.conftest import JSON, vehicle_id
from tests.context.conformance.temporal.payloads import VEHICLE_2020_08


def periods(*rows: tuple[float, str, str]) -> list[list[Any]]:
    return [list(row) for row in rows]


HOURS = [
    ("2020-08-01T12:03:00Z", "2020-08-01T13:03:00Z"),
    ("2020-08-01T13:03:00Z", "2020-08-01T14:03:00Z"),
    ("2020-08-01T14:03:00Z", "2020-08-01T15:03:00Z"),
]
DAY = ("2020-08-01T12:03:00Z", "2020-08-02T12:03:00Z")
FUEL_HOURLY = periods((67.0, *HOURS[0]), (53.0, *HOURS[1]), (40.0, *HOURS[2]))


def prop(**methods: Any) -> dict[str, Any]:
    return {"type": "Property", **methods}


@pytest.mark.parametrize(
    ("methods", "duration", "attrs", "expected"),
    [
        pytest.param(
            "avg",
            "PT1H",
            None,
            {"speed": prop(avg=periods((100.0, *HOURS[0]))), "fuelLevel": prop(avg=FUEL_HOURLY)},
            id="021_17_01",
        ),
        pytest.param(
            "avg", "PT1H", "fuelLevel", {"fuelLevel": prop(avg=FUEL_HOURLY)}, id="021_17_02"
        ),
        pytest.param(
            "min,max",
            "P1D",
            None,
            {
                "speed": prop(min=periods((80.0, *DAY)), max=periods((120.0, *DAY))),
                "fuelLevel": prop(min=periods((40.0, *DAY)), max=periods((67.0, *DAY))),
            },
            id="021_17_04",
        ),
    ],
)
def test_021_17_a_query_aggregates_each_entity(temporal, methods, duration, attrs, expected):
    entity_id = temporal.created(VEHICLE_2020_08)
    params = {"type": "Vehicle", "options": "aggregatedValues", "aggrMethods": methods}
    params |= {"aggrPeriodDuration": duration, "timerel": "after"}
    params["timeAt"] = "2020-01-01T12:03:00Z"
    if attrs:
        params["attrs"] = attrs
    response = temporal.query(context=SUITE_CONTEXT, params=params)
    assert response.status_code == 200, response.text
    same({"id": entity_id, "type": "Vehicle", **expected}, response.json()[0])


IN, OUT = "2026-03-01T12:00:00Z", "2026-01-05T00:00:00Z"
WINDOW = {"timerel": "between", "timeAt": "2026-03-01T00:00:00Z"}
WINDOW["endTimeAt"] = "2026-03-02T00:00:00Z"


def at(value: Any, when: str, **members: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value, "observedAt": when, **members}


FLEET = {
    "fast": {
        "speed": [at(30, IN), at(90, OUT)],
        "heading": [at(45, IN)],
        "route": [at("550", IN)],
    },
    "slow": {"speed": [at(10, IN), at(80, OUT)], "heading": [at(170, IN)]},
    "shapes": {
        "name": [at("m", IN)],
        "ref": [{"type": "Relationship", "object": "urn:dest:qp1", "observedAt": IN}],
        "tags": [at(["a", "b"], IN)],
    },
    "nowin": {"speed": [at(99, OUT)]},
    "multi": {"speed": [at(5, IN), at(60, IN, datasetId="urn:ngsi-ld:Dataset:qp1")]},
}


@pytest.fixture
def fleet(temporal) -> dict[str, str]:
    """The 5744_01 vehicles, created in plain JSON (no @context)."""
    ids = {}
    for name, attributes in FLEET.items():
        entity_id = vehicle_id()
        response = temporal.create({"id": entity_id, "type": "Vehicle", **attributes}, JSON)
        assert response.status_code == 201, response.text
        temporal.ids.append(entity_id)
        ids[name] = entity_id
    return ids


@pytest.mark.parametrize(
    ("q", "found", "absent"),
    [
        pytest.param("speed>25", {"fast"}, {"slow", "nowin"}, id="5744_01_01"),
        pytest.param("speed>=5;heading<90", {"fast"}, {"slow", "multi"}, id="5744_01_04"),
        pytest.param("speed>25|heading>100", {"fast", "slow"}, {"shapes"}, id="5744_01_05"),
        pytest.param('speed>25|name~="^m"', {"fast", "shapes"}, {"nowin"}, id="5744_01_06"),
        pytest.param("speed!=10", {"fast"}, {"nowin"}, id="5744_01_07"),
        pytest.param("!heading;speed>25", {"multi"}, {"fast"}, id="5744_01_08"),
        pytest.param("speed==10..40", {"fast", "slow"}, {"nowin", "shapes"}, id="5744_01_09"),
        pytest.param('route=="550","551"', {"fast"}, {"slow", "shapes"}, id="5744_01_10"),
        pytest.param('ref=="urn:dest:qp1"', {"shapes"}, {"fast"}, id="5744_01_11"),
        pytest.param('tags=="a"', {"shapes"}, {"fast"}, id="5744_01_12"),
        pytest.param("speed>50", {"multi"}, {"fast", "slow"}, id="5744_01_13"),
    ],
)
def test_5744_01_q_holds_on_instances_inside_the_window(temporal, fleet, q, found, absent):
    response = temporal.query(params={"type": "Vehicle", "q": q, **WINDOW})
    assert response.status_code == 200, response.text
    by_id = {entity_id: name for name, entity_id in fleet.items()}
    got = {by_id[e["id"]] for e in response.json()}
    assert found <= got and not absent & got, got
    assert OUT not in response.text  # 5744_01_02: only in-window instances are shown


def test_5744_01_03_an_offset_timestamp_is_refused(temporal):
    entity_id = vehicle_id()
    document = {"id": entity_id, "type": "Vehicle"}
    document["speed"] = [at(50, "2026-03-01T02:00:00+03:00")]
    response = temporal.create(document, JSON)
    if response.status_code == 201:
        temporal.ids.append(entity_id)
    assert response.status_code == 400, response.text
    assert "BadRequestData" in response.text
