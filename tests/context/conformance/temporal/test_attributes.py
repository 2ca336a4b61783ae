"""ETSI TP/NGSI-LD/ContextInformation/Provision/TemporalEntityAttributes 014–017 (clauses
5.6.12–5.6.15): adding attributes to a temporal evolution, deleting an attribute's instances,
modifying and deleting one instance."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, same
from tests.context.conformance.temporal.conftest import JSON, LD, TEMPORAL, vehicle_id
from tests.context.conformance.temporal.payloads import (
    FUEL_DATASET,
    SEPTEMBER,
    VEHICLE_CREATE,
    prop,
    series,
)

ADDED = series((120, SEPTEMBER + "12:03:00Z"), (80, SEPTEMBER + "12:05:00Z"))
ADDED += series((100, SEPTEMBER + "12:07:00Z"))
# vehicle-temporal-representation-fragment.jsonld
FRAGMENT = {"added_attribute": ADDED, "@context": [SUITE_CONTEXT]}
FUEL_DEFAULT = series((67, SEPTEMBER + "12:03:00Z"), (53, SEPTEMBER + "13:05:00Z"))
FUEL_OF_DATASET = [prop(40, SEPTEMBER + "14:07:00Z", datasetId=FUEL_DATASET)]


def expected(entity_id: str, **attributes: Any) -> dict[str, Any]:
    """vehicle-temporal-representation.jsonld as retrieved, with attributes changed."""
    document = {k: v for k, v in VEHICLE_CREATE.items() if k != "@context"}
    document = {**document, "id": entity_id, **attributes}
    return {k: v for k, v in document.items() if v is not None}


def retrieved(temporal, entity_id: str) -> dict[str, Any]:
    response = temporal.retrieve(entity_id, context=SUITE_CONTEXT, accept=LD)
    assert response.status_code == 200, response.text
    return response.json()


def test_014_01_01_an_attribute_is_added(temporal):
    entity_id = temporal.created(VEHICLE_CREATE)
    response = temporal.append(entity_id, FRAGMENT)
    assert response.status_code == 204, response.text
    assert response.content == b""
    want = expected(entity_id, added_attribute=ADDED)
    same(want, retrieved(temporal, entity_id), ignore=("@context",))


@pytest.mark.parametrize(
    "entity_id",
    [pytest.param("", id="014_02_01"), pytest.param("thisIsAninvalidId", id="014_02_02")],
)
def test_014_02_adding_to_an_invalid_id_is_bad_request(temporal, entity_id):
    assert temporal.append(entity_id, FRAGMENT).status_code == 400


def test_014_03_01_adding_to_an_unknown_entity_is_not_found(temporal):
    assert temporal.append(vehicle_id(), FRAGMENT).status_code == 404


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"id": "urn:ngsi-ld:Vehicle:1",, "type": "Vehicle"}', id="014_04_01"),
        pytest.param(b"", id="014_04_02"),
    ],
)
def test_014_04_unreadable_content_is_invalid_request(temporal, raw):
    entity_id = temporal.created(VEHICLE_CREATE)
    path = f"{TEMPORAL}/{entity_id}/attrs"
    response = temporal.suite.request("POST", path, raw=raw, content_type=LD)
    problem(response, 400, "InvalidRequest")


@pytest.mark.parametrize(
    ("params", "fuel"),
    [
        pytest.param({"deleteAll": "false"}, FUEL_OF_DATASET, id="015_01_01"),
        pytest.param(
            {"deleteAll": "false", "datasetId": FUEL_DATASET}, FUEL_DEFAULT, id="015_01_02"
        ),
        pytest.param({"deleteAll": "true"}, None, id="015_01_03"),
    ],
)
def test_015_01_an_attributes_instances_are_deleted(temporal, params, fuel):
    entity_id = temporal.created(VEHICLE_CREATE)
    response = temporal.delete_attribute(
        entity_id, "fuelLevel", params=params, context=SUITE_CONTEXT, content_type=JSON
    )
    assert response.status_code == 204, response.text
    assert response.content == b""
    same(expected(entity_id, fuelLevel=fuel), retrieved(temporal, entity_id), ignore=("@context",))


@pytest.mark.parametrize(
    ("entity_id", "name"),
    [
        pytest.param("", "speed", id="015_02_01"),
        pytest.param("invalidId", "speed", id="015_02_02"),
        pytest.param(None, "invalid(Name", id="015_02_03"),
        pytest.param(None, "%2e%2e", id="015_04_01"),
        pytest.param(None, "%252e%252e", id="015_04_02"),
        pytest.param(None, "%2e", id="015_04_03"),
    ],
)
def test_015_02_deleting_with_a_bad_id_or_name_is_bad_request_data(temporal, entity_id, name):
    valid = temporal.created(VEHICLE_CREATE)
    response = temporal.delete_attribute(
        valid if entity_id is None else entity_id, name, params={"deleteAll": "false"}
    )
    problem(response, 400, "BadRequestData")
    assert temporal.retrieve(valid).status_code == 200


@pytest.mark.parametrize(
    ("known", "name"),
    [
        pytest.param(False, "fuelLevel", id="015_03_01"),
        pytest.param(True, "notExistingAttribute", id="015_03_02"),
    ],
)
def test_015_03_deleting_what_does_not_exist_is_not_found(temporal, known, name):
    valid = temporal.created(VEHICLE_CREATE)
    response = temporal.delete_attribute(
        valid if known else vehicle_id(), name, context=SUITE_CONTEXT
    )
    problem(response, 404, "ResourceNotFound")


def first_speed_instance(temporal, entity_id: str) -> str:
    response = temporal.retrieve(
        entity_id, context=SUITE_CONTEXT, accept=LD, params={"options": "sysAttrs"}
    )
    return response.json()["speed"][0]["instanceId"]


# vehicle-temporal-modify-attribute-instance-fragment.jsonld
MODIFICATION = {"type": "Property", "value": 129, "observedAt": SEPTEMBER + "12:03:00Z"}


def test_016_01_01_an_instance_is_modified_in_place(temporal):
    entity_id = temporal.created(VEHICLE_CREATE)
    instance_id = first_speed_instance(temporal, entity_id)
    response = temporal.modify_instance(
        entity_id, "speed", instance_id, MODIFICATION, content_type=JSON, context=SUITE_CONTEXT
    )
    assert response.status_code == 204, response.text
    assert response.content == b""
    body = retrieved(temporal, entity_id)
    assert body["speed"][0]["instanceId"] == instance_id
    speed = [MODIFICATION, prop(80, SEPTEMBER + "12:05:00Z")]
    same(expected(entity_id, speed=speed), body, ignore=("@context", "modifiedAt"))


def _ids(temporal, entity_id, name, instance_id):
    valid = temporal.created(VEHICLE_CREATE)
    instance = first_speed_instance(temporal, valid)
    return (
        valid if entity_id is None else entity_id,
        name,
        instance if instance_id is None else instance_id,
    )


@pytest.mark.parametrize(
    ("entity_id", "name", "instance_id", "status"),
    [
        pytest.param("invalidId", "speed", None, 400, id="016_02_01"),
        pytest.param("", "speed", None, 400, id="016_02_02"),
        pytest.param(None, "speed", "invalidId", 400, id="016_02_03"),
        pytest.param(None, "speed", "", 405, id="016_02_04"),
        pytest.param(None, "invalid(Id", None, 400, id="016_02_05"),
        pytest.param(None, "", None, 405, id="016_02_06"),
        pytest.param("unknown", "speed", None, 404, id="016_03_01"),
        pytest.param(None, "speed2", None, 404, id="016_03_02"),
        pytest.param(None, "speed", "urn:ngsi-ld:01234567890123456789", 404, id="016_03_03"),
    ],
)
def test_016_modifying_a_wrong_instance_is_refused(temporal, entity_id, name, instance_id, status):
    if entity_id == "unknown":
        entity_id = vehicle_id()
    target = _ids(temporal, entity_id, name, instance_id)
    response = temporal.modify_instance(
        *target, MODIFICATION, content_type=JSON, context=SUITE_CONTEXT
    )
    assert response.status_code == status, response.text


def test_017_01_01_an_instance_is_deleted(temporal):
    entity_id = temporal.created(VEHICLE_CREATE)
    instance_id = first_speed_instance(temporal, entity_id)
    response = temporal.delete_instance(entity_id, "speed", instance_id, context=SUITE_CONTEXT)
    assert response.status_code == 204, response.text
    assert response.content == b""
    speed = [prop(80, SEPTEMBER + "12:05:00Z")]
    same(expected(entity_id, speed=speed), retrieved(temporal, entity_id), ignore=("@context",))


@pytest.mark.parametrize(
    ("entity_id", "name", "instance_id", "status"),
    [
        pytest.param("invalidId", "speed", None, 400, id="017_02_01"),
        pytest.param("", "speed", None, 400, id="017_02_02"),
        pytest.param(None, "speed", "invalidId", 400, id="017_02_03"),
        pytest.param(None, "invalid(Name", None, 400, id="017_02_04"),
        pytest.param(None, "", None, 400, id="017_02_05"),
        pytest.param("unknown", "speed", None, 404, id="017_03_01"),
        pytest.param(None, "speed2", None, 404, id="017_03_02"),
        pytest.param(None, "speed", "urn:ngsi-ld:01234567890123456789", 404, id="017_03_03"),
    ],
)
def test_017_deleting_a_wrong_instance_is_refused(temporal, entity_id, name, instance_id, status):
    if entity_id == "unknown":
        entity_id = vehicle_id()
    target = _ids(temporal, entity_id, name, instance_id)
    response = temporal.delete_instance(*target, context=SUITE_CONTEXT)
    assert response.status_code == status, response.text
