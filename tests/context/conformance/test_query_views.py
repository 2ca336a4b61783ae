"""ETSI QueryEntities 019_12 (datasetId), 019_17/019_18 (pick/omit) and 019_25 (local=true)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, random_id, same
from tests.context.conformance.samples import (
    LD,
    building,
    expanded,
    ld,
    prop,
    rel,
    simple_attributes,
    simple_vehicle,
    third_building,
)

FRENCH, GERMAN, SPANISH = (f"urn:ngsi-ld:Dataset:{n}-name" for n in ("french", "german", "spanish"))
NAMES = [
    prop("Eiffel Tower"),
    prop("Tour Eiffel", datasetId=FRENCH),
    prop("Eiffelturm", datasetId=GERMAN),
]
PLACES = [
    rel("urn:ngsi-ld:City:Paris"),
    rel("urn:ngsi-ld:Ville:Paris", datasetId=FRENCH),
    rel("urn:ngsi-ld:Ciudad:Par\u00eds", datasetId=SPANISH),
]


@pytest.fixture(scope="class")
def multi_instances(suite) -> Iterator[list[str]]:
    yield from suite.sharing([ld(building(random_id(), name=NAMES, locatedAt=PLACES))])


def one_or_many(items: list[dict[str, Any]]) -> Any:
    return items[0] if len(items) == 1 else items


class TestDatasetId019x12:
    @pytest.mark.parametrize(
        ("attrs", "dataset", "name", "place"),
        [
            pytest.param("name", None, NAMES, None, id="019_12_01"),
            pytest.param(None, FRENCH, NAMES[1:2], PLACES[1:2], id="019_12_02"),
            pytest.param(None, f"{FRENCH},{SPANISH}", NAMES[1:2], PLACES[1:], id="019_12_03"),
            pytest.param(None, "@none", NAMES[:1], PLACES[:1], id="019_12_04"),
            pytest.param("name", "@none", NAMES[:1], None, id="019_12_05"),
            pytest.param("name", GERMAN, NAMES[2:], None, id="019_12_06"),
            pytest.param("name", SPANISH, [], None, id="019_12_07"),
        ],
    )
    def test_019_12_attribute_instances_filtered_by_dataset_id(
        self, suite, multi_instances, attrs, dataset, name, place
    ):
        (entity_id,) = multi_instances
        params = {"type": "Building", **({"attrs": attrs} if attrs else {})}
        params |= {"datasetId": dataset} if dataset else {}
        got = suite.query(params=params, context=SUITE_CONTEXT, accept=LD)
        expected = {"id": entity_id, "type": "Building"}
        expected |= {"name": one_or_many(name)} if name else {}
        expected |= {"locatedAt": one_or_many(place)} if place else {}
        same(ld(expected), got.json()[0])


FIRST, CAR, THIRD = (
    "urn:ngsi-ld:Building:019-17-1",
    "urn:ngsi-ld:Vehicle:019-17-2",
    "urn:ngsi-ld:Building:019-17-3",
)


@pytest.fixture(scope="class")
def three(suite) -> Iterator[list[dict[str, Any]]]:
    entities = [simple_attributes(FIRST), simple_vehicle(CAR), third_building(THIRD)]
    for _ids in suite.sharing([ld(e) for e in entities]):
        yield entities


def projected(entity: dict[str, Any], pick: set[str] | None, omit: set[str]) -> dict[str, Any]:
    return {k: v for k, v in entity.items() if (pick is None or k in pick) and k not in omit}


class TestPickOmit019x17:
    @pytest.mark.parametrize(
        ("pick", "omit"),
        [
            pytest.param("name", None, id="019_17_01"),
            pytest.param(None, "name", id="019_17_02"),
            pytest.param("id", None, id="019_17_03"),
            pytest.param(None, "id", id="019_17_04"),
            pytest.param("id,name", None, id="019_17_05"),
            pytest.param(None, "type,name", id="019_17_06"),
        ],
    )
    def test_019_17_pick_and_omit_on_a_query(self, suite, three, pick, omit):
        params = {
            "type": "Building,Vehicle",
            **({"pick": pick} if pick else {}),
            **({"omit": omit} if omit else {}),
        }
        got = suite.query(params=params, context=SUITE_CONTEXT)
        wanted = set(pick.split(",")) if pick else None
        unwanted = set(omit.split(",")) if omit else set()
        expected = [projected(e, wanted, unwanted) for e in three]
        # the suite's expectation files leave out entities that the projection empties
        expected = [e for e in expected if e]
        answer = got.json()
        assert len(answer) == len(expected), answer
        for item in expected:
            assert any(_equal(item, a) for a in answer), f"{item} not in {answer}"


def _equal(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    try:
        same(expected, actual)
    except AssertionError:
        return False
    return True


class TestInvalidPickOmit019x18:
    @pytest.mark.parametrize(
        "params",
        [
            pytest.param({"pick": "name", "omit": "name"}, id="019_18_01"),
            pytest.param({"pick": "name", "attrs": "category"}, id="019_18_02"),
            pytest.param({"omit": "name", "attrs": "category"}, id="019_18_03"),
            pytest.param({"pick": "id;name"}, id="019_18_04"),
            pytest.param({"pick": "id,locatedAt{name"}, id="019_18_05"),
            pytest.param({"pick": "id,locatedAt{{name}"}, id="019_18_06"),
            pytest.param({"pick": "id,,name"}, id="019_18_07"),
            pytest.param({"pick": "id,locatedAt{,name}"}, id="019_18_08"),
            pytest.param({"pick": "id,locatedAt{}"}, id="019_18_09"),
        ],
    )
    def test_019_18_invalid_pick_and_omit_on_a_query(self, suite, three, params):
        got = suite.query(params={"type": "Building,Vehicle", **params}, context=SUITE_CONTEXT)
        problem(got, 400, "BadRequestData")


def test_019_25_local_true_queries_everything(suite):
    first, second = (suite.created(ld(building(random_id()))) for _ in range(2))
    response = suite.query(params={"local": "true"})
    assert response.status_code == 200, response.text
    by_id = {e["id"]: e for e in response.json()}
    for entity_id in (first, second):
        same(expanded(building(entity_id)), by_id[entity_id])


def test_019_join_on_a_query_adds_the_linked_entities(suite):
    city = suite.created(ld({"id": random_id("urn:ngsi-ld:City:"), "type": "City"}))
    first = suite.created(ld(building(random_id(), locatedAt=rel(city))))
    params = {"id": first, "type": "Building", "join": "flat", "joinLevel": 1}
    flat = suite.query(params=params, context=SUITE_CONTEXT).json()
    assert [e["id"] for e in flat] == [first, city]
    inline = suite.query(params={**params, "join": "inline"}, context=SUITE_CONTEXT).json()
    assert inline[0]["locatedAt"]["entity"] == {"id": city, "type": "City"}
    values = {**params, "join": "inline", "options": "keyValues"}
    simple = suite.query(params=values, context=SUITE_CONTEXT).json()
    assert simple[0]["locatedAt"] == {"id": city, "type": "City"}
    problem(suite.query(params={**params, "join": "deep"}), 400, "BadRequestData")
    problem(suite.query(params={**params, "joinLevel": 0}), 400, "BadRequestData")
