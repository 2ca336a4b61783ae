"""ETSI Provision/EntityAttributes AppendEntityAttributes 010_xx and UpdateEntityAttributes 011_xx
(clauses 5.6.2, 5.6.3): 204/207 answers and what the entity looks like afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import (
    SUITE_CONTEXT,
    SUITE_NS,
    gap,
    problem,
    random_id,
    same,
)
from tests.context.conformance.samples import (
    JSON,
    LD,
    SQUARE,
    building,
    ld,
    point,
    prop,
    sourced,
    speeding_vehicle,
    vehicle,
)

ADDED = {"attribute_to_be_added": prop(23)}
NEW_GPS = sourced(56, "Speedometer", datasetId="urn:ngsi-ld:Property:speedometerA4567-speed2")
SAME_SPEEDOMETER = sourced(56, "Speedometer", datasetId="urn:ngsi-ld:Property:speedometer")
STREET = {"type": "LanguageProperty", "languageMap": {"fr": "Grand Place", "nl": "Grote Markt"}}
JSON_PROPERTY = {
    "type": "JsonProperty",
    "json": {"id": "some-id", "type": "some-type", "null": None, "anythingElse": "anything-else"},
}


def append(suite, entity_id: str, fragment: dict[str, Any], content_type: str = LD, **kw: Any):
    body = ld(fragment) if content_type == LD else fragment
    return suite.request(
        "POST", f"/entities/{entity_id}/attrs/", body=body, content_type=content_type, **kw
    )


def update(suite, entity_id: str, fragment: dict[str, Any], content_type: str = LD, **kw: Any):
    body = ld(fragment) if content_type == LD else fragment
    return suite.request(
        "PATCH", f"/entities/{entity_id}/attrs/", body=body, content_type=content_type, **kw
    )


def read(suite, entity_id: str, accept: str = LD) -> dict[str, Any]:
    return suite.retrieve(entity_id, context=SUITE_CONTEXT, accept=accept).json()


def with_speed(entity: dict[str, Any], *extra: dict[str, Any]) -> dict[str, Any]:
    return {**entity, "speed": [*entity["speed"], *extra]}


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        pytest.param(ADDED, lambda e: {**e, **ADDED}, id="010_01_01"),
        pytest.param(
            {"speed": NEW_GPS, **ADDED},
            lambda e: {**with_speed(e, NEW_GPS), **ADDED},
            id="010_01_02",
        ),
        pytest.param({"street": STREET}, lambda e: {**e, "street": STREET}, id="010_06_01"),
        pytest.param(
            {"jsonProperty": JSON_PROPERTY},
            lambda e: {**e, "jsonProperty": JSON_PROPERTY},
            id="010_10_01",
        ),
    ],
)
def test_010_append_attributes(suite, fragment, expected):
    entity_id = suite.created(ld(speeding_vehicle(random_id("urn:ngsi-ld:Vehicle:"))))
    got = append(suite, entity_id, fragment)
    assert got.status_code == 204 and got.content == b"", got.text
    same(ld(expected(speeding_vehicle(entity_id))), read(suite, entity_id))


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(
            "",
            id="010_02_01",
        ),
        pytest.param("thisisaninvaliduri", id="010_02_02"),
    ],
)
def test_010_02_append_to_a_faulty_id(suite, target):
    suite.created(ld(speeding_vehicle(random_id("urn:ngsi-ld:Vehicle:"))))
    problem(append(suite, target, {"speed": SAME_SPEEDOMETER, **ADDED}), 400, "BadRequestData")


def test_010_03_append_to_an_unknown_entity(suite):
    got = append(suite, random_id("urn:ngsi-ld:Vehicle:"), {"speed": SAME_SPEEDOMETER, **ADDED})
    problem(got, 404, "ResourceNotFound")


@gap(
    "010_04_01: the 207 UpdateResult names attributes compacted (speed) where the suite expects "
    "expanded IRIs (https://ngsi-ld-test-suite/context#speed)"
)
def test_010_04_01_no_overwrite_keeps_existing_instances(suite):
    entity_id = suite.created(ld(speeding_vehicle(random_id("urn:ngsi-ld:Vehicle:"))))
    got = append(
        suite, entity_id, {"speed": SAME_SPEEDOMETER, **ADDED}, params={"options": "noOverwrite"}
    )
    assert got.status_code == 207, got.text
    body = got.json()
    assert body["updated"] == ["https://uri.etsi.org/ngsi-ld/default-context/attribute_to_be_added"]
    assert [n["attributeName"] for n in body["notUpdated"]] == [SUITE_NS + "speed"]
    assert all(n["reason"] for n in body["notUpdated"])
    same({**speeding_vehicle(entity_id), **ADDED}, read(suite, entity_id), ignore=("@context",))


def test_010_04_02_no_overwrite_adds_a_new_instance(suite):
    entity_id = suite.created(ld(speeding_vehicle(random_id("urn:ngsi-ld:Vehicle:"))))
    got = append(suite, entity_id, {"speed": NEW_GPS, **ADDED}, params={"options": "noOverwrite"})
    assert got.status_code == 204, got.text
    same(
        {**with_speed(speeding_vehicle(entity_id), NEW_GPS), **ADDED},
        read(suite, entity_id),
        ignore=("@context",),
    )


def test_010_05_an_invalid_fragment_is_an_invalid_request(suite):
    entity_id = suite.created(ld(speeding_vehicle(random_id("urn:ngsi-ld:Vehicle:"))))
    raw = b'{"speed": {"type": "Property",, "value": 56}, "brandName": {"value": "BMW"}}'
    got = suite.request("POST", f"/entities/{entity_id}/attrs/", raw=raw, content_type=LD)
    problem(got, 400, "InvalidRequest")


@pytest.mark.parametrize(
    ("options", "scope"),
    [
        pytest.param(None, "/CompanyA/OrganizationB/UnitC", id="010_07_01-overwrite"),
        pytest.param(
            "noOverwrite",
            ["/Madrid/Gardens/ParqueNorte", "/CompanyA/OrganizationB/UnitC"],
            id="010_07_01-no-overwrite",
        ),
    ],
)
def test_010_07_append_a_scope(suite, options, scope):
    entity_id = suite.created(
        building(random_id("urn:ngsi-ld:Vehicle:"), scope="/Madrid/Gardens/ParqueNorte"),
        JSON,
        context=SUITE_CONTEXT,
    )
    params = {"options": options} if options else None
    got = append(suite, entity_id, {"scope": "/CompanyA/OrganizationB/UnitC"}, JSON, params=params)
    assert got.status_code == 204, got.text
    same(building(entity_id, scope=scope), read(suite, entity_id, JSON))


@pytest.mark.parametrize(
    ("name", "space"),
    [
        pytest.param("observationSpace", point(13.3986, 52.5547), id="010_08"),
        pytest.param(
            "operationSpace",
            {"type": "GeoProperty", "value": {"type": "Polygon", "coordinates": SQUARE}},
            id="010_09",
        ),
    ],
)
def test_010_08_09_append_a_space(suite, name, space):
    entity_id = suite.created(ld(building(random_id())))
    got = append(suite, entity_id, {name: space}, JSON)
    assert got.status_code == 204, got.text
    same(building(entity_id, **{name: space}), read(suite, entity_id, JSON))


def test_010_11_append_a_vocab_property(suite):
    entity_id = suite.created(ld(vehicle(random_id("urn:ngsi-ld:Vehicle:"))))
    vocab = {"type": "VocabProperty", "vocab": "monument"}
    assert append(suite, entity_id, {"vocabProperty": vocab}).status_code == 204
    same(ld(vehicle(entity_id, vocabProperty=vocab)), read(suite, entity_id))


@pytest.mark.parametrize(
    ("selector", "status", "value"),
    [
        pytest.param(
            "Vehicle",
            404,
            "x",
            id="563_01-other-type",
        ),
        pytest.param("Building", 204, "y", id="563_01-same-type"),
    ],
)
def test_563_01_a_type_selector_gates_the_append(suite, selector, status, value):
    entity_id = suite.created(
        {"id": random_id("urn:ngsi-ld:Vehicle:"), "type": "Building", "name": prop("x")}, JSON
    )
    got = append(suite, entity_id, {"name": prop("y")}, JSON, params={"type": selector})
    assert got.status_code == status
    assert suite.retrieve(entity_id).json()["name"]["value"] == value
