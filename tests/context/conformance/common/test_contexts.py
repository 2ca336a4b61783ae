"""ETSI TP/NGSI-LD/CommonBehaviours/CommonResponses/VerifyLdContextNotAvailable 043 and 556: a
remote @context that cannot be fetched is LdContextNotAvailable (503), one that is fetched but is
no JSON-LD context is BadRequestData (400), and nothing is created (clauses 5.5.6, 6.3.4)."""

from __future__ import annotations

import pytest

from tests.context.conformance.common.conftest import (
    BROKEN_CONTEXT,
    MEMBERLESS_CONTEXT,
    MISSING_CONTEXT,
    UNKNOWN_HOST_CONTEXT,
    random_subscription_id,
    subscription,
)
from tests.context.conformance.conftest import CORE_V18, gap, problem, random_id
from tests.context.conformance.samples import LD, building, prop

UNRETRIEVABLE = [MISSING_CONTEXT, UNKNOWN_HOST_CONTEXT]


def unretrievable_building(entity_id: str, context: str) -> dict:
    """building-unretrievable-context.jsonld."""
    entity = building(entity_id, name=prop("Eiffel Tower"))
    return {**entity, "@context": [context, CORE_V18]}


@pytest.mark.parametrize("context", UNRETRIEVABLE)
def test_043_01_01_create_entity(suite, context):
    entity_id = random_id()
    created = suite.create(unretrievable_building(entity_id, context))
    problem(created, 503, "LdContextNotAvailable")
    assert suite.retrieve(entity_id).status_code == 404


@pytest.mark.parametrize("context", UNRETRIEVABLE)
def test_043_01_02_create_subscription(suite, context):
    body = {**subscription(random_subscription_id()), "@context": [context, CORE_V18]}
    created = suite.request("POST", "/subscriptions", body=body, content_type=LD)
    problem(created, 503, "LdContextNotAvailable")


def test_043_01_03_create_temporal_representation(suite):
    entity = {
        "id": random_id("urn:ngsi-ld:Bus:"),
        "type": "Bus",
        "speed": [{"type": "Property", "value": 80, "observedAt": "2020-08-01T12:05:00Z"}],
        "@context": [MISSING_CONTEXT, CORE_V18],
    }
    created = suite.request("POST", "/temporal/entities/", body=entity, content_type=LD)
    problem(created, 503, "LdContextNotAvailable")


def test_043_01_04_batch_create_reports_each_entity(suite):
    ids = [random_id(), random_id()]
    entities = [unretrievable_building(entity_id, MISSING_CONTEXT) for entity_id in ids]
    response = suite.batch("create", entities)
    assert response.status_code == 207, response.text
    errors = response.json()["errors"]
    assert sorted(error["entityId"] for error in errors) == sorted(ids)
    for error in errors:
        assert error["error"]["type"].endswith("/LdContextNotAvailable")
        assert error["error"]["title"]


def test_a_link_header_that_cannot_be_fetched_is_503(suite):
    problem(
        suite.query(params={"type": "Building"}, context=MISSING_CONTEXT),
        503,
        "LdContextNotAvailable",
    )


@pytest.mark.parametrize("context", [MEMBERLESS_CONTEXT, BROKEN_CONTEXT])
def test_556_01_a_context_that_is_no_json_ld_context_is_bad_request_data(suite, context):
    entity_id = random_id("urn:ngsi-ld:Vehicle:")
    created = suite.create({"id": entity_id, "type": "Vehicle", "@context": context})
    problem(created, 400, "BadRequestData")
    assert suite.retrieve(entity_id).status_code == 404


@gap("043_01_05: no context source registrations (/csourceRegistrations)")
def test_043_01_05_create_registration(suite):
    body = {
        "id": "urn:ngsi-ld:ContextSourceRegistration:" + random_id(""),
        "type": "ContextSourceRegistration",
        "information": [{"entities": [{"type": "Building"}]}],
        "endpoint": "http://my.csource.org:1026",
        "@context": [MISSING_CONTEXT, CORE_V18],
    }
    created = suite.request("POST", "/csourceRegistrations/", body=body, content_type=LD)
    problem(created, 503, "LdContextNotAvailable")
