"""ETSI Provision/Entities ReplaceEntity 054, MergeEntity 056 and DeleteEntity 002 (clauses
5.6.6, 5.6.17, 5.6.18)."""

from __future__ import annotations

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, random_id, same
from tests.context.conformance.samples import (
    JSON,
    LD,
    building,
    ld,
    point,
    prop,
    rel,
    second_building,
    simple_attributes,
)

LOCATED_IN_PISA = {"name": prop("Pisa Tower"), "locatedAt": rel("urn:ngsi-ld:City:Pisa")}


def test_054_01_replace_keeps_created_at(suite):
    entity_id = suite.created(simple_attributes(random_id()), JSON, context=SUITE_CONTEXT)
    before = suite.retrieve(entity_id, context=SUITE_CONTEXT, params={"options": "sysAttrs"}).json()
    replacement = building(entity_id, **LOCATED_IN_PISA)
    got = suite.request(
        "PUT", f"/entities/{entity_id}", body=replacement, content_type=JSON, context=SUITE_CONTEXT
    )
    assert got.status_code == 204 and got.content == b""
    after = suite.retrieve(entity_id, context=SUITE_CONTEXT, params={"options": "sysAttrs"}).json()
    same(replacement, after, ignore=("@context", "createdAt", "modifiedAt"))
    assert after["createdAt"] == before["createdAt"]


@pytest.mark.parametrize(
    ("target", "status"),
    [
        pytest.param("invalidUri", 400, id="054_02_01"),
        pytest.param(
            "",
            400,
            id="054_02_02",
        ),
        pytest.param("urn:ngsi-ld:Building:Nonexistent", 404, id="054_02_03"),
    ],
)
def test_054_02_replace_with_a_faulty_id(suite, target, status):
    suite.created(simple_attributes(random_id()), JSON, context=SUITE_CONTEXT)
    body = building(target, **LOCATED_IN_PISA)
    got = suite.request(
        "PUT", f"/entities/{target}", body=body, content_type=JSON, context=SUITE_CONTEXT
    )
    assert got.status_code == status, got.text


def test_054_03_replace_replaces_the_scopes(suite):
    entity_id = suite.created(
        building(random_id(), scope="/Madrid/Gardens/ParqueNorte"), JSON, context=SUITE_CONTEXT
    )
    scopes = ["/Madrid/Gardens/ParqueNorte", "/CompanyA/OrganizationB/UnitC"]
    got = suite.request(
        "PUT",
        f"/entities/{entity_id}",
        body=building(entity_id, scope=scopes),
        content_type=JSON,
        context=SUITE_CONTEXT,
    )
    assert got.status_code == 204
    same(
        building(entity_id, scope=scopes),
        suite.retrieve(entity_id, accept=JSON, context=SUITE_CONTEXT).json(),
    )


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        pytest.param(lambda i: building(i), simple_attributes, id="056_01_01"),
        pytest.param(second_building, second_building, id="056_01_02"),
        pytest.param(
            lambda i: building(i, locatedAt=rel("urn:ngsi-ld:City:Paris")),
            lambda i: {**simple_attributes(i), "locatedAt": rel("urn:ngsi-ld:City:Paris")},
            id="056_01_03",
        ),
        pytest.param(
            lambda i: building(i, airQualityLevel=prop(1, observedAt="2024-01-01T00:00:00.000Z")),
            lambda i: {
                **simple_attributes(i),
                "airQualityLevel": prop(1, unitCode="C62", observedAt="2024-01-01T00:00:00.000Z"),
            },
            id="056_01_04",
        ),
    ],
)
def test_056_01_merge_an_entity(suite, fragment, expected):
    entity_id = suite.created(ld(simple_attributes(random_id())))
    got = suite.request(
        "PATCH", f"/entities/{entity_id}", body=ld(fragment(entity_id)), content_type=LD
    )
    assert got.status_code == 204 and got.content == b"", got.text
    same(
        ld(expected(entity_id)), suite.retrieve(entity_id, accept=LD, context=SUITE_CONTEXT).json()
    )


@pytest.mark.parametrize(
    ("target", "status"),
    [
        pytest.param("invalidUri", 400, id="056_02_01"),
        pytest.param(
            "",
            400,
            id="056_02_02",
        ),
        pytest.param("urn:ngsi-ld:Building:Nonexistent", 404, id="056_02_03"),
    ],
)
def test_056_02_merge_with_a_faulty_id(suite, target, status):
    suite.created(simple_attributes(random_id()), JSON, context=SUITE_CONTEXT)
    body = building(target, **LOCATED_IN_PISA)
    got = suite.request(
        "PATCH", f"/entities/{target}", body=body, content_type=JSON, context=SUITE_CONTEXT
    )
    assert got.status_code == status, got.text


NULL = "urn:ngsi-ld:null"
FOUR_KINDS = {
    "name": prop("Eiffel Tower"),
    "locatedAt": rel("urn:ngsi-ld:City:Paris"),
    "location": point(2.2945, 48.8584),
    "street": {
        "type": "LanguageProperty",
        "languageMap": {"fr": "Avenue Gustave Eiffel", "en": "Gustave Eiffel Avenue"},
    },
}
NULLS = {
    "name": {"type": "Property", "value": NULL},
    "locatedAt": {"type": "Relationship", "object": NULL},
    "location": {"type": "GeoProperty", "value": NULL},
    "street": {"type": "LanguageProperty", "languageMap": {"@none": NULL}},
}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("name", id="056_03_01"),
        pytest.param("locatedAt", id="056_03_02"),
        pytest.param("location", id="056_03_03"),
        pytest.param("street", id="056_03_04"),
    ],
)
def test_056_03_merge_with_ngsi_ld_null_deletes_the_attribute(suite, name):
    entity_id = suite.created(ld(building(random_id(), **FOUR_KINDS)))
    fragment = ld(building(entity_id, **{name: NULLS[name]}))
    got = suite.request("PATCH", f"/entities/{entity_id}", body=fragment, content_type=LD)
    assert got.status_code == 204, got.text
    rest = {k: v for k, v in FOUR_KINDS.items() if k != name}
    same(
        ld(building(entity_id, **rest)),
        suite.retrieve(entity_id, accept=LD, context=SUITE_CONTEXT).json(),
    )


def test_002_01_delete_an_entity(suite):
    entity_id = random_id()
    suite.create(ld(simple_attributes(entity_id)))
    got = suite.request("DELETE", f"/entities/{entity_id}")
    assert got.status_code == 204 and got.content == b""
    assert suite.retrieve(entity_id, context=SUITE_CONTEXT).status_code == 404


def test_002_02_delete_with_an_invalid_id(suite):
    problem(suite.request("DELETE", "/entities/thisisaninvaliduri"), 400, "BadRequestData")


def test_002_03_delete_an_unknown_entity(suite):
    problem(suite.request("DELETE", f"/entities/{random_id()}"), 404, "ResourceNotFound")
