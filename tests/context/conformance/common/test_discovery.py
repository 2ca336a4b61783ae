"""ETSI TP/NGSI-LD/ContextInformation/Consumption/Discovery 022–027, 577 and 5710: the entity
types and attributes in use, named by the request's @context (clauses 5.7.5–5.7.10, 6.25–6.28)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.context.conformance.common.conftest import random_tenant
from tests.context.conformance.conftest import (
    SUITE_CONTEXT,
    SUITE_NS,
    problem,
    random_id,
    same,
)
from tests.context.conformance.samples import JSON, simple_attributes, simple_vehicle

BUILDING_ATTRIBUTES = ["name", "subCategory", "airQualityLevel", "almostFull"]


def term(name: str, compact: bool) -> str:
    """A suite term as the answer names it: compacted with the suite's context, else its IRI."""
    return name if compact else SUITE_NS + name


@pytest.fixture
def building_and_vehicle(suite) -> Iterator[list[str]]:
    """building-simple-attributes.json and vehicle-simple-attributes.json, by Link header."""
    entities = [simple_attributes(random_id()), simple_vehicle(random_id("urn:ngsi-ld:Vehicle:"))]
    yield from suite.sharing(entities, content_type=JSON, context=SUITE_CONTEXT)


@pytest.fixture
def two_buildings(suite) -> Iterator[list[str]]:
    entities = [simple_attributes(random_id()), simple_attributes(random_id())]
    yield from suite.sharing(entities, content_type=JSON, context=SUITE_CONTEXT)


def types(suite, compact: bool, **params: str):
    return suite.request("GET", "/types", context=SUITE_CONTEXT if compact else None, params=params)


def attributes(suite, compact: bool, **params: str):
    context = SUITE_CONTEXT if compact else None
    return suite.request("GET", "/attributes", context=context, params=params)


@pytest.mark.parametrize("compact", [False, True], ids=["022_01_01", "022_01_02"])
def test_022_01_entity_types(suite, building_and_vehicle, compact):
    got = types(suite, compact)
    assert got.status_code == 200
    body = got.json()
    assert body["id"].startswith("urn:ngsi-ld:EntityTypeList:")
    expected = {
        "type": "EntityTypeList",
        "typeList": [term("Building", compact), term("Vehicle", compact)],
    }
    same(expected, body, ignore=("id",))


@pytest.mark.parametrize("compact", [False, True], ids=["023_01_01", "023_01_02"])
def test_023_01_details_of_entity_types(suite, building_and_vehicle, compact):
    got = types(suite, compact, details="true")
    assert got.status_code == 200
    expected = [
        {
            "id": SUITE_NS + "Building",
            "type": "EntityType",
            "typeName": term("Building", compact),
            "attributeNames": [term(name, compact) for name in BUILDING_ATTRIBUTES],
        },
        {
            "id": SUITE_NS + "Vehicle",
            "type": "EntityType",
            "typeName": term("Vehicle", compact),
            "attributeNames": [term("brandName", compact), "isParked"],
        },
    ]
    same(expected, got.json())


def test_024_01_01_without_the_context_the_short_type_is_unknown(suite, two_buildings):
    got = suite.request("GET", "/types/Building")
    problem(got, 404, "ResourceNotFound")


def building_info() -> dict[str, Any]:
    """entity-type-info-024-01.json."""
    return {
        "id": SUITE_NS + "Building",
        "type": "EntityTypeInfo",
        "typeName": "Building",
        "entityCount": 2,
        "attributeDetails": [
            {
                "id": SUITE_NS + name,
                "type": "Attribute",
                "attributeName": name,
                "attributeTypes": ["Property"],
            }
            for name in BUILDING_ATTRIBUTES
        ],
    }


@pytest.mark.parametrize(
    "name", ["Building", quote(SUITE_NS + "Building", safe="")], ids=["024_02_01", "024_02_02"]
)
def test_024_02_entity_type_information(suite, two_buildings, name):
    got = suite.request("GET", f"/types/{name}", context=SUITE_CONTEXT)
    assert got.status_code == 200, got.text
    same(building_info(), got.json())


@pytest.fixture
def one_building(suite) -> Iterator[list[str]]:
    yield from suite.sharing(
        [simple_attributes(random_id())], content_type=JSON, context=SUITE_CONTEXT
    )


