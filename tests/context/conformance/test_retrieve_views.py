"""ETSI RetrieveEntity 018_07–018_19 (clauses 4.15, 4.21, 4.5.23, 5.7.1): language filter,
observation/operation spaces, linked entity retrieval (join) and pick/omit projections."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, random_id, same
from tests.context.conformance.samples import (
    JSON,
    LD,
    SQUARE,
    building,
    ld,
    point,
    rel,
    simple_attributes,
)

STREET = {"type": "LanguageProperty", "languageMap": {"fr": "Grand Place", "nl": "Grote Markt"}}
FRENCH = {"type": "Property", "value": "Grand Place", "lang": "fr"}


@pytest.fixture(scope="class")
def streets(suite) -> Iterator[list[str]]:
    yield from suite.sharing([ld(building(random_id(), street=STREET))])


class TestLanguages018x07:
    @pytest.mark.parametrize(
        ("lang", "options", "street"),
        [
            pytest.param("fr", None, FRENCH, id="018_07_01"),
            pytest.param("fr-CH,fr", None, FRENCH, id="018_07_02"),
            pytest.param("*", None, FRENCH, id="018_07_03"),
            pytest.param("fr-CH,fr;q=0.9,en;q=0.8,*;q=0.5", None, FRENCH, id="018_07_04"),
            pytest.param("fr", "keyValues", "Grand Place", id="018_07_05"),
            pytest.param("*", "keyValues", "Grand Place", id="018_07_06"),
        ],
    )
    def test_018_07_a_language_filter_picks_one_language(
        self, suite, streets, lang, options, street
    ):
        (entity_id,) = streets
        params = {"lang": lang, **({"options": options} if options else {})}
        got = suite.retrieve(entity_id, accept=LD, context=SUITE_CONTEXT, params=params)
        assert got.status_code == 200
        # 018_07_05's expectation file names another @context URL than the one sent (a suite slip).
        same(ld(building(entity_id, street=street)), got.json())


SPACES = [
    pytest.param("observationSpace", point(13.3986, 52.5547), id="018_08"),
    pytest.param(
        "operationSpace",
        {"type": "GeoProperty", "value": {"type": "Polygon", "coordinates": SQUARE}},
        id="018_09",
    ),
]


@pytest.mark.parametrize(("name", "space"), SPACES)
@pytest.mark.parametrize("key_values", [True, False], ids=["simplified", "normalized"])
def test_018_08_09_entities_with_observation_and_operation_spaces(suite, name, space, key_values):
    entity_id = suite.created(ld(building(random_id(), **{name: space})))
    params = {"options": "keyValues"} if key_values else {}
    got = suite.retrieve(entity_id, context=SUITE_CONTEXT, params=params)
    same(building(entity_id, **{name: space["value"] if key_values else space}), got.json())


LINKING = "urn:ngsi-ld:Building:018-10"
PARIS = "urn:ngsi-ld:City:Paris"


@pytest.fixture
def linked(suite):
    suite.created(ld(building(LINKING, locatedAt=rel(PARIS))))
    suite.created(ld({"id": PARIS, "type": "City"}))
    yield
    suite.request("DELETE", f"/entities/{LINKING}")
    suite.request("DELETE", f"/entities/{PARIS}")


CITY = {"id": PARIS, "type": "City"}


@pytest.mark.parametrize(
    ("join", "options", "expected"),
    [
        pytest.param(
            "inline",
            None,
            building(LINKING, locatedAt={**rel(PARIS), "entity": CITY}),
            id="018_10_01",
        ),
        pytest.param("flat", None, [building(LINKING, locatedAt=rel(PARIS)), CITY], id="018_10_02"),
        pytest.param("inline", "keyValues", building(LINKING, locatedAt=CITY), id="018_10_03"),
        pytest.param(
            "flat", "keyValues", [building(LINKING, locatedAt=PARIS), CITY], id="018_10_04"
        ),
    ],
)
def test_018_10_linked_entities_are_joined(suite, linked, join, options, expected):
    params = {"join": join, "joinLevel": 1, **({"options": options} if options else {})}
    got = suite.retrieve(LINKING, context=SUITE_CONTEXT, params=params)
    assert got.status_code == 200
    same(expected, got.json())


def test_018_11_an_inline_linked_entity_carries_system_attributes(suite, linked):
    params = {"join": "inline", "joinLevel": 1, "options": "sysAttrs"}
    body = suite.retrieve(LINKING, context=SUITE_CONTEXT, params=params).json()
    assert "createdAt" in body["locatedAt"]["entity"]


def test_018_12_flat_linked_entities_carry_system_attributes(suite, linked):
    params = {"join": "flat", "joinLevel": 1, "options": "sysAttrs"}
    body = suite.retrieve(LINKING, context=SUITE_CONTEXT, params=params).json()
    assert "createdAt" in body[0] and "createdAt" in body[1]


@pytest.fixture(scope="module")
def building_id(suite) -> str:
    return suite.created(ld(simple_attributes(random_id())))


def without(entity: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in entity.items() if k not in names}


@pytest.mark.parametrize(
    ("params", "kept"),
    [
        pytest.param({"pick": "name"}, ("name",), id="018_17_01"),
        pytest.param(
            {"omit": "name"},
            ("id", "type", "subCategory", "airQualityLevel", "almostFull"),
            id="018_17_02",
        ),
        pytest.param({"pick": "id"}, ("id",), id="018_17_03"),
        pytest.param(
            {"omit": "id"},
            ("type", "name", "subCategory", "airQualityLevel", "almostFull"),
            id="018_17_04",
        ),
        pytest.param({"pick": "id,name"}, ("id", "name"), id="018_17_05"),
        pytest.param(
            {"omit": "type,name"},
            ("id", "subCategory", "airQualityLevel", "almostFull"),
            id="018_17_06",
        ),
    ],
)
def test_018_17_pick_and_omit_project_the_entity(suite, building_id, params, kept):
    got = suite.retrieve(building_id, accept=JSON, context=SUITE_CONTEXT, params=params)
    full = simple_attributes(building_id)
    same({k: v for k, v in full.items() if k in kept}, got.json())


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"pick": "name", "omit": "name"}, id="018_18_01"),
        pytest.param({"pick": "name", "attrs": "category"}, id="018_18_02"),
        pytest.param({"omit": "name", "attrs": "category"}, id="018_18_03"),
        pytest.param({"pick": "id;name"}, id="018_18_04"),
        pytest.param({"pick": "id,locatedAt{name"}, id="018_18_05"),
        pytest.param({"pick": "id,locatedAt{{name}"}, id="018_18_06"),
        pytest.param({"pick": "id,,name"}, id="018_18_07"),
        pytest.param({"pick": "id,locatedAt{,name}"}, id="018_18_08"),
        pytest.param({"pick": "id,locatedAt{}"}, id="018_18_09"),
    ],
)
def test_018_18_invalid_pick_and_omit_are_bad_request_data(suite, building_id, params):
    got = suite.retrieve(building_id, accept=JSON, context=SUITE_CONTEXT, params=params)
    problem(got, 400, "BadRequestData")


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"pick": "unknown"}, id="018_19_01"),
        pytest.param(
            {"omit": "id,type,name,subCategory,airQualityLevel,almostFull"}, id="018_19_02"
        ),
    ],
)
def test_018_19_a_projection_leaving_nothing_is_not_found(suite, building_id, params):
    got = suite.retrieve(building_id, accept=JSON, context=SUITE_CONTEXT, params=params)
    problem(got, 404, "ResourceNotFound")
