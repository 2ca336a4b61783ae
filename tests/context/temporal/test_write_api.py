"""Writing temporal evolutions over HTTP (clauses 5.6.11–5.6.16, 6.18–6.22)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.temporal.conftest import BASE, TEMPORAL, Ngsi, vehicle

ENTITY = TEMPORAL + "/urn:ngsi-ld:Vehicle:A"
PROBLEM = "https://uri.etsi.org/ngsi-ld/errors/"


def speed_of(ngsi: Ngsi, path: str = ENTITY) -> list[dict[str, Any]]:
    response = ngsi.get(path)
    assert response.status_code == 200, response.text
    return response.json().get("speed", [])


def values(instances: list[dict[str, Any]]) -> list[tuple[Any, str]]:
    return [(i["value"], i["observedAt"]) for i in instances]


def test_creating_a_temporal_entity_answers_201_with_its_location(ngsi: Ngsi) -> None:
    response = ngsi.post(TEMPORAL, json=vehicle())
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/temporal/entities/urn:ngsi-ld:Vehicle:A")
    assert values(speed_of(ngsi)) == [
        (120, "2020-08-01T12:03:00Z"),
        (80, "2020-08-01T12:05:00Z"),
        (100, "2020-08-01T12:07:00Z"),
    ]


def test_the_entity_api_shows_the_latest_observed_instance(ngsi: Ngsi, created: Any) -> None:
    current = ngsi.get(BASE + "/entities/urn:ngsi-ld:Vehicle:A").json()
    assert current["speed"] == {
        "type": "Property",
        "value": 100,
        "observedAt": "2020-08-01T12:07:00Z",
    }
    assert current["fuelLevel"]["value"] == 40


def test_posting_again_adds_instances_and_replaces_same_instant_ones(
    ngsi: Ngsi, created: Any
) -> None:
    update = {
        "id": "urn:ngsi-ld:Vehicle:A",
        "type": ["Vehicle", "Truck"],
        "speed": [
            {"type": "Property", "value": 121, "observedAt": "2020-08-01T12:03:00.000Z"},
            {"type": "Property", "value": 90, "observedAt": "2020-08-01T12:09:00Z"},
        ],
    }
    response = ngsi.post(TEMPORAL, json=update)
    assert response.status_code == 204
    assert values(speed_of(ngsi)) == [
        (121, "2020-08-01T12:03:00Z"),
        (80, "2020-08-01T12:05:00Z"),
        (100, "2020-08-01T12:07:00Z"),
        (90, "2020-08-01T12:09:00Z"),
    ]
    assert sorted(ngsi.get(ENTITY).json()["type"]) == ["Truck", "Vehicle"]


def test_instances_of_another_dataset_are_kept_apart(ngsi: Ngsi) -> None:
    entity = vehicle()
    entity["speed"].append(
        {
            "type": "Property",
            "value": 60,
            "observedAt": "2020-08-01T12:05:00Z",
            "datasetId": "urn:ngsi-ld:Dataset:gps",
        }
    )
    ngsi.post(TEMPORAL, json=entity)
    speeds = speed_of(ngsi)
    assert len(speeds) == 4
    assert [i.get("datasetId") for i in speeds][-1] == "urn:ngsi-ld:Dataset:gps"


def test_names_are_expanded_with_the_body_context(ngsi: Ngsi) -> None:
    entity = {**vehicle(), "@context": {"speed": "https://example.org/speed"}}
    response = ngsi.post(TEMPORAL, json=entity, headers={"Content-Type": "application/ld+json"})
    assert response.status_code == 201
    shown = ngsi.get(ENTITY).json()  # read with the core context only
    assert "https://example.org/speed" in shown
    assert "fuelLevel" in shown


@pytest.mark.parametrize(
    "entity",
    [
        {k: v for k, v in vehicle().items() if k != "id"},
        vehicle("invalidId"),
        vehicle(speed=[{"type": "Property", "value": 1}]),  # no observedAt
        vehicle(speed=[{"type": "Property", "value": 1, "observedAt": "noon"}]),
        vehicle(speed=[]),
        {**vehicle(), "expiresAt": "urn:ngsi-ld:null"},
    ],
)
def test_a_bad_temporal_entity_is_bad_request_data_and_stores_nothing(
    ngsi: Ngsi, entity: dict[str, Any]
) -> None:
    response = ngsi.post(TEMPORAL, json=entity)
    assert response.status_code == 400
    assert response.json()["type"] == PROBLEM + "BadRequestData"
    assert ngsi.get(ENTITY).status_code in (400, 404)


def test_malformed_json_is_an_invalid_request(ngsi: Ngsi) -> None:
    response = ngsi.post(
        TEMPORAL, content=b'{"id": "urn:x:1",', headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code == 400
    assert response.json()["type"] == PROBLEM + "InvalidRequest"


def test_adding_attributes_answers_204_and_keeps_the_others(ngsi: Ngsi, created: Any) -> None:
    fragment = {
        "heading": [
            {"type": "Property", "value": 10, "observedAt": "2020-08-01T12:03:00Z"},
            {"type": "Property", "value": 20, "observedAt": "2020-08-01T12:05:00Z"},
        ]
    }
    response = ngsi.post(ENTITY + "/attrs", json=fragment)
    assert response.status_code == 204
    shown = ngsi.get(ENTITY).json()
    assert [i["value"] for i in shown["heading"]] == [10, 20]
    assert len(shown["speed"]) == 3


def test_adding_attributes_to_an_unknown_entity_is_not_found(ngsi: Ngsi) -> None:
    fragment = {"heading": [{"type": "Property", "value": 1, "observedAt": "2020-08-01T12:03:00Z"}]}
    response = ngsi.post(TEMPORAL + "/urn:ngsi-ld:Vehicle:nope/attrs", json=fragment)
    assert response.status_code == 404
    assert response.json()["type"] == PROBLEM + "ResourceNotFound"


@pytest.mark.parametrize("path", [TEMPORAL + "/invalidId/attrs", TEMPORAL + "//attrs"])
def test_adding_attributes_needs_a_valid_entity_id(ngsi: Ngsi, created: Any, path: str) -> None:
    fragment = {"heading": [{"type": "Property", "value": 1, "observedAt": "2020-08-01T12:03:00Z"}]}
    assert ngsi.post(path, json=fragment).status_code == 400


def test_deleting_a_temporal_entity_removes_it_and_its_history(ngsi: Ngsi, created: Any) -> None:
    assert ngsi.delete(ENTITY).status_code == 204
    assert ngsi.get(ENTITY).status_code == 404
    assert ngsi.get(BASE + "/entities/urn:ngsi-ld:Vehicle:A").status_code == 404
    ngsi.post(TEMPORAL, json=vehicle(speed=[vehicle()["speed"][0]]))
    assert len(speed_of(ngsi)) == 1  # nothing of the old history came back


def test_deleting_an_unknown_temporal_entity_is_not_found(ngsi: Ngsi) -> None:
    response = ngsi.delete(TEMPORAL + "/urn:ngsi-ld:Vehicle:nope")
    assert response.status_code == 404
    assert response.json()["type"] == PROBLEM + "ResourceNotFound"


def _with_fuel_dataset(ngsi: Ngsi) -> None:
    entity = vehicle()
    entity["fuelLevel"].append(
        {
            "type": "Property",
            "value": 40,
            "observedAt": "2020-08-01T14:07:00Z",
            "datasetId": "urn:ngsi-ld:Vehicle:12345-fuel",
        }
    )
    assert ngsi.post(TEMPORAL, json=entity).status_code == 201


@pytest.mark.parametrize(
    ("query", "left"),
    [
        ({}, [("urn:ngsi-ld:Vehicle:12345-fuel", 40)]),
        ({"datasetId": "urn:ngsi-ld:Vehicle:12345-fuel"}, [(None, 67), (None, 53), (None, 40)]),
        ({"deleteAll": "true"}, []),
    ],
)
def test_deleting_an_attribute_removes_the_instances_asked_for(
    ngsi: Ngsi, query: dict[str, str], left: list[tuple[str | None, int]]
) -> None:
    _with_fuel_dataset(ngsi)
    assert ngsi.delete(ENTITY + "/attrs/fuelLevel", params=query).status_code == 204
    fuel = ngsi.get(ENTITY).json().get("fuelLevel", [])
    assert [(i.get("datasetId"), i["value"]) for i in fuel] == left


def test_deleting_a_missing_attribute_is_not_found(ngsi: Ngsi, created: Any) -> None:
    response = ngsi.delete(ENTITY + "/attrs/notExistingAttribute")
    assert response.status_code == 404
    assert response.json()["type"] == PROBLEM + "ResourceNotFound"


@pytest.mark.parametrize(
    "path",
    [
        TEMPORAL + "//attrs/speed",
        TEMPORAL + "/invalidId/attrs/speed",
        ENTITY + "/attrs/invalid(Name",
        ENTITY + "/attrs/%2e%2e",
        ENTITY + "/attrs/%252e%252e",
    ],
)
def test_deleting_an_attribute_with_a_bad_path_is_bad_request_data(
    ngsi: Ngsi, created: Any, path: str
) -> None:
    response = ngsi.delete(path)
    assert response.status_code == 400
    assert response.json()["type"] == PROBLEM + "BadRequestData"
    assert len(speed_of(ngsi)) == 3


def test_modifying_an_instance_keeps_its_instance_id(ngsi: Ngsi, created: Any) -> None:
    first = speed_of(ngsi)[0]
    fragment = {"type": "Property", "value": 129, "observedAt": "2020-08-01T12:03:00Z"}
    response = ngsi.patch(ENTITY + "/attrs/speed/" + first["instanceId"], json=fragment)
    assert response.status_code == 204
    after = speed_of(ngsi)[0]
    assert (after["instanceId"], after["value"]) == (first["instanceId"], 129)


def test_modifying_the_latest_instance_moves_the_current_value(ngsi: Ngsi, created: Any) -> None:
    last = speed_of(ngsi)[-1]
    ngsi.patch(ENTITY + "/attrs/speed/" + last["instanceId"], json={"value": 7})
    assert ngsi.get(BASE + "/entities/urn:ngsi-ld:Vehicle:A").json()["speed"]["value"] == 7


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (TEMPORAL + "/urn:ngsi-ld:Vehicle:nope/attrs/speed/{iid}", 404),
        (ENTITY + "/attrs/speed2/{iid}", 404),
        (ENTITY + "/attrs/speed/urn:ngsi-ld:01234567890123456789", 404),
        (TEMPORAL + "/invalidId/attrs/speed/{iid}", 400),
        (TEMPORAL + "//attrs/speed/{iid}", 400),
        (ENTITY + "/attrs/speed/invalidId", 400),
        (ENTITY + "/attrs/invalid(Id/{iid}", 400),
    ],
)
def test_modifying_a_wrong_instance(ngsi: Ngsi, created: Any, path: str, status: int) -> None:
    iid = speed_of(ngsi)[0]["instanceId"]
    response = ngsi.patch(path.format(iid=iid), json={"type": "Property", "value": 1})
    assert response.status_code == status
    assert values(speed_of(ngsi))[0] == (120, "2020-08-01T12:03:00Z")


def test_an_instance_cannot_change_its_attribute_type(ngsi: Ngsi, created: Any) -> None:
    iid = speed_of(ngsi)[0]["instanceId"]
    fragment = {"type": "Relationship", "object": "urn:ngsi-ld:Thing:1"}
    assert ngsi.patch(ENTITY + "/attrs/speed/" + iid, json=fragment).status_code == 400


def test_deleting_an_instance_removes_only_it(ngsi: Ngsi, created: Any) -> None:
    iid = speed_of(ngsi)[1]["instanceId"]
    assert ngsi.delete(ENTITY + "/attrs/speed/" + iid).status_code == 204
    assert [i["value"] for i in speed_of(ngsi)] == [120, 100]
    assert ngsi.delete(ENTITY + "/attrs/speed/" + iid).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        TEMPORAL + "/invalidId/attrs/speed/{iid}",
        TEMPORAL + "//attrs/speed/{iid}",
        ENTITY + "/attrs/speed/invalidId",
        ENTITY + "/attrs/invalid(Name/{iid}",
        ENTITY + "/attrs//{iid}",
    ],
)
def test_deleting_a_wrongly_named_instance_is_bad_request_data(
    ngsi: Ngsi, created: Any, path: str
) -> None:
    iid = speed_of(ngsi)[0]["instanceId"]
    assert ngsi.delete(path.format(iid=iid)).status_code == 400


def test_writing_needs_the_write_permission(client: Any, auth_headers: Any, created: Any) -> None:
    analyst = auth_headers("analyst")
    response = client.delete(ENTITY, headers=analyst)
    assert response.status_code == 403
    assert client.get(ENTITY, headers=analyst).status_code == 200
