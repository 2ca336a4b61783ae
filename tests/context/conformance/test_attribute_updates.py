"""ETSI UpdateEntityAttributes 011_xx and PartialAttributeUpdate 012_xx (clauses 5.6.2, 5.6.4,
5.5.8), with the Antares-extension checks 558_01 and 562_01."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, gap, problem, random_id, same
from tests.context.conformance.samples import (
    JSON,
    LD,
    building,
    ld,
    rel,
    sourced,
    speeding_vehicle,
    two_dataset_vehicle,
)
from tests.context.conformance.test_entity_ops import FOUR_KINDS, NULLS

GPS = "urn:ngsi-ld:Property:gpsBxyz123-speed"
PARKED_ID = "urn:ngsi-ld:Relationship:parked12345"
JOHN = rel("urn:ngsi-ld:Person:JohnDoe")


def update(suite, entity_id: str, fragment: dict[str, Any], content_type: str = LD, **kw: Any):
    body = ld(fragment) if content_type == LD else fragment
    return suite.request(
        "PATCH", f"/entities/{entity_id}/attrs/", body=body, content_type=content_type, **kw
    )


def partial(suite, entity_id: str, name: str, fragment: dict[str, Any], content_type: str = LD):
    body = ld(fragment) if content_type == LD else fragment
    return suite.request(
        "PATCH", f"/entities/{entity_id}/attrs/{name}", body=body, content_type=content_type
    )


def read(suite, entity_id: str, accept: str = LD) -> dict[str, Any]:
    return suite.retrieve(entity_id, context=SUITE_CONTEXT, accept=accept).json()


def changed(entity_id: str, **attrs: Any) -> dict[str, Any]:
    return {**two_dataset_vehicle(entity_id), **attrs}


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        pytest.param(
            {"speed": sourced(99, "Speedometer")},
            lambda i: changed(
                i, speed=[sourced(99, "Speedometer"), two_dataset_vehicle(i)["speed"][1]]
            ),
            id="011_01_01",
        ),
        pytest.param(
            {
                "isParked": {**two_dataset_vehicle("x")["isParked"], "providedBy": JOHN},
                "speed": sourced(99, "Speedometer", datasetId=GPS),
            },
            lambda i: changed(
                i,
                isParked={**two_dataset_vehicle(i)["isParked"], "providedBy": JOHN},
                speed=[
                    two_dataset_vehicle(i)["speed"][0],
                    sourced(99, "Speedometer", datasetId=GPS),
                ],
            ),
            id="011_01_02",
        ),
        pytest.param(
            {
                "isParked2": {**two_dataset_vehicle("x")["isParked"], "providedBy": JOHN},
                "speed": sourced(99, "Speedometer", datasetId=GPS),
            },
            lambda i: changed(
                i,
                isParked2={**two_dataset_vehicle(i)["isParked"], "providedBy": JOHN},
                speed=[
                    two_dataset_vehicle(i)["speed"][0],
                    sourced(99, "Speedometer", datasetId=GPS),
                ],
            ),
            id="011_01_03",
            marks=gap(
                "011_01_03: PATCH /attrs with a new attribute answers 207 and does not add it; the "
                "suite wants 204 and the attribute appended"
            ),
        ),
        pytest.param(
            {"brandName": rel("urn:ngsi-ld:Brand:01")},
            lambda i: changed(i, brandName=rel("urn:ngsi-ld:Brand:01")),
            id="011_01_04",
        ),
    ],
)
def test_011_01_update_attributes(suite, fragment, expected):
    entity_id = suite.created(ld(two_dataset_vehicle(random_id("urn:ngsi-ld:Vehicle:"))))
    got = update(suite, entity_id, fragment)
    assert got.status_code == 204 and got.content == b"", got.text
    same(expected(entity_id), read(suite, entity_id), ignore=("@context",))


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(
            "",
            id="011_02_01",
        ),
        pytest.param("thisisaninvaliduri", id="011_02_02"),
    ],
)
def test_011_02_update_a_faulty_id(suite, target):
    problem(update(suite, target, {"speed": sourced(99, "Speedometer")}), 400, "BadRequestData")


def test_011_03_update_an_unknown_entity(suite):
    got = update(suite, random_id("urn:ngsi-ld:Vehicle:"), {"speed": sourced(99, "Speedometer")})
    problem(got, 404, "ResourceNotFound")


def test_011_04_an_invalid_fragment_is_an_invalid_request(suite):
    entity_id = suite.created(ld(speeding_vehicle(random_id("urn:ngsi-ld:Vehicle:"))))
    raw = b'{"speed": {"type": "Property",, "value": 56}}'
    problem(
        suite.request("PATCH", f"/entities/{entity_id}/attrs/", raw=raw, content_type=LD),
        400,
        "InvalidRequest",
    )


@pytest.mark.parametrize(
    ("initial", "status", "scope"),
    [
        pytest.param(
            "/Madrid/Gardens/ParqueNorte",
            204,
            "/CompanyA/OrganizationB/UnitC",
            id="011_05_01",
        ),
        pytest.param(None, 207, None, id="011_05_02"),
    ],
)
def test_011_05_update_the_scope(suite, initial, status, scope):
    entity = building(random_id("urn:ngsi-ld:Vehicle:"), **({"scope": initial} if initial else {}))
    entity_id = suite.created(entity, JSON, context=SUITE_CONTEXT)
    got = update(suite, entity_id, {"scope": "/CompanyA/OrganizationB/UnitC"}, JSON)
    assert got.status_code == status, got.text
    same(building(entity_id, **({"scope": scope} if scope else {})), read(suite, entity_id, JSON))


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        pytest.param("Vehicle", ["Building", "Vehicle"], id="011_06_01"),
        pytest.param(["Vehicle", "Car"], ["Building", "Vehicle", "Car"], id="011_06_02"),
        pytest.param("Building", "Building", id="011_06_03"),
        pytest.param(["Vehicle", "Building"], ["Building", "Vehicle"], id="011_06_04"),
    ],
)
def test_011_06_update_adds_types(suite, types, expected):
    entity_id = suite.created(
        building(random_id("urn:ngsi-ld:Vehicle:")), JSON, context=SUITE_CONTEXT
    )
    got = update(suite, entity_id, {"type": types})
    assert got.status_code == 204, got.text
    body = read(suite, entity_id, JSON)
    assert (
        sorted(body["type"]) == sorted(expected)
        if isinstance(expected, list)
        else body["type"] == expected
    )


def instance(kind: str, dataset: str | None) -> dict[str, Any]:
    base = {**FOUR_KINDS[kind]}
    if kind == "location":
        base["value"] = {
            "type": "Point",
            "coordinates": [2.3514 if dataset == "01" else 2.2944, 48.8575],
        }
    return {**base, **({"datasetId": f"urn:ngsi-ld:Dataset:{dataset}"} if dataset else {})}


def null_of(kind: str, dataset: str | None) -> dict[str, Any]:
    return {**NULLS[kind], **({"datasetId": f"urn:ngsi-ld:Dataset:{dataset}"} if dataset else {})}


KINDS = ["name", "locatedAt", "location", "street"]
LAYOUTS = {  # instances at creation, the instance the null targets (011_07, 011_08, 011_09)
    "011_07-whole": ([None], None),
    "011_08-instance": (["01", "02"], "01"),
    "011_09-default": ([None, "02"], None),
}


def one_or_many(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else items


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("operation", ["011-update", "012-partial"])
def test_011_07_09_and_012_05_07_ngsi_ld_null_deletes(suite, operation, kind, layout):
    datasets, target = LAYOUTS[layout]
    attrs = {k: one_or_many([instance(k, d) for d in datasets]) for k in FOUR_KINDS}
    entity_id = suite.created(ld(building(random_id(), **attrs)))
    if operation == "011-update":
        got = update(suite, entity_id, {kind: null_of(kind, target)})
    else:
        got = partial(suite, entity_id, kind, null_of(kind, target))
    assert got.status_code == 204, got.text
    left = [instance(kind, d) for d in datasets if d != target]
    expected = (
        {**attrs, kind: one_or_many(left)}
        if left
        else {k: v for k, v in attrs.items() if k != kind}
    )
    same(ld(building(entity_id, **expected)), read(suite, entity_id))