@pytest.mark.parametrize("compact", [False, True], ids=["025_01_01", "025_01_02"])
def test_025_01_attributes(suite, one_building, compact):
    got = attributes(suite, compact)
    assert got.status_code == 200
    assert got.json()["id"].startswith("urn:ngsi-ld:AttributeList:")
    expected = {
        "type": "AttributeList",
        "attributeList": [term(name, compact) for name in BUILDING_ATTRIBUTES],
    }
    same(expected, got.json(), ignore=("id",))


@pytest.mark.parametrize("compact", [False, True], ids=["026_01_01", "026_01_02"])
def test_026_01_details_of_attributes(suite, one_building, compact):
    got = attributes(suite, compact, details="true")
    assert got.status_code == 200
    expected = [
        {
            "id": SUITE_NS + name,
            "type": "Attribute",
            "attributeName": term(name, compact),
            "typeNames": [term("Building", compact)],
        }
        for name in BUILDING_ATTRIBUTES
    ]
    same(expected, got.json())


def test_027_01_01_without_the_context_the_short_name_is_unknown(suite, one_building):
    problem(suite.request("GET", "/attributes/airQualityLevel"), 404, "ResourceNotFound")


@pytest.mark.parametrize(
    "name",
    ["airQualityLevel", quote(SUITE_NS + "airQualityLevel", safe="")],
    ids=["027_02_01", "027_02_02"],
)
def test_027_02_attribute_information(suite, one_building, name):
    got = suite.request("GET", f"/attributes/{name}", context=SUITE_CONTEXT)
    assert got.status_code == 200, got.text
    expected = {
        "id": SUITE_NS + "airQualityLevel",
        "type": "Attribute",
        "attributeName": "airQualityLevel",
        "attributeCount": 1,
        "attributeTypes": ["Property"],
        "typeNames": ["Building"],
    }
    same(expected, got.json())


def test_577_01_01_a_type_no_entity_has_is_not_found(suite):
    name = "NoSuchType" + random_id("")
    problem(suite.request("GET", f"/types/{name}", context=SUITE_CONTEXT), 404, "ResourceNotFound")


def test_577_01_02_details_is_no_parameter_of_one_type(suite):
    got = suite.request("GET", "/types/Building", params={"details": "true"})
    problem(got, 400, "InvalidRequest")


def test_577_01_03_entity_types_are_per_tenant(suite):
    first, second = random_tenant("tp577a"), random_tenant("tp577b")
    kind = "TenantAType" + random_id("")[-5:]
    ids = {first: random_id(), second: random_id()}
    for tenant, kind_of in ((first, kind), (second, "Building")):
        created = suite.client.post(
            "/ngsi-ld/v1/entities",
            json={"id": ids[tenant], "type": kind_of},
            headers={"NGSILD-Tenant": tenant},
        )
        assert created.status_code == 201, created.text
    listed = suite.client.get("/ngsi-ld/v1/types", headers={"NGSILD-Tenant": first})
    assert kind in listed.json()["typeList"]
    listed = suite.client.get("/ngsi-ld/v1/types", headers={"NGSILD-Tenant": second})
    assert kind not in listed.json()["typeList"]
    one = suite.client.get(f"/ngsi-ld/v1/types/{kind}", headers={"NGSILD-Tenant": second})
    problem(one, 404, "ResourceNotFound")
    for tenant, entity_id in ids.items():
        suite.client.delete(f"/ngsi-ld/v1/entities/{entity_id}", headers={"NGSILD-Tenant": tenant})


def test_5710_01_01_an_attribute_no_entity_has_is_not_found(suite, one_building):
    name = "noSuchAttribute" + random_id("")[-5:]
    got = suite.request("GET", f"/attributes/{name}", context=SUITE_CONTEXT)
    problem(got, 404, "ResourceNotFound")


@pytest.mark.parametrize("member", ["id", "type", "scope", "createdAt", "modifiedAt", "deletedAt"])
def test_5710_01_02_entity_members_are_no_attributes(suite, one_building, member):
    listed = attributes(suite, True)
    assert member not in listed.json()["attributeList"]
    got = suite.request("GET", f"/attributes/{member}", context=SUITE_CONTEXT)
    assert got.status_code == 404, got.text


@pytest.mark.parametrize(
    ("path", "params"),
    [("/attributes", {"limit": "5"}), ("/attributes/temperature", {"details": "true"})],
)
def test_5710_01_03_an_undefined_parameter_is_invalid_request(suite, path, params):
    problem(suite.request("GET", path, params=params), 400, "InvalidRequest")


def test_discovery_is_not_geojson(suite):
    assert suite.request("GET", "/types", accept="application/geo+json").status_code == 406
