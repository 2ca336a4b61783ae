"""ETSI TP/NGSI-LD/CommonBehaviours/CommonResponses 045 (Accept), 049 (406) and 636 (GeoJSON and
Prefer): which representation answers, and where its @context goes (clauses 6.3.4, 6.3.6)."""

from __future__ import annotations

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, gap, problem, random_id
from tests.context.conformance.samples import GEO, JSON, LD, ld, point, simple_attributes


@pytest.fixture(scope="module")
def building_id(suite) -> str:
    entity_id = random_id()
    response = suite.create(ld(simple_attributes(entity_id)))
    assert response.status_code == 201, response.text
    return entity_id


def media(response) -> str:
    assert response.status_code == 200, response.text
    return response.headers["content-type"].split(";")[0]


def test_045_01_01_any_media_type_answers_json_with_a_link(suite, building_id):
    got = suite.retrieve(building_id, accept="*/*", context=SUITE_CONTEXT)
    assert media(got) == JSON
    assert SUITE_CONTEXT in got.headers["link"]


def test_045_01_02_a_subscription_answers_json_with_a_link(suite, subscription_id):
    got = suite.request("GET", f"/subscriptions/{subscription_id}", accept="*/*")
    assert media(got) == JSON
    assert got.headers["link"]


def test_045_01_04_a_temporal_query_answers_json_with_a_link(suite, building_id):
    params = {"type": "Vehicle", "timerel": "after", "timeAt": "2020-08-01T12:05:00Z"}
    got = suite.request(
        "GET", "/temporal/entities", accept="*/*", context=SUITE_CONTEXT, params=params
    )
    assert media(got) == JSON
    assert got.headers["link"]


ENTITY_ACCEPTS = [
    ("application/ld+json, application/json", JSON),  # 045_02_01: the 6.3.4 list order
    ("application/geo+json, application/json", JSON),  # 045_02_02
    ("application/json;q=0.1, application/ld+json;q=0.9", LD),  # 045_02_03: weights win
    ("application/ld+json", LD),  # 045_02_04
    ("application/json;q=0, */*", LD),  # 045_04_01: the exact range is the more specific
    ("application/json;q=0, application/ld+json", LD),  # 045_04_02
    ("*/*;q=0.9, application/ld+json;q=0.8", JSON),  # 045_04_03
    ("application/ld+json;q=notanumber", LD),  # 045_04_04: a malformed weight is ignored
    ("application/*", JSON),
    ("application/geo+json", GEO),
]


@pytest.mark.parametrize(("accept", "expected"), ENTITY_ACCEPTS)
def test_045_02_and_045_04_accept_selects_the_entity_representation(
    suite, building_id, accept, expected
):
    assert media(suite.retrieve(building_id, accept=accept)) == expected


SUBSCRIPTION_ACCEPTS = [
    ("application/geo+json, application/json", JSON),  # 045_03_01: geo+json is not offered
    ("application/geo+json;q=0.9, application/ld+json;q=0.1", LD),  # 045_03_02
    ("*/*", JSON),  # 045_03_03
    ("application/json;q=0, application/ld+json", LD),  # 045_03_04
]


@pytest.mark.parametrize(("accept", "expected"), SUBSCRIPTION_ACCEPTS)
def test_045_03_accept_selects_among_the_representations_offered(
    suite, subscription_id, accept, expected
):
    got = suite.request("GET", f"/subscriptions/{subscription_id}", accept=accept)
    assert media(got) == expected


def test_049_01_01_xml_is_not_acceptable_for_an_entity(suite):
    assert suite.retrieve(random_id(), accept="application/xml").status_code == 406


def test_049_01_02_xml_is_not_acceptable_for_a_subscription(suite):
    got = suite.request(
        "GET", "/subscriptions/urn:ngsi-ld:Subscription:x", accept="application/xml"
    )
    assert got.status_code == 406


@pytest.mark.parametrize("accept", ["application/xml", GEO])
def test_049_01_05_and_049_02_02_a_temporal_query_is_not_geojson_or_xml(suite, accept):
    params = {"type": "Vehicle", "timerel": "after", "timeAt": "2020-08-01T12:05:00Z"}
    got = suite.request("GET", "/temporal/entities", accept=accept, params=params)
    assert got.status_code == 406


def test_049_02_01_a_subscription_is_not_geojson(suite):
    got = suite.request("GET", "/subscriptions/urn:ngsi-ld:Subscription:x", accept=GEO)
    assert got.status_code == 406


def test_the_406_is_problem_details(suite):
    problem(suite.retrieve(random_id(), accept="text/html"), 406, "InvalidRequest")


@pytest.fixture(scope="module")
def vehicle_id(suite) -> str:
    entity_id = random_id("urn:ngsi-ld:Vehicle:")
    body = {"id": entity_id, "type": "Vehicle", "location": point(8.5, 41.2)}
    assert suite.create(body, JSON).status_code == 201
    return entity_id


def test_636_01_01_geojson_carries_the_context_in_the_body(suite, vehicle_id):
    got = suite.query(accept=GEO, params={"type": "Vehicle"})
    assert media(got) == GEO
    body = got.json()
    assert "@context" in body
    assert vehicle_id in [feature["id"] for feature in body["features"]]


def test_636_01_02_prefer_body_json_moves_the_context_to_the_link_header(suite, vehicle_id):
    got = suite.client.get(
        "/ngsi-ld/v1/entities",
        params={"type": "Vehicle"},
        headers={"Accept": GEO, "Prefer": "body=json"},
    )
    assert media(got) == GEO
    assert "@context" not in got.json()
    assert "ngsi-ld-core-context" in got.headers["link"]


def test_636_01_02_prefer_body_json_on_a_retrieved_feature(suite, vehicle_id):
    got = suite.client.get(
        f"/ngsi-ld/v1/entities/{vehicle_id}", headers={"Accept": GEO, "Prefer": "body=json"}
    )
    assert media(got) == GEO
    assert "@context" not in got.json()
    assert got.headers["link"]


def test_636_01_03_a_204_has_no_content_length(suite):
    entity_id = random_id("urn:ngsi-ld:Vehicle:")
    assert suite.create({"id": entity_id, "type": "Vehicle"}, JSON).status_code == 201
    deleted = suite.request("DELETE", f"/entities/{entity_id}")
    assert deleted.status_code == 204
    assert "content-length" not in deleted.headers


NO_REGISTRATIONS = "no context source registrations (/csourceRegistrations, csourceSubscriptions)"


@pytest.mark.parametrize(
    ("path", "accept", "status"),
    [
        pytest.param(
            "/csourceRegistrations/", "*/*", 200, marks=gap(f"045_01_03: {NO_REGISTRATIONS}")
        ),
        pytest.param(
            "/csourceRegistrations/",
            "application/xml",
            406,
            marks=gap(f"049_01_03: {NO_REGISTRATIONS}"),
        ),
        pytest.param(
            "/csourceSubscriptions/",
            "application/xml",
            406,
            marks=gap(f"049_01_04: {NO_REGISTRATIONS}"),
        ),
        pytest.param(
            "/csourceRegistrations/", GEO, 406, marks=gap(f"049_02_03: {NO_REGISTRATIONS}")
        ),
    ],
)
def test_045_01_03_and_049_registrations_negotiate_too(suite, path, accept, status):
    got = suite.request("GET", path, accept=accept, params={"type": "Building"})
    assert got.status_code == status
