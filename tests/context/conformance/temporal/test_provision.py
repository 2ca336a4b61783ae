"""ETSI TP/NGSI-LD/ContextInformation/Provision/TemporalEntity 007–009 (clauses 5.6.11,
5.6.16): creating, updating and deleting a temporal evolution through /temporal/entities."""

from __future__ import annotations

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, same
from tests.context.conformance.temporal.conftest import JSON, LD, TEMPORAL, vehicle_id, with_id
from tests.context.conformance.temporal.payloads import (
    FUEL_DATASET,
    SEPTEMBER,
    VEHICLE_2020_08,
    VEHICLE_CREATE,
    VEHICLE_CREATE_PLAIN,
    VEHICLE_UPDATE,
    prop,
)


def _without_context(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "@context"}


@pytest.mark.parametrize(
    ("document", "content_type", "context"),
    [
        pytest.param(VEHICLE_CREATE, LD, SUITE_CONTEXT, id="007_01_01"),
        pytest.param(VEHICLE_CREATE_PLAIN, JSON, None, id="007_01_02"),
    ],
)
def test_007_01_a_temporal_entity_is_created(temporal, document, content_type, context):
    entity_id = vehicle_id()
    response = temporal.create(with_id(document, entity_id), content_type)
    temporal.ids.append(entity_id)
    assert response.status_code == 201, response.text
    assert response.content == b""
    assert response.headers["Location"].endswith(f"{TEMPORAL}/{entity_id}")
    got = temporal.retrieve(entity_id, context=context)
    assert got.status_code == 200, got.text
    same(with_id(_without_context(document), entity_id), got.json(), ignore=("@context",))


def test_007_02_01_malformed_json_is_invalid_request(temporal):
    raw = b'{"id": "urn:ngsi-ld:Vehicle:8313926113148778",, "type": "Vehicle"}'
    response = temporal.suite.request("POST", TEMPORAL, raw=raw, content_type=LD)
    problem(response, 400, "InvalidRequest")


def test_007_02_02_an_empty_body_is_invalid_request(temporal):
    response = temporal.suite.request("POST", TEMPORAL, raw=b"", content_type=LD)
    problem(response, 400, "InvalidRequest")


@pytest.mark.parametrize(
    "entity_id", [pytest.param("", id="007_03_01"), pytest.param("invalidId", id="007_03_02")]
)
def test_007_03_an_entity_without_a_valid_id_is_refused(temporal, entity_id):
    response = temporal.create(with_id(VEHICLE_2020_08, entity_id))
    problem(response, 400, "BadRequestData")


def test_008_01_01_posting_again_adds_and_replaces_instances(temporal):
    entity_id = temporal.created(VEHICLE_CREATE)
    response = temporal.create(with_id(VEHICLE_UPDATE, entity_id))
    assert response.status_code == 204, response.text
    assert response.content == b""
    got = temporal.retrieve(entity_id, context=SUITE_CONTEXT, accept=LD)
    expected = with_id(_without_context(VEHICLE_UPDATE), entity_id)
    expected["fuelLevel"] = [
        *expected["fuelLevel"],
        prop(40, SEPTEMBER + "14:07:00Z", datasetId=FUEL_DATASET),
    ]
    same(expected, got.json(), ignore=("@context",))


def test_009_01_01_a_deleted_temporal_entity_is_gone(temporal):
    entity_id = temporal.created(VEHICLE_2020_08)
    response = temporal.delete(entity_id)
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert temporal.retrieve(entity_id, context=SUITE_CONTEXT).status_code == 404


def test_009_02_01_delete_without_an_id_is_method_not_allowed(temporal):
    assert temporal.suite.request("DELETE", TEMPORAL + "/").status_code == 405


def test_009_02_02_delete_with_an_invalid_id_is_bad_request_data(temporal):
    problem(temporal.delete("invalidId"), 400, "BadRequestData")


def test_009_03_01_delete_of_an_unknown_entity_is_not_found(temporal):
    problem(temporal.delete(vehicle_id()), 404, "ResourceNotFound")
