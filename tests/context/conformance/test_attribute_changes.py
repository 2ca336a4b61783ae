"""ETSI PartialAttributeUpdate 012_01–012_04, ReplaceEntityAttribute 055 and DeleteEntityAttribute
013 (clauses 5.6.4, 5.6.5, 5.6.19), with the Antares-extension checks 558_01 and 562_01."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, random_id, same
from tests.context.conformance.samples import (
    JSON,
    LD,
    PARKED,
    building,
    ld,
    prop,
    rel,
    sourced,
    speeding_vehicle,
    two_dataset_vehicle,
    vehicle,
)

JOHN = rel("urn:ngsi-ld:Person:JohnDoe")
SPEEDOMETER = "urn:ngsi-ld:Property:speedometer"
GPS = "urn:ngsi-ld:Property:gpsBxyz123-speed"


def partial(suite, entity_id: str, name: str, fragment: dict[str, Any], content_type: str = LD):
    body = ld(fragment) if content_type == LD else fragment
    return suite.request(
        "PATCH", f"/entities/{entity_id}/attrs/{name}", body=body, content_type=content_type
    )


def read(suite, entity_id: str, accept: str = LD, **params: str) -> dict[str, Any]:
    return suite.retrieve(
        entity_id, context=SUITE_CONTEXT, accept=accept, params=params or None
    ).json()


def car() -> str:
    return random_id("urn:ngsi-ld:Vehicle:")


def test_012_01_01_partial_update_of_a_sub_attribute(suite):
    entity_id = suite.created(ld(speeding_vehicle(car())))
    got = partial(suite, entity_id, "isParked", {"providedBy": JOHN})
    assert got.status_code == 204 and got.content == b"", got.text
    expected = {**speeding_vehicle(entity_id), "isParked": {**PARKED, "providedBy": JOHN}}
    same(expected, read(suite, entity_id), ignore=("@context",))


def test_012_01_02_partial_update_of_one_instance(suite):
    entity_id = suite.created(ld(speeding_vehicle(car())))
    got = partial(suite, entity_id, "speed", {"value": 56, "datasetId": SPEEDOMETER})
    assert got.status_code == 204, got.text
    entity = speeding_vehicle(entity_id)
    expected = {
        **entity,
        "speed": [sourced(56, "Speedometer", datasetId=SPEEDOMETER), entity["speed"][1]],
    }
    same(expected, read(suite, entity_id), ignore=("@context",))


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        pytest.param(
            "",
            {"value": 56, "datasetId": SPEEDOMETER},
            id="012_02_01",
        ),
        pytest.param("thisisaninvaliduri", {"value": 56, "datasetId": SPEEDOMETER}, id="012_02_02"),
        pytest.param(
            None, {"type": "Relationship", "object": "urn:ngsi-ld:Entity:01"}, id="012_02_03"
        ),
        pytest.param(None, {}, id="012_02_04"),
    ],
)
def test_012_02_partial_update_with_invalid_data(suite, target, fragment):
    entity_id = suite.created(ld(two_dataset_vehicle(car())))
    got = partial(suite, entity_id if target is None else target, "speed", fragment)
    problem(got, 400, "BadRequestData")


@pytest.mark.parametrize(
    ("known", "name", "fragment"),
    [
        pytest.param(False, "speed", {"providedBy": JOHN}, id="012_03_01"),
        pytest.param(True, "speed", {"value": 60}, id="012_03_02"),
        pytest.param(
            True,
            "speed",
            {"value": 60, "datasetId": "urn:ngsi-ld:Property:unknown"},
            id="012_03_03",
        ),
        pytest.param(True, "isParked2", {"providedBy": JOHN}, id="012_03_04"),
    ],
)
def test_012_03_partial_update_of_something_unknown(suite, known, name, fragment):
    entity_id = suite.created(ld(speeding_vehicle(car())))
    got = partial(suite, entity_id if known else car(), name, fragment)
    problem(got, 404, "ResourceNotFound")


def test_012_04_partial_update_of_a_language_property(suite):
    street = {
        "type": "LanguageProperty",
        "languageMap": {"fr": "Grand Place", "nl": "Grote Markt"},
        "source": prop("Speedometer"),
    }
    entity_id = suite.created(ld(building(car(), street=street)))
    fragment = {"languageMap": {"fr": "Grand Place", "es": "Gran Lugar"}, "providedBy": JOHN}
    assert partial(suite, entity_id, "street", fragment).status_code == 204
    expected = {
        **street,
        "languageMap": {"fr": "Grand Place", "es": "Gran Lugar"},
        "providedBy": JOHN,
    }
    same(building(entity_id, street=expected), read(suite, entity_id), ignore=("@context",))


MULTI = {
    "scope": "/Madrid/Centro",
    "isParked": PARKED,
    "speed": [sourced(55, "Speedometer"), sourced(54.5, "GPS", datasetId=GPS)],
}
NEW_PARKING = {
    **PARKED,
    "object": "urn:ngsi-ld:OffStreetParking:Downtown2",
    "observedAt": "2017-07-29T15:00:04Z",
}
GPS_70 = {**sourced(70, "GPS", datasetId=GPS), "observedAt": "2017-07-29T11:00:04Z"}
DEFAULT_70 = {**sourced(70, "Speedometer"), "observedAt": "2017-07-29T11:00:04Z"}


@pytest.mark.parametrize(
    ("name", "attribute", "expected", "created_at"),
    [
        pytest.param(
            "isParked", NEW_PARKING, {"isParked": NEW_PARKING}, ("isParked",), id="055_01_01"
        ),
        pytest.param(
            "isParked", prop(True), {"isParked": prop(True)}, ("isParked",), id="055_01_02"
        ),
        pytest.param(
            "speed",
            DEFAULT_70,
            {"speed": [DEFAULT_70, MULTI["speed"][1]]},
            ("speed", 0),
            id="055_02_01",
        ),
        pytest.param(
            "speed", GPS_70, {"speed": [MULTI["speed"][0], GPS_70]}, ("speed", 0), id="055_02_02"
        ),
    ],
)
def test_055_replace_an_attribute_keeps_created_at(suite, name, attribute, expected, created_at):
    entity_id = suite.created(ld(vehicle(car(), **MULTI)))
    before = read(suite, entity_id, JSON, options="sysAttrs")
    got = suite.request(
        "PUT",
        f"/entities/{entity_id}/attrs/{name}",
        body=attribute,
        content_type=JSON,
        context=SUITE_CONTEXT,
    )
    assert got.status_code == 204 and got.content == b"", got.text
    after = read(suite, entity_id, JSON, options="sysAttrs")
    same(
        vehicle(entity_id, **{**MULTI, **expected}),
        after,
        ignore=("@context", "createdAt", "modifiedAt"),
    )
    path_before, path_after = before, after
    for step in created_at:
        path_before, path_after = path_before[step], path_after[step]
    assert path_after["createdAt"] == path_before["createdAt"]


@pytest.mark.parametrize(
    ("target", "name", "attribute", "status"),
    [
        pytest.param("invalidUri", "isParked", NEW_PARKING, 400, id="055_03_01"),
        pytest.param(
            "urn:ngsi-ld:Vehicle:Nonexistent", "isParked", NEW_PARKING, 404, id="055_03_02"
        ),
        pytest.param(
            None,
            "@invalid",
            NEW_PARKING,
            400,
            id="055_03_03",
        ),
        pytest.param(None, "brandName", NEW_PARKING, 404, id="055_03_04"),
        pytest.param(
            None,
            "scope",
            {"scope": "/Company123/UnitA"},
            400,
            id="055_03_05",
        ),
    ],
)
def test_055_03_replace_an_attribute_with_faulty_data(suite, target, name, attribute, status):
    entity_id = suite.created(ld(vehicle(car(), **MULTI)))
    got = suite.request(
        "PUT",
        f"/entities/{target or entity_id}/attrs/{name}",
        body=attribute,
        content_type=JSON,
        context=SUITE_CONTEXT,
    )
    assert got.status_code == status, got.text
