"""ETSI TP/NGSI-LD/CommonBehaviours/CommonResponses 044 (merge-patch+json), 046 (411), 048 (415)
and 059 (undefined query parameters): what a request must carry (clauses 6.3.2, 6.3.4, 6.3.20)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.context.conformance.common.conftest import random_tenant, subscription
from tests.context.conformance.conftest import (
    BASE,
    SUITE_CONTEXT,
    problem,
    random_id,
    with_id,
)
from tests.context.conformance.samples import JSON, LD, building, ld, simple_vehicle

MERGE_PATCH = "application/merge-patch+json"
XML = "application/xml"


@pytest.fixture
def vehicle_id(suite) -> str:
    return suite.created(ld(simple_vehicle(random_id("urn:ngsi-ld:Vehicle:"))))


def test_044_01_01_an_attribute_patch_may_be_merge_patch_json(suite, vehicle_id):
    patched = suite.request(
        "PATCH",
        f"/entities/{vehicle_id}/attrs/brandName",
        body={"value": "BMW"},
        content_type=MERGE_PATCH,
        context=SUITE_CONTEXT,
    )
    assert patched.status_code == 204, patched.text
    got = suite.retrieve(vehicle_id, context=SUITE_CONTEXT)
    assert got.json()["brandName"]["value"] == "BMW"


def test_044_02_01_a_subscription_patch_may_be_merge_patch_json(suite, subscription_id):
    patched = suite.request(
        "PATCH",
        f"/subscriptions/{subscription_id}",
        body={"type": "Subscription", "entities": [{"type": "Vehicle"}]},
        content_type=MERGE_PATCH,
        context=SUITE_CONTEXT,
    )
    assert patched.status_code == 204, patched.text
    got = suite.request("GET", f"/subscriptions/{subscription_id}", context=SUITE_CONTEXT)
    assert got.json()["entities"] == [{"type": "Vehicle"}]


def test_merge_patch_json_is_for_patch_only(suite):
    created = suite.create(building(random_id()), MERGE_PATCH)
    problem(created, 415, "InvalidRequest")


def _chunks() -> Iterator[bytes]:
    yield b'{"id": "urn:ngsi-ld:Building:411-01", "type": "Building"}'


def without_length(suite, method: str, path: str, **headers: str):
    """A body sent chunked, so without Content-Length."""
    return suite.client.request(
        method,
        BASE + path,
        content=_chunks(),
        headers={"Content-Type": JSON, **headers},
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/entities/"),  # 046_01_01
        ("PATCH", "/entities/urn:ngsi-ld:Building:411-01/attrs/"),  # 046_01_02
        ("PUT", "/entities/urn:ngsi-ld:Building:411-01"),  # 046_01_03
    ],
)
def test_046_01_a_body_without_content_length_is_a_bare_411(suite, method, path):
    response = without_length(suite, method, path)
    assert response.status_code == 411
    assert response.content == b""


def test_046_01_04_a_get_needs_no_content_length(suite):
    assert suite.query(params={"type": "Building"}).status_code == 200


def test_046_01_05_the_411_comes_before_the_tenant_is_looked_up(suite):
    tenant = random_tenant("tp46105")
    response = without_length(suite, "POST", "/entities/", **{"NGSILD-Tenant": tenant})
    assert response.status_code == 411
    assert response.content == b""


def test_048_01_01_an_xml_attribute_patch_is_415(suite):
    patched = suite.request(
        "PATCH",
        f"/entities/{random_id('urn:ngsi-ld:Vehicle:')}/attrs/speed",
        raw=b"<value>BMW</value>",
        content_type=XML,
    )
    problem(patched, 415, "InvalidRequest")


def test_048_01_02_an_xml_subscription_patch_is_415(suite):
    patched = suite.request(
        "PATCH", "/subscriptions/urn:ngsi-ld:Subscription:x", raw=b"<a/>", content_type=XML
    )
    problem(patched, 415, "InvalidRequest")


def test_048_01_03_an_xml_entity_is_415(suite):
    problem(suite.create(ld(building(random_id())), XML), 415, "InvalidRequest")


def test_048_01_04_an_xml_subscription_is_415(suite):
    sid = "urn:ngsi-ld:Subscription:" + random_id("")
    created = suite.request("POST", "/subscriptions", body=subscription(sid), content_type=XML)
    problem(created, 415, "InvalidRequest")


def test_048_01_05_an_xml_batch_is_415(suite):
    entities = [ld(building(random_id())), ld(building(random_id()))]
    problem(suite.batch("create", entities, content_type=XML), 415, "InvalidRequest")


def test_048_01_06_an_xml_temporal_entity_is_415(suite):
    entity = ld({"id": random_id("urn:ngsi-ld:Vehicle:"), "type": "Vehicle"})
    created = suite.request("POST", "/temporal/entities/", body=entity, content_type=XML)
    problem(created, 415, "InvalidRequest")


MINIMAL = with_id({"type": "Building"}, "urn:ngsi-ld:Building:059")


@pytest.mark.parametrize(
    ("method", "path", "body", "params"),
    [
        ("POST", "/entities", MINIMAL, {}),  # 059_01_01
        ("GET", "/entities", None, {"type": "Building"}),  # 059_01_02
        ("POST", "/temporal/entities", MINIMAL, {}),  # 059_01_03
        ("GET", "/temporal/entities", None, {"type": "Building"}),  # 059_01_04
        ("GET", "/types", None, {}),  # 059_01_05
        ("POST", "/subscriptions", subscription("urn:ngsi-ld:Subscription:059"), {}),  # 059_01_06
        ("GET", "/subscriptions", None, {}),  # 059_01_07
        pytest.param("DELETE", "/entities", None, {}, id="059_01_08"),
    ],
)
def test_059_01_an_undefined_query_parameter_is_invalid_request(suite, method, path, body, params):
    """The suite sends its payload file as a JSON string: the parameter is refused first."""
    raw = None if body is None else f'"{body}"'.encode()
    response = suite.request(
        method,
        path,
        raw=raw,
        content_type=LD,
        params={"invalidParams": "invalidValue", **params},
    )
    problem(response, 400, "InvalidRequest")
