"""ETSI TP/NGSI-LD/ContextInformation/Provision/Entities/CreateEntity 001_xx (clauses 5.6.1, 6.3.5):
what is created is what is retrieved, and the @context rules of a create request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, random_id, same
from tests.context.conformance.samples import (
    JSON,
    LD,
    SQUARE,
    building,
    ld,
    location_attribute,
    point,
    relationship_of_property,
    simple_attributes,
)

Sample = Callable[[str], dict[str, Any]]

ROUND_TRIPS: list[Any] = [
    pytest.param(lambda i: building(i), JSON, id="001_01_01-minimal"),
    pytest.param(lambda i: ld(simple_attributes(i)), LD, id="001_01_02-simple"),
    pytest.param(lambda i: ld(relationship_of_property(i)), LD, id="001_01_03-relationship"),
    pytest.param(lambda i: ld(location_attribute(i)), LD, id="001_01_04-location"),
    pytest.param(
        lambda i: ld(building(i, customLocation=point(13.3986, 52.5547))), LD, id="001_01_05-geo"
    ),
    pytest.param(
        lambda i: ld(
            building(
                i,
                street={
                    "type": "LanguageProperty",
                    "languageMap": {"fr": "Grand Place", "nl": "Grote Markt"},
                },
            )
        ),
        LD,
        id="001_10_01-language",
    ),
    pytest.param(
        lambda i: building(i, scope="/Madrid/Gardens/ParqueNorte"),
        JSON,
        id="001_11_01-scope",
    ),
    pytest.param(
        lambda i: building(
            i, scope=["/Madrid/Gardens/ParqueNorte", "/CompanyA/OrganizationB/UnitC"]
        ),
        JSON,
        id="001_11_02-scopes",
    ),
    pytest.param(
        lambda i: ld(building(i, observationSpace=point(13.3986, 52.5547))),
        LD,
        id="001_12-observationSpace",
    ),
    pytest.param(
        lambda i: ld(
            building(
                i,
                operationSpace={
                    "type": "GeoProperty",
                    "value": {"type": "Polygon", "coordinates": SQUARE},
                },
            )
        ),
        LD,
        id="001_13-operationSpace",
    ),
    pytest.param(
        lambda i: ld(
            building(
                i,
                jsonProperty={
                    "type": "JsonProperty",
                    "json": {
                        "id": "some-id",
                        "type": "some-type",
                        "null": None,
                        "anythingElse": "x",
                    },
                },
            )
        ),
        LD,
        id="001_14_01-json-object",
    ),
    pytest.param(
        lambda i: ld(
            building(
                i,
                jsonProperty={
                    "type": "JsonProperty",
                    "json": [{"id": "some-id-1", "a": "1"}, {"id": "some-id-2", "a": "2"}],
                },
            )
        ),
        LD,
        id="001_14_02-json-array",
    ),
    pytest.param(
        lambda i: ld(building(i, vocabProperty={"type": "VocabProperty", "vocab": "monument"})),
        LD,
        id="001_15_01-vocab",
    ),
    pytest.param(
        lambda i: ld(
            building(
                i, vocabProperty={"type": "VocabProperty", "vocab": ["monument", "sightseeing"]}
            )
        ),
        LD,
        id="001_15_02-vocabs",
    ),
]


@pytest.mark.parametrize(("sample", "content_type"), ROUND_TRIPS)
def test_001_a_created_entity_is_retrieved_as_sent(suite, sample: Sample, content_type: str):
    entity_id = random_id()
    payload = sample(entity_id)
    response = suite.create(payload, content_type)
    assert response.status_code == 201, response.text
    assert response.content == b""
    assert entity_id in response.headers["Location"]
    context = SUITE_CONTEXT if content_type == LD else None
    got = suite.retrieve(entity_id, accept=content_type, context=context)
    same(payload, got.json())


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        pytest.param(
            b'[{"id": "urn:ngsi-ld:Building:1",, "type": "Building"}]',
            "InvalidRequest",
            id="001_02_01",
        ),
        pytest.param(b"", "InvalidRequest", id="001_02_02-empty"),
        pytest.param(
            b'{"id": "urn:ngsi-ld:Building:1", "type": "Building"}',
            "BadRequestData",
            id="001_02_03",
        ),
        pytest.param(
            b'{"id": "urn:ngsi-ld:Building:1", "type": "type", "@context": '
            b'["https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"]}',
            "BadRequestData",
            id="001_02_04-type-named-type",
        ),
    ],
)
def test_001_02_an_invalid_create_request_is_refused(suite, raw: bytes, kind: str):
    response = suite.request("POST", "/entities/", raw=raw, content_type=LD)
    problem(response, 400, kind)


def test_001_03_an_existing_id_cannot_be_created_again(suite):
    entity = ld(building(random_id()))
    suite.created(entity)
    problem(suite.create(entity), 409, "AlreadyExists")


def test_001_04_the_link_header_gives_the_context_of_a_json_create(suite):
    entity_id = random_id()
    suite.create(simple_attributes(entity_id), JSON, context=SUITE_CONTEXT)
    assert "almostFull" in suite.retrieve(entity_id, context=SUITE_CONTEXT).json()
    assert "https://ngsi-ld-test-suite/context#almostFull" in suite.retrieve(entity_id).json()


def test_001_05_without_a_link_header_the_core_context_is_used(suite):
    entity_id = random_id()
    suite.create(simple_attributes(entity_id), JSON)
    assert "almostFull" in suite.retrieve(entity_id).json()
    got = suite.retrieve(entity_id, accept=JSON, context=SUITE_CONTEXT).json()
    assert "ngsi-ld:default-context/almostFull" in got, got


def test_001_06_json_with_an_at_context_member_is_refused(suite):
    response = suite.create(ld(simple_attributes(random_id())), JSON)
    problem(response, 400, "BadRequestData")


def test_001_07_the_body_gives_the_context_of_an_ld_json_create(suite):
    entity_id = random_id()
    suite.create(ld(simple_attributes(entity_id)), LD)
    assert "almostFull" in suite.retrieve(entity_id, context=SUITE_CONTEXT).json()
    assert "https://ngsi-ld-test-suite/context#almostFull" in suite.retrieve(entity_id).json()


def test_001_08_ld_json_without_an_at_context_member_is_refused(suite):
    problem(suite.create(simple_attributes(random_id()), LD), 400, "BadRequestData")


def test_001_09_ld_json_with_a_link_header_is_refused(suite):
    response = suite.create(ld(simple_attributes(random_id())), LD, context=SUITE_CONTEXT)
    problem(response, 400, "BadRequestData")
