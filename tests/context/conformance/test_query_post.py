"""ETSI QueryEntities via POST /entityOperations/query 019_02_xx (clause 5.7.2, 6.23), GeoJSON
collections 019_05, and the Antares-extension Query/EntitySelector checks 019_32 and 5233_01."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, SUITE_NS, random_id, same
from tests.context.conformance.samples import (
    GEO,
    JSON,
    LD,
    building,
    expanded,
    ld,
    location_attribute,
    prop,
    simple_parking,
    simple_vehicle,
)

VEHICLE = SUITE_NS + "Vehicle"


def post_query(suite, body: dict[str, Any], *, accept: str = JSON, context: str | None = None):
    """The suite's `Query Entities Via POST`: application/json both ways by default."""
    return suite.batch(
        "query", {"type": "Query", **body}, content_type=JSON, accept=accept, context=context
    )


def by_id(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    return {e["id"]: e for e in response.json()}


def test_019_02_01_post_query_by_one_id(suite):
    first = suite.created(ld(building(random_id())))
    suite.created(ld(building(random_id())))
    got = by_id(post_query(suite, {"entities": [{"id": first, "type": SUITE_NS + "Building"}]}))
    same(expanded(building(first)), got[first])


def test_019_02_02_post_query_by_type(suite):
    suite.created(ld(building(random_id())))
    cars = [suite.created(ld(simple_vehicle(random_id("urn:ngsi-ld:Vehicle:")))) for _ in range(2)]
    body = post_query(suite, {"entities": [{"type": VEHICLE}]}, accept=LD).json()
    for entity in body:
        assert "core-context" in str(entity.pop("@context"))
    same([expanded(simple_vehicle(c)) for c in cars], body)


def test_019_02_03_post_query_by_id_pattern(suite):
    ids = [suite.created(ld(building(random_id()))) for _ in range(2)]
    selector = {"idPattern": "urn:ngsi-ld:Building:.*", "type": SUITE_NS + "Building"}
    got = by_id(post_query(suite, {"entities": [selector]}))
    for entity_id in ids:
        same(expanded(building(entity_id)), got[entity_id])


def test_019_02_04_post_query_by_attribute_names(suite):
    suite.created(ld(building(random_id())))
    car = suite.created(ld(simple_vehicle(random_id("urn:ngsi-ld:Vehicle:"))))
    attrs = [SUITE_NS + "brandName", "https://uri.etsi.org/ngsi-ld/default-context/isParked"]
    same(expanded(simple_vehicle(car)), by_id(post_query(suite, {"attrs": attrs}))[car])


def features(*entities: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for entity in entities:
        location = entity.get("location", {}).get("value")
        properties = {k: v for k, v in entity.items() if k != "id"}
        out.append(
            {"id": entity["id"], "type": "Feature", "geometry": location, "properties": properties}
        )
    return out


def one_of_the_suite_forms(body: dict[str, Any], feature_list: list[dict[str, Any]]) -> None:
    """019_02_05/019_05 accept the @context on the collection, on every Feature, or both."""
    context = [SUITE_CONTEXT]
    forms = [
        {"type": "FeatureCollection", "features": feature_list, "@context": context},
        {
            "type": "FeatureCollection",
            "features": [{**f, "@context": context} for f in feature_list],
        },
        {
            "type": "FeatureCollection",
            "features": [{**f, "@context": context} for f in feature_list],
            "@context": context,
        },
    ]
    errors = []
    for form in forms:
        try:
            same(form, body)
            return
        except AssertionError as exc:
            errors.append(str(exc))
    raise AssertionError("; ".join(errors))


def test_019_02_05_post_query_as_geojson(suite):
    car = suite.created(ld(simple_vehicle("urn:ngsi-ld:Vehicle:019-02-05")))
    lot = suite.created(ld(simple_parking("urn:ngsi-ld:OffStreetParking:019-02-05")))
    selector = {"type": "Vehicle,OffStreetParking"}
    got = post_query(suite, {"entities": [selector]}, accept=GEO, context=SUITE_CONTEXT)
    assert got.status_code == 200, got.text
    one_of_the_suite_forms(got.json(), features(simple_vehicle(car), simple_parking(lot)))


def test_019_02_06_post_query_by_two_ids(suite):
    first, second, _ = (suite.created(ld(building(random_id()))) for _ in range(3))
    selectors = [{"id": i, "type": SUITE_NS + "Building"} for i in (first, second)]
    got = by_id(post_query(suite, {"entities": selectors}))
    assert sorted(got) == sorted([first, second])


def test_019_05_01_query_as_geojson(suite):
    ids = [
        suite.created(ld(location_attribute(f"urn:ngsi-ld:Building:019-05-0{n}"))) for n in (1, 2)
    ]
    params = {"id": ",".join(ids), "type": SUITE_NS + "Building"}
    got = suite.query(params=params, accept=GEO, context=SUITE_CONTEXT)
    assert got.status_code == 200, got.text
    one_of_the_suite_forms(got.json(), features(*(location_attribute(i) for i in ids)))


@pytest.fixture(scope="class")
def speeders(suite) -> Iterator[list[str]]:
    speeds = (("urn:ngsi-ld:Vehicle:01932-A", 80), ("urn:ngsi-ld:Vehicle:01932-B", 120))
    entities = [
        {"id": i, "type": "Vehicle", "speed": prop(v), "brand": prop("Mercedes")} for i, v in speeds
    ]
    yield from suite.sharing(entities, content_type=JSON)


class TestQueryBody019x32:
    @pytest.mark.parametrize(
        ("body", "status", "present", "absent"),
        [
            pytest.param({"q": "speed>100"}, 200, "01932-B", "01932-A", id="019_32_01"),
            pytest.param({"pick": ["speed"]}, 200, "speed", "brand", id="019_32_02"),
            pytest.param({"omit": ["speed"]}, 200, "brand", "speed", id="019_32_03"),
            pytest.param({"entities": []}, 400, None, None, id="019_32_04"),
            pytest.param({"attrs": []}, 400, None, None, id="019_32_05"),
            pytest.param({"q": 42}, 400, None, None, id="019_32_06"),
            pytest.param(
                {"join": "inline", "joinLevel": 0},
                400,
                None,
                None,
                id="019_32_07",
            ),
            pytest.param(
                {"temporalQ": {"timerel": "after", "timeAt": "2020-01-01T00:00:00Z"}},
                400,
                None,
                None,
                id="019_32_08",
            ),
            pytest.param({"type": "NotQuery"}, 400, None, None, id="019_32_09"),
        ],
    )
    def test_019_32_the_query_body(self, suite, speeders, body, status, present, absent):
        query = {"type": "Query", "entities": [{"type": "Vehicle"}], **body}
        got = suite.batch("query", query, content_type=JSON)
        assert got.status_code == status, got.text
        if present:
            assert present in got.text and absent not in got.text


@pytest.fixture(scope="class")
def selectable(suite) -> Iterator[list[str]]:
    ids = ("urn:ngsi-ld:Vehicle:52330-A", "urn:ngsi-ld:Vehicle:52330-B")
    entities = [{"id": i, "type": "Vehicle", "speed": prop(1)} for i in ids]
    yield from suite.sharing(entities, content_type=JSON)


class TestEntitySelectors5233x01:
    @pytest.mark.parametrize(
        ("selector", "status", "present", "absent"),
        [
            pytest.param(
                {
                    "type": "Vehicle",
                    "id": ["urn:ngsi-ld:Vehicle:52330-A", "urn:ngsi-ld:Vehicle:52330-B"],
                },
                200,
                "52330-A",
                None,
                id="5233_01_01",
            ),
            pytest.param(
                {
                    "type": "Vehicle",
                    "id": "urn:ngsi-ld:Vehicle:52330-A",
                    "idPattern": "^urn:ngsi-ld:Vehicle:52330-B$",
                },
                200,
                "52330-A",
                None,
                id="5233_01_02",
            ),
            pytest.param(
                {"id": "urn:ngsi-ld:Vehicle:52330-A"},
                400,
                None,
                None,
                id="5233_01_03",
            ),
            pytest.param({"type": "Vehicle", "id": "not a uri"}, 400, None, None, id="5233_01_04"),
            pytest.param(
                {"type": "Vehicle", "id": ["urn:ngsi-ld:Vehicle:52330-A", 5]},
                400,
                None,
                None,
                id="5233_01_05",
            ),
            pytest.param(
                {"type": "Vehicle", "idPattern": "^urn:ngsi-ld:Vehicle:52330-B$"},
                200,
                "52330-B",
                "52330-A",
                id="5233_01_06",
            ),
        ],
    )
    def test_5233_01_entity_selectors(self, suite, selectable, selector, status, present, absent):
        got = suite.batch("query", {"type": "Query", "entities": [selector]}, content_type=JSON)
        assert got.status_code == status, got.text
        if present:
            assert present in got.text
        if absent:
            assert absent not in got.text
