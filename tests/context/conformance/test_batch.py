"""ETSI Provision/BatchEntities: create 003, upsert 004, update 005, delete 006 and merge 057
(clauses 5.6.7–5.6.10, 5.6.20, 5.5.11): 201/204/207 answers, BatchOperationResult, and what is
stored afterwards (read back with GET /entities?id=…&type=Building in the suite's context)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, random_id, same
from tests.context.conformance.samples import (
    JSON,
    LD,
    building,
    ld,
    rel,
    relationship_of_property,
    simple_attributes,
)

Sample = Callable[[str], dict[str, Any]]
RELATIONSHIP: Sample = lambda i: building(i, locatedAt=rel("urn:ngsi-ld:City:Paris"))  # noqa: E731
SAMPLES = {
    "simple": simple_attributes,
    "relationship": RELATIONSHIP,
    "relationship-of-property": relationship_of_property,
}


def stored(suite, *ids: str) -> list[dict[str, Any]]:
    params = {"id": ",".join(ids), "type": "Building"}
    return suite.query(params=params, context=SUITE_CONTEXT, accept=LD).json()


def result(response: Any, success: list[str], errors: list[str]) -> None:
    """The suite's `Check Response Body Containing Batch Operation Result`."""
    assert response.status_code == 207, response.text
    body = response.json()
    assert sorted(body["success"]) == sorted(success)
    assert sorted(e["entityId"] for e in body["errors"]) == sorted(errors)
    assert all(e["error"] for e in body["errors"])


def remember(suite, *ids: str) -> None:
    suite.ids.extend(ids)


@pytest.mark.parametrize(
    "sample",
    [lambda i: building(i), *SAMPLES.values()],
    ids=["003_01_01", "003_01_02", "003_01_03", "003_01_04"],
)
def test_003_01_create_a_batch(suite, sample):
    entities = [ld(sample(random_id())) for _ in range(2)]
    ids = [e["id"] for e in entities]
    remember(suite, *ids)
    got = suite.batch("create", entities)
    assert got.status_code == 201 and sorted(got.json()) == sorted(ids), got.text
    same(entities, stored(suite, *ids))


def test_003_02_create_a_batch_with_an_existing_entity(suite):
    existing = suite.created(ld(building(random_id())))
    fresh = [ld(building(random_id())) for _ in range(2)]
    remember(suite, *(e["id"] for e in fresh))
    got = suite.batch("create", [*fresh, ld(building(existing))])
    result(got, [e["id"] for e in fresh], [existing])
    same(fresh, stored(suite, *(e["id"] for e in fresh)))


@pytest.mark.parametrize(
    ("operation", "raw", "kind"),
    [
        pytest.param(
            "create",
            b'[{"id": "urn:ngsi-ld:Building:1",, "type": "Building"}]',
            "InvalidRequest",
            id="003_03_01",
        ),
        pytest.param("create", b"[]", "BadRequestData", id="003_03_02"),
        pytest.param(
            "upsert",
            b'[{"id": "urn:ngsi-ld:Building:1",, "type": "Building"}]',
            "InvalidRequest",
            id="004_06_01",
        ),
        pytest.param(
            "update",
            b'[{"id": "urn:ngsi-ld:Building:1",, "type": "Building"}]',
            "InvalidRequest",
            id="005_04_01",
        ),
        pytest.param(
            "delete",
            b'[{"id": "urn:ngsi-ld:Building:1",, "type": "Building"}]',
            "InvalidRequest",
            id="006_03_01",
        ),
        pytest.param("delete", b"[]", "BadRequestData", id="006_03_02"),
    ],
)
def test_invalid_batch_bodies(suite, operation, raw, kind):
    problem(
        suite.request("POST", f"/entityOperations/{operation}", raw=raw, content_type=LD), 400, kind
    )


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        pytest.param("upsert", {"options": "replace"}, id="004_06_02"),
        pytest.param("update", None, id="005_04_02"),
    ],
)
def test_an_entity_with_a_null_value_is_a_per_entity_error(suite, operation, params):
    entity_id = random_id()
    if operation == "update":
        suite.created(ld(building(entity_id)))
    entity = {
        **building(entity_id, name={"type": "Property", "value": None}),
        "@context": [
            SUITE_CONTEXT,
            "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld",
        ],
    }
    got = suite.batch(operation, [entity], params=params)
    assert got.status_code == 207, got.text
    problem_body = got.json()["errors"][0]["error"]
    assert problem_body["type"].endswith("/BadRequestData") and problem_body["title"]


@pytest.mark.parametrize(
    ("with_link", "name"),
    [
        pytest.param(True, "almostFull", id="003_04_01"),
        pytest.param(False, "https://ngsi-ld-test-suite/context#almostFull", id="003_04_02"),
    ],
)
def test_003_04_a_json_batch_takes_its_context_from_the_link_header(suite, with_link, name):
    entity_id = random_id()
    remember(suite, entity_id)
    got = suite.batch(
        "create", [simple_attributes(entity_id)], content_type=JSON, context=SUITE_CONTEXT
    )
    assert got.status_code == 201, got.text
    assert name in suite.retrieve(entity_id, context=SUITE_CONTEXT if with_link else None).json()


@pytest.mark.parametrize(
    ("with_link", "name"),
    [
        pytest.param(False, "almostFull", id="003_05_01"),
        pytest.param(True, "ngsi-ld:default-context/almostFull", id="003_05_02"),
    ],
)
def test_003_05_a_json_batch_without_link_uses_the_core_context(suite, with_link, name):
    entity_id = random_id()
    remember(suite, entity_id)
    assert (
        suite.batch("create", [simple_attributes(entity_id)], content_type=JSON).status_code == 201
    )
    assert name in suite.retrieve(entity_id, context=SUITE_CONTEXT if with_link else None).json()


def test_003_06_json_batch_entities_must_not_carry_a_context(suite):
    entity_id = random_id()
    remember(suite, entity_id)
    got = suite.batch("create", [ld(simple_attributes(entity_id))], content_type=JSON)
    assert got.status_code == 207, got.text
    assert got.json()["errors"][0]["error"]["type"].endswith("/BadRequestData")


@pytest.mark.parametrize(
    ("with_link", "name"),
    [
        pytest.param(True, "almostFull", id="003_07_01"),
        pytest.param(False, "https://ngsi-ld-test-suite/context#almostFull", id="003_07_02"),
    ],
)
def test_003_07_an_ld_json_batch_takes_each_entity_context(suite, with_link, name):
    entity_id = random_id()
    remember(suite, entity_id)
    assert suite.batch("create", [ld(simple_attributes(entity_id))]).status_code == 201
    assert name in suite.retrieve(entity_id, context=SUITE_CONTEXT if with_link else None).json()


def test_003_08_ld_json_batch_entities_need_a_context(suite):
    got = suite.batch("create", [simple_attributes(random_id())])
    assert got.status_code == 207, got.text
    error = got.json()["errors"][0]["error"]
    assert error["type"].endswith("/BadRequestData") and error["title"]


def test_003_09_an_ld_json_batch_with_a_link_header_is_refused(suite):
    got = suite.batch("create", [ld(simple_attributes(random_id()))], context=SUITE_CONTEXT)
    problem(got, 400, "BadRequestData")


def test_003_10_a_repeated_id_is_created_once(suite):
    first, second = (ld(building(random_id())) for _ in range(2))
    remember(suite, first["id"], second["id"])
    result(
        suite.batch("create", [first, second, first]), [first["id"], second["id"]], [first["id"]]
    )
