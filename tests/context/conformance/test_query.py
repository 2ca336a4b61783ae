"""ETSI TP/NGSI-LD/ContextInformation/Consumption/Entity/QueryEntities 019_01–019_12 and 019_17–
019_25 (clauses 4.9, 4.10, 4.17, 4.19, 5.7.2, 6.3.10, 6.3.13) on GET /entities."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.context.conformance.conftest import (
    SUITE_CONTEXT,
    SUITE_NS,
    problem,
    random_id,
    same,
)
from tests.context.conformance.samples import (
    JSON,
    LD,
    building,
    expanded,
    ld,
    location_attribute,
    second_building,
    simple_attributes,
    simple_parking,
    simple_vehicle,
)

BUILDING = SUITE_NS + "Building"


def ids_of(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()]


def found(response: Any, *expected: dict[str, Any]) -> None:
    """The suite's `Check Response Body Containing List Containing Entity Elements`: each expected
    entity is in the answer, compared in full; other entities are ignored."""
    body = response if isinstance(response, list) else response.json()
    by_id = {e["id"]: e for e in body}
    for entity in expected:
        assert entity["id"] in by_id, f"{entity['id']} not in {list(by_id)}"
        same(entity, by_id[entity["id"]])


def test_019_01_01_query_by_ids_and_type(suite):
    first, second, _ = (suite.created(ld(building(random_id()))) for _ in range(3))
    response = suite.query(params={"id": f"{first},{second}", "type": BUILDING})
    assert sorted(ids_of(response)) == sorted([first, second])
    found(response, *(expanded(building(i)) for i in (first, second)))


def test_019_01_02_query_by_several_types(suite):
    suite.created(ld(building(random_id())))
    car = suite.created(ld(simple_vehicle(random_id("urn:ngsi-ld:Vehicle:"))))
    lot = suite.created(ld(simple_parking(random_id("urn:ngsi-ld:OffStreetParking:"))))
    types = f"{SUITE_NS}Vehicle,{SUITE_NS}OffStreetParking"
    response = suite.query(params={"type": types}, accept=LD)
    body = response.json()
    for entity in body:
        assert "core-context" in str(entity.pop("@context"))
    same([expanded(simple_vehicle(car)), expanded(simple_parking(lot))], body)


def test_019_01_03_query_by_id_pattern(suite):
    first, second = (suite.created(ld(building(random_id()))) for _ in range(2))
    response = suite.query(params={"idPattern": "urn:ngsi-ld:Building:.*", "type": BUILDING})
    found(response, *(expanded(building(i)) for i in (first, second)))


def test_019_01_04_query_by_attribute_names(suite):
    first = suite.created(ld(simple_attributes(random_id())))
    suite.created(ld(building(random_id())))
    attrs = f"{SUITE_NS}airQualityLevel,{SUITE_NS}subCategory"
    response = suite.query(params={"attrs": attrs})
    entity = simple_attributes(first)
    found(response, expanded({k: v for k, v in entity.items() if k not in ("name", "almostFull")}))


def test_019_01_05_query_by_geoquery(suite):
    first, second = (suite.created(ld(location_attribute(random_id()))) for _ in range(2))
    params = {
        "type": BUILDING,
        "georel": "equals",
        "geometry": "Point",
        "coordinates": "[13.3986, 52.5547]",
    }
    body = suite.query(params=params, accept=LD).json()
    for entity in body:
        assert "core-context" in str(entity.pop("@context"))
    found(body, *(expanded(location_attribute(i)) for i in (first, second)))


@pytest.fixture(scope="class")
def scoped(suite) -> Iterator[list[str]]:
    one = building(random_id(), scope="/Madrid/Gardens/ParqueNorte")
    many = building(
        random_id(), scope=["/Madrid/Gardens/ParqueNorte", "/CompanyA/OrganizationB/UnitC"]
    )
    yield from suite.sharing([one, many], content_type=JSON, context=SUITE_CONTEXT)


class TestScopes019x01x06:
    @pytest.mark.parametrize(
        ("scope_q", "count"),
        [
            pytest.param("/Madrid/Gardens/ParqueNorte", 2, id="019_01_06-full"),
            pytest.param("/Madrid/+/ParqueNorte", 2, id="019_01_06-plus"),
            pytest.param("/CompanyA/#", 1, id="019_01_06-hash"),
            pytest.param("/#", 2, id="019_01_06-non-empty"),
            pytest.param(
                "/Madrid/Gardens/ParqueNorte;/CompanyA/OrganizationB/UnitC",
                1,
                id="019_01_06-and",
            ),
            pytest.param(
                "/Madrid/Gardens/ParqueNorte,/CompanyA/OrganizationB/UnitC", 2, id="019_01_06-or"
            ),
            pytest.param(
                "(/Madrid/Gardens/ParqueNorte;/CompanyA/OrganizationB/UnitC)",
                1,
                id="019_34_01",
            ),
            pytest.param(
                "(/Madrid/Gardens/ParqueNorte;/CompanyA/OrganizationB/UnitC)|/Madrid/Gardens/ParqueNorte",
                2,
                id="019_34_02",
            ),
            pytest.param("/CompanyA/OrganizationB/UnitC|/Nowhere/AtAll", 1, id="019_34_03"),
            pytest.param("(/Madrid/Gardens/ParqueNorte;/Nowhere/AtAll)", 0, id="019_34_04"),
        ],
    )
    def test_019_01_06_query_by_scope(self, suite, scoped, scope_q: str, count: int):
        response = suite.query(params={"scopeQ": scope_q, "type": BUILDING})
        assert len(ids_of(response)) == count


def test_019_03_01_ids_that_are_not_uris_are_refused(suite):
    params = {"id": "thisisaninvaliduri1,thisisaninvaliduri2", "type": BUILDING}
    problem(suite.query(params=params), 400, "BadRequestData")


def test_019_03_02_an_invalid_id_pattern_is_refused(suite):
    params = {"idPattern": "invalid_entity_id_pattern**", "type": BUILDING}
    problem(suite.query(params=params), 400, "BadRequestData")


def test_019_03_03_id_and_type_are_not_attribute_names(suite):
    problem(suite.query(params={"attrs": "id,type"}), 400, "BadRequestData")


def test_019_03_04_an_unknown_georel_is_refused(suite):
    params = {"type": "Building", "geoproperty": "location", "georel": "invalid"}
    params |= {"geometry": "Point", "coordinates": "[-8.503,41.202]"}
    problem(suite.query(params=params, context=SUITE_CONTEXT), 400, "BadRequestData")


def test_019_03_05_ids_alone_are_not_enough(suite):
    params = {"id": "urn:ngsi-ld:Entity:01,urn:ngsi-ld:Entity:02"}
    problem(suite.query(params=params), 400, "BadRequestData")


def test_019_04_01_query_in_key_values(suite):
    first, second, _ = (suite.created(ld(simple_attributes(random_id()))) for _ in range(3))
    params = {"id": f"{first},{second}", "type": BUILDING, "options": "keyValues"}
    response = suite.query(params=params)
    for entity_id in (first, second):
        attrs = {
            k: v["value"] for k, v in simple_attributes(entity_id).items() if isinstance(v, dict)
        }
        found(response, expanded({"id": entity_id, "type": "Building", **attrs}))


def test_019_06_01_limit_bounds_the_answer(suite):
    ids = [suite.created(ld(building(random_id()))) for _ in range(3)]
    response = suite.query(params={"id": ",".join(ids), "type": BUILDING, "limit": 2})
    assert len(ids_of(response)) == 2
    assert all(e["type"] == BUILDING for e in response.json())


@pytest.mark.parametrize(
    ("q", "count"),
    [
        pytest.param(None, "2", id="019_07_01"),
        pytest.param("airQualityLevel==6", "1", id="019_07_02"),
    ],
)
def test_019_07_count_gives_the_number_of_matches(suite, q, count):
    suite.created(ld(simple_attributes(random_id())))
    suite.created(ld(second_building(random_id())))
    params = {"type": "Building", "count": "true", **({"q": q} if q else {})}
    response = suite.query(params=params, context=SUITE_CONTEXT)
    assert response.status_code == 200
    assert response.headers["NGSILD-Results-Count"] == count
