"""ETSI DeleteEntityAttribute 013_01–013_05 (clause 5.6.5): by default instance, datasetId and
deleteAll; missing or unknown ids; scope and observationSpace."""

from __future__ import annotations

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, random_id, same
from tests.context.conformance.samples import (
    JSON,
    building,
    ld,
    point,
    sourced,
    two_dataset_vehicle,
    vehicle,
)
from tests.context.conformance.test_attribute_changes import GPS, car, read

SPEEDS = [
    sourced(55, "Feeling"),
    sourced(57, "Speedometer", datasetId="urn:ngsi-ld:Dataset:speedometer"),
    sourced(54.5, "GPS", datasetId="urn:ngsi-ld:Dataset:gps"),
]


@pytest.mark.parametrize(
    ("params", "left"),
    [
        pytest.param({}, SPEEDS[1:], id="013_01_01"),
        pytest.param({"datasetId": "urn:ngsi-ld:Dataset:gps"}, SPEEDS[:2], id="013_01_02"),
        pytest.param({"deleteAll": "true"}, [], id="013_01_03"),
    ],
)
def test_013_01_delete_an_attribute(suite, params, left):
    entity_id = suite.created(ld(vehicle(car(), speed=SPEEDS)))
    got = suite.request(
        "DELETE",
        f"/entities/{entity_id}/attrs/speed",
        params={"deleteAll": "false", **params},
        content_type=JSON,
        context=SUITE_CONTEXT,
    )
    assert got.status_code == 204 and got.content == b"", got.text
    expected = vehicle(entity_id, **({"speed": left} if left else {}))
    same(expected, read(suite, entity_id), ignore=("@context",))


@pytest.mark.parametrize(
    ("target", "name", "status"),
    [
        pytest.param(
            "",
            "speed",
            400,
            id="013_02_01",
        ),
        pytest.param("thisIsAnInvalidURI", "speed", 400, id="013_02_02"),
        pytest.param(None, "", 405, id="013_02_03"),
    ],
)
def test_013_02_delete_with_missing_or_invalid_ids(suite, target, name, status):
    entity_id = suite.created(ld(two_dataset_vehicle(car())))
    got = suite.request(
        "DELETE",
        f"/entities/{entity_id if target is None else target}/attrs/{name}",
        params={"deleteAll": "false"},
        content_type=JSON,
    )
    assert got.status_code == status, got.text


@pytest.mark.parametrize(
    ("known", "name", "dataset"),
    [
        pytest.param(False, "speed", GPS, id="013_03_01"),
        pytest.param(True, "notFound", None, id="013_03_02"),
        pytest.param(True, "speed", "urn:ngsi-ld:Property:notFound", id="013_03_03"),
    ],
)
def test_013_03_delete_something_unknown(suite, known, name, dataset):
    entity_id = suite.created(ld(two_dataset_vehicle(car())))
    params = {"deleteAll": "false", **({"datasetId": dataset} if dataset else {})}
    got = suite.request(
        "DELETE",
        f"/entities/{entity_id if known else car()}/attrs/{name}",
        params=params,
        content_type=JSON,
    )
    assert got.status_code == 404, got.text


def test_013_04_delete_the_scope(suite):
    entity_id = suite.created(building(car(), scope="/Madrid/Gardens/ParqueNorte"), JSON)
    got = suite.request(
        "DELETE",
        f"/entities/{entity_id}/attrs/scope",
        params={"deleteAll": "false"},
        content_type=JSON,
    )
    assert got.status_code == 204, got.text
    same(building(entity_id), suite.retrieve(entity_id, accept=JSON).json())


def test_013_05_delete_an_observation_space(suite):
    entity_id = suite.created(ld(building(random_id(), observationSpace=point(13.3986, 52.5547))))
    got = suite.request(
        "DELETE",
        f"/entities/{entity_id}/attrs/observationSpace",
        params={"deleteAll": "false"},
        content_type=JSON,
    )
    assert got.status_code == 204, got.text
    same(building(entity_id), read(suite, entity_id, JSON))
