"""Discovery of entity types and attributes (clauses 5.7.5–5.7.10, 6.25–6.28), on both backends."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from smartcity.context import discovery, service
from smartcity.context.errors import ResourceNotFound
from smartcity.context.jsonld import ContextResolver, link_header
from smartcity.core.clock import FixedClock
from smartcity.security import service as security

EX = "https://example.org/city#"
VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"
CORE = "https://uri.etsi.org/ngsi-ld/"
BUILDING, VEHICLE, KIOSK = EX + "Building", VOCAB + "Vehicle", EX + "Kiosk"
NAME, OPEN_STATE, TEMPERATURE = EX + "name", EX + "openState", EX + "temperature"
SPEED = VOCAB + "speed"
USER_CONTEXT = "https://contexts.smartcity.test/city.jsonld"
TERMS = {"Building": BUILDING, "Kiosk": KIOSK, "name": NAME}
TERMS.update(openState=OPEN_STATE, temperature=TEMPERATURE)
TYPES, ATTRIBUTES = "/ngsi-ld/v1/types", "/ngsi-ld/v1/attributes"
PROBLEM = "https://uri.etsi.org/ngsi-ld/errors/"


def prop(value: Any, **members: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value, **members}


def rel(target: str) -> dict[str, Any]:
    return {"type": "Relationship", "object": target}


def create(session, tenant_id: int, clock: FixedClock, entity_id: str, kind: Any, attrs=None):
    """An entity in the stored form, created through the service layer."""
    entity = {"id": f"urn:ngsi-ld:{entity_id}", "type": kind, **(attrs or {})}
    service.create_entity(session, tenant_id, entity, clock.now())


def suzhou(session) -> int:
    return security.get_tenant(session, slug="suzhou").id


@pytest.fixture
def city(session, tenant_id, clock) -> None:
    """Two buildings, a vehicle, an attribute-less kiosk; one suzhou entity of its own type."""
    building = {
        NAME: prop("Jin Mao"),
        OPEN_STATE: prop("open"),
        TEMPERATURE: [prop(21.5), prop(22.0, datasetId="urn:ngsi-ld:Dataset:roof")],
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [121, 31]}},
    }
    create(session, tenant_id, clock, "Building:1", BUILDING, building)
    create(session, tenant_id, clock, "Building:2", BUILDING, {NAME: prop("Shanghai Tower")})
    vehicle = {SPEED: prop(40), OPEN_STATE: rel("urn:ngsi-ld:Building:1")}
    create(session, tenant_id, clock, "Vehicle:1", VEHICLE, vehicle)
    create(session, tenant_id, clock, "Kiosk:1", KIOSK)
    create(session, suzhou(session), clock, "Canal:1", EX + "Canal", {EX + "depth": prop(3)})


@pytest.fixture
def user_context(platform) -> dict[str, str]:
    """A user @context served from an allowed host (no network: a mock transport)."""
    document = {"@context": TERMS}

    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=document, headers={"Content-Type": "application/ld+json"})

    platform.contexts.close()
    platform.contexts = ContextResolver(
        allowed_hosts=["contexts.smartcity.test"], transport=httpx.MockTransport(serve)
    )
    return {"Link": link_header(USER_CONTEXT)}


@pytest.fixture
def reader(auth_headers) -> dict[str, str]:
    return auth_headers("analyst")


def problem(response: httpx.Response, status: int, kind: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["type"] == PROBLEM + kind


# The service: stored names in, stored names out.


def test_type_info_counts_entities_and_collects_each_attributes_types(session, tenant_id, city):
    info = discovery.entity_type_info(session, tenant_id, BUILDING)
    assert info.entity_count == 2
    assert info.attributes == {
        NAME: ["Property"],
        OPEN_STATE: ["Property"],
        TEMPERATURE: ["Property"],
        "location": ["GeoProperty"],
    }


def test_an_entity_with_two_types_counts_for_both(session, tenant_id, clock, city):
    create(session, tenant_id, clock, "Depot:1", [BUILDING, VEHICLE], {SPEED: rel("urn:x:1")})
    assert discovery.entity_type_info(session, tenant_id, BUILDING).entity_count == 3
    assert discovery.entity_type_info(session, tenant_id, BUILDING).attributes[SPEED] == [
        "Relationship"
    ]
    assert discovery.entity_type_info(session, tenant_id, VEHICLE).entity_count == 2


def test_attribute_info_counts_every_instance_of_a_multi_attribute(session, tenant_id, city):
    temperature = discovery.attribute_info(session, tenant_id, TEMPERATURE)
    assert (temperature.attribute_count, temperature.type_names) == (2, [BUILDING])
    open_state = discovery.attribute_info(session, tenant_id, OPEN_STATE)
    assert open_state.attribute_count == 2
    assert open_state.attribute_types == ["Property", "Relationship"]
    assert open_state.type_names == [BUILDING, VEHICLE]


def test_tenants_see_only_their_own_types_and_attributes(session, tenant_id, city):
    assert discovery.entity_types(session, tenant_id) == sorted([BUILDING, KIOSK, VEHICLE])
    assert discovery.entity_types(session, suzhou(session)) == [EX + "Canal"]
    assert EX + "depth" not in discovery.attribute_names(session, tenant_id)
    with pytest.raises(ResourceNotFound):
        discovery.entity_type_info(session, suzhou(session), BUILDING)
    with pytest.raises(ResourceNotFound):
        discovery.attribute_info(session, suzhou(session), NAME)


def test_a_deleted_entity_takes_its_type_and_attributes_along(session, tenant_id, clock, city):
    service.delete_entity(session, tenant_id, "urn:ngsi-ld:Vehicle:1")
    assert VEHICLE not in discovery.entity_types(session, tenant_id)
    assert SPEED not in discovery.attribute_names(session, tenant_id)
    assert discovery.attribute_info(session, tenant_id, OPEN_STATE).attribute_types == ["Property"]


# The HTTP binding.


def test_types_without_context_are_full_iris_or_names_under_the_default_vocab(client, reader, city):
    response = client.get(TYPES, headers=reader)
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "EntityTypeList"
    assert body["id"].startswith("urn:ngsi-ld:EntityTypeList:")
    assert sorted(body["typeList"]) == sorted([BUILDING, KIOSK, "Vehicle"])
    assert "ngsi-ld-core-context" in response.headers["link"]


def test_types_are_compacted_with_the_link_header_context(client, reader, user_context, city):
    response = client.get(TYPES + "/", headers={**reader, **user_context})  # as the ETSI suite
    assert response.status_code == 200
    assert sorted(response.json()["typeList"]) == ["Building", "Kiosk", "Vehicle"]
    assert USER_CONTEXT in response.headers["link"]


def test_type_details_list_attribute_names_per_type(client, reader, user_context, city):
    response = client.get(TYPES, params={"details": "true"}, headers={**reader, **user_context})
    assert response.status_code == 200
    by_id = {item["id"]: item for item in response.json()}
    assert set(by_id) == {BUILDING, KIOSK, VEHICLE}
    assert by_id[BUILDING] == {
        "id": BUILDING,
        "type": "EntityType",
        "typeName": "Building",
        "attributeNames": ["location", "name", "openState", "temperature"],
    }
    assert by_id[VEHICLE]["attributeNames"] == ["openState", "speed"]
    assert by_id[KIOSK]["attributeNames"] == []


@pytest.mark.parametrize("name", ["Building", quote(BUILDING, safe="")])
def test_type_information_by_short_name_or_full_iri(client, reader, user_context, city, name):
    response = client.get(f"{TYPES}/{name}", headers={**reader, **user_context})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["type"], body["typeName"]) == (BUILDING, "EntityTypeInfo", "Building")
    assert body["entityCount"] == 2
    details = {d["attributeName"]: d for d in body["attributeDetails"]}
    assert details["location"] == {
        "id": CORE + "location",
        "type": "Attribute",
        "attributeName": "location",
        "attributeTypes": ["GeoProperty"],
    }
    assert details["temperature"]["id"] == TEMPERATURE
    assert set(details) == {"location", "name", "openState", "temperature"}


def test_a_short_name_the_context_does_not_define_is_not_found(client, reader, city):
    problem(client.get(f"{TYPES}/Building", headers=reader), 404, "ResourceNotFound")
    problem(client.get(f"{ATTRIBUTES}/name", headers=reader), 404, "ResourceNotFound")


def test_attribute_list_and_details(client, reader, user_context, city):
    headers = {**reader, **user_context}
    listed = client.get(ATTRIBUTES, params={"details": "false"}, headers=headers).json()
    assert listed["type"] == "AttributeList"
    assert listed["id"].startswith("urn:ngsi-ld:AttributeList:")
    assert sorted(listed["attributeList"]) == [
        "location",
        "name",
        "openState",
        "speed",
        "temperature",
    ]
    details = client.get(ATTRIBUTES, params={"details": "true"}, headers=headers).json()
    open_state = next(d for d in details if d["id"] == OPEN_STATE)
    assert open_state == {  # clause 5.7.9: id, type, attributeName and typeNames only
        "id": OPEN_STATE,
        "type": "Attribute",
        "attributeName": "openState",
        "typeNames": ["Building", "Vehicle"],
    }


def test_attribute_information(client, reader, user_context, city):
    response = client.get(f"{ATTRIBUTES}/openState", headers={**reader, **user_context})
    assert response.status_code == 200
    assert response.json() == {
        "id": OPEN_STATE,
        "type": "Attribute",
        "attributeName": "openState",
        "attributeCount": 2,
        "attributeTypes": ["Property", "Relationship"],
        "typeNames": ["Building", "Vehicle"],
    }
    speed = client.get(f"{ATTRIBUTES}/speed", headers=reader).json()  # default vocab, no Link
    assert (speed["id"], speed["attributeName"], speed["typeNames"]) == (
        SPEED,
        "speed",
        ["Vehicle"],
    )
    location = client.get(f"{ATTRIBUTES}/{quote(CORE + 'location', safe='')}", headers=reader)
    assert location.json()["attributeName"] == "location"


def test_entity_members_are_not_attributes(client, reader, city):
    names = client.get(ATTRIBUTES, headers=reader).json()["attributeList"]
    assert not {"id", "type", "scope", "createdAt", "modifiedAt"} & set(names)
    problem(client.get(f"{ATTRIBUTES}/createdAt", headers=reader), 404, "ResourceNotFound")


def test_ld_json_answers_carry_the_context_in_the_body(client, reader, user_context, city):
    headers = {**reader, **user_context, "Accept": "application/ld+json"}
    single = client.get(f"{TYPES}/Building", headers=headers)
    assert single.headers["content-type"].startswith("application/ld+json")
    assert single.json()["@context"] == USER_CONTEXT
    assert "link" not in single.headers
    listed = client.get(ATTRIBUTES, params={"details": "true"}, headers=headers).json()
    assert listed and all(item["@context"] == USER_CONTEXT for item in listed)


def test_each_tenant_discovers_only_its_own_entities(client, auth_headers, city):
    theirs = auth_headers("analyst", "suzhou")
    assert client.get(TYPES, headers=theirs).json()["typeList"] == [EX + "Canal"]
    assert client.get(ATTRIBUTES, headers=theirs).json()["attributeList"] == [EX + "depth"]
    problem(
        client.get(f"{TYPES}/{quote(BUILDING, safe='')}", headers=theirs), 404, "ResourceNotFound"
    )


def test_an_empty_tenant_has_an_empty_type_list(client, reader):
    body = client.get(TYPES, headers=reader).json()
    assert (body["type"], body["typeList"]) == ("EntityTypeList", [])
    assert client.get(TYPES, params={"details": "true"}, headers=reader).json() == []


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (TYPES + "?details=yes", "BadRequestData"),
        (ATTRIBUTES + "?local=1", "BadRequestData"),
        (ATTRIBUTES + "?limit=5", "InvalidRequest"),
        (TYPES + "/Building?details=true", "InvalidRequest"),
        (TYPES + "/" + quote("Bad<Type>"), "BadRequestData"),
        (ATTRIBUTES + "/" + quote("a name"), "BadRequestData"),
    ],
)
def test_bad_requests_are_problem_details(client, reader, city, path, kind):
    problem(client.get(path, headers=reader), 400, kind)


def test_unacceptable_media_type_and_missing_permission_are_refused(client, auth_headers):
    refused = client.get(TYPES, headers={**auth_headers("analyst"), "Accept": "text/html"})
    assert refused.status_code == 406
    assert client.get(ATTRIBUTES, headers=auth_headers("citizen")).status_code == 403
