"""Retrieving one entity's temporal evolution over HTTP (clauses 5.7.3, 4.5.7, 4.5.9, 4.11, 6.19),
with the ETSI test suite's example vehicle."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select

from smartcity.context.models import AttributeInstance
from smartcity.security.models import Tenant
from tests.context.temporal.conftest import BASE, TEMPORAL, Ngsi, vehicle

ENTITY = TEMPORAL + "/urn:ngsi-ld:Vehicle:A"
PROBLEM = "https://uri.etsi.org/ngsi-ld/errors/"


def observed(instances: list[dict[str, Any]]) -> list[str]:
    return [i["observedAt"] for i in instances]


def test_retrieving_answers_every_instance_with_its_instance_id(ngsi: Ngsi, created: Any) -> None:
    response = ngsi.get(ENTITY)
    assert response.status_code == 200
    assert "ngsi-ld-core-context" in response.headers["Link"]
    body = response.json()
    assert (body["id"], body["type"]) == ("urn:ngsi-ld:Vehicle:A", "Vehicle")
    assert [i["value"] for i in body["fuelLevel"]] == [67, 53, 40]
    assert all(i["instanceId"].startswith("urn:ngsi-ld:") for i in body["speed"])


def test_retrieving_as_json_ld_puts_the_context_in_the_body(ngsi: Ngsi, created: Any) -> None:
    body = ngsi.get(ENTITY, headers={"Accept": "application/ld+json"}).json()
    assert "@context" in body


def test_temporal_values_are_value_and_time_pairs(ngsi: Ngsi, created: Any) -> None:
    body = ngsi.get(ENTITY, params={"options": "temporalValues"}).json()
    assert body["speed"] == {
        "type": "Property",
        "values": [
            [120, "2020-08-01T12:03:00Z"],
            [80, "2020-08-01T12:05:00Z"],
            [100, "2020-08-01T12:07:00Z"],
        ],
    }


def test_temporal_values_of_other_attribute_types(ngsi: Ngsi) -> None:
    at = "2020-08-01T12:03:00Z"
    entity = {
        "id": "urn:ngsi-ld:Vehicle:A",
        "type": "Vehicle",
        "isParkedIn": [{"type": "Relationship", "object": "urn:ngsi-ld:Park:1", "observedAt": at}],
        "street": [
            {"type": "LanguageProperty", "languageMap": {"fr": "Grand Place"}, "observedAt": at}
        ],
        "data": [{"type": "JsonProperty", "json": {"value": 120}, "observedAt": at}],
    }
    ngsi.post(TEMPORAL, json=entity)
    body = ngsi.get(ENTITY, params={"format": "temporalValues"}).json()
    assert body["isParkedIn"]["objects"] == [["urn:ngsi-ld:Park:1", at]]
    assert body["street"]["languageMaps"] == [[{"languageMap": {"fr": "Grand Place"}}, at]]
    assert body["data"]["jsons"] == [[{"json": {"value": 120}}, at]]


def test_each_dataset_has_its_own_simplified_series(ngsi: Ngsi) -> None:
    entity = vehicle()
    entity["speed"].append(
        {
            "type": "Property",
            "value": 60,
            "observedAt": "2020-08-01T12:05:00Z",
            "datasetId": "urn:d:gps",
        }
    )
    ngsi.post(TEMPORAL, json=entity)
    speed = ngsi.get(ENTITY, params={"options": "temporalValues"}).json()["speed"]
    assert [(s.get("datasetId"), len(s["values"])) for s in speed] == [(None, 3), ("urn:d:gps", 1)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"timerel": "after", "timeAt": "2020-08-01T12:05:00Z"}, ["12:05", "12:07"]),
        ({"timerel": "after", "timeAt": "2020-08-01T12:05:00.000Z"}, ["12:05", "12:07"]),
        ({"timerel": "before", "timeAt": "2020-08-01T12:05:00Z"}, ["12:03"]),
        (
            {
                "timerel": "between",
                "timeAt": "2020-08-01T12:03:00Z",
                "endTimeAt": "2020-08-01T12:05:00Z",
            },
            ["12:03"],
        ),
        ({"lastN": "2"}, ["12:05", "12:07"]),
        ({"lastN": "2", "timerel": "before", "timeAt": "2020-08-01T12:06:00Z"}, ["12:03", "12:05"]),
    ],
)
def test_the_temporal_query_selects_instances(
    ngsi: Ngsi, created: Any, query: dict[str, str], expected: list[str]
) -> None:
    speed = ngsi.get(ENTITY, params={**query, "attrs": "speed"}).json()["speed"]
    assert observed(speed) == [f"2020-08-01T{t}:00Z" for t in expected]


def test_attrs_limits_the_attributes_shown(ngsi: Ngsi, created: Any) -> None:
    body = ngsi.get(ENTITY, params={"attrs": "fuelLevel"}).json()
    assert set(body) == {"id", "type", "fuelLevel"}


def test_an_entity_without_instances_in_the_window_answers_id_and_type(
    ngsi: Ngsi, created: Any
) -> None:
    body = ngsi.get(ENTITY, params={"timerel": "after", "timeAt": "2021-01-01T00:00:00Z"}).json()
    assert body == {"id": "urn:ngsi-ld:Vehicle:A", "type": "Vehicle"}


@pytest.mark.parametrize(
    ("path", "query", "status", "error"),
    [
        (TEMPORAL + "/urn:ngsi-ld:Vehicle:unknown", {}, 404, "ResourceNotFound"),
        (ENTITY, {"attrs": "unknownAttribute"}, 404, "ResourceNotFound"),
        (TEMPORAL + "/invalidUri", {}, 400, "BadRequestData"),
        (ENTITY, {"timerel": "after"}, 400, "BadRequestData"),
        (ENTITY, {"timerel": "between", "timeAt": "2020-08-01T12:00:00Z"}, 400, "BadRequestData"),
        (ENTITY, {"timerel": "after", "timeAt": "2020-08-01"}, 400, "BadRequestData"),
        (ENTITY, {"lastN": "0"}, 400, "BadRequestData"),
        (ENTITY, {"aggrMethods": "avg", "aggrPeriodDuration": "1 hour"}, 400, "BadRequestData"),
        (ENTITY, {"options": "aggregatedValues"}, 400, "BadRequestData"),
        (ENTITY, {"timeproperty": "seenAt"}, 400, "BadRequestData"),
    ],
)
def test_bad_retrievals(
    ngsi: Ngsi, created: Any, path: str, query: dict[str, str], status: int, error: str
) -> None:
    response = ngsi.get(path, params=query)
    assert response.status_code == status
    assert response.json()["type"] == PROBLEM + error


def test_created_at_reads_the_time_the_broker_recorded_instances(ngsi: Ngsi, created: Any) -> None:
    body = ngsi.get(
        ENTITY,
        params={"timeproperty": "createdAt", "timerel": "after", "timeAt": "2026-01-01T00:00:00Z"},
    ).json()
    assert len(body["speed"]) == 3
    assert {i["createdAt"] for i in body["speed"]} == {"2026-01-05T01:00:00Z"}
    before = ngsi.get(
        ENTITY,
        params={"timeproperty": "createdAt", "timerel": "before", "timeAt": "2026-01-01T00:00:00Z"},
    ).json()
    assert "speed" not in before


def test_lang_shows_a_language_property_in_one_language(ngsi: Ngsi) -> None:
    at = "2020-08-01T12:03:00Z"
    street = {"type": "LanguageProperty", "languageMap": {"fr": "Grand Place", "nl": "Grote Markt"}}
    ngsi.post(
        TEMPORAL,
        json={
            "id": "urn:ngsi-ld:Vehicle:A",
            "type": "Vehicle",
            "street": [{**street, "observedAt": at}],
        },
    )
    shown = ngsi.get(ENTITY, params={"lang": "nl"}).json()["street"][0]
    assert (shown["type"], shown["value"], shown["lang"]) == ("Property", "Grote Markt", "nl")


def test_tenants_see_only_their_own_history(ngsi: Ngsi, created: Any, auth_headers: Any) -> None:
    other = ngsi.client.get(ENTITY, headers=auth_headers("admin", "suzhou"))
    assert other.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"aggrMethods": "avg", "aggrPeriodDuration": "P99999999999D"},
        {"aggrMethods": "avg", "aggrPeriodDuration": "P9999999Y"},
        {"aggrMethods": "avg", "aggrPeriodDuration": "PT0.0001S"},
        {
            "aggrMethods": "avg",
            "aggrPeriodDuration": "P1M",
            "timerel": "after",
            "timeAt": "9999-12-01T00:00:00Z",
        },
        {
            "aggrMethods": "sum",
            "aggrPeriodDuration": "P36500D",
            "timerel": "before",
            "timeAt": "0002-01-01T00:00:00Z",
        },
        {"lastN": "99999999999999999999999"},
    ],
)
def test_extreme_temporal_parameters_never_fail_the_server(
    ngsi: Ngsi, created: Any, query: dict[str, str]
) -> None:
    response = ngsi.get(ENTITY, params=query)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["type"].startswith(PROBLEM)


def test_an_aggregation_reaching_past_year_9999_still_answers(ngsi: Ngsi) -> None:
    late = {"type": "Property", "value": 1, "observedAt": "9999-12-31T23:00:00Z"}
    ngsi.post(TEMPORAL, json={"id": "urn:ngsi-ld:Vehicle:A", "type": "Vehicle", "speed": [late]})
    response = ngsi.get(ENTITY, params={"aggrMethods": "sum", "aggrPeriodDuration": "P1D"})
    assert response.status_code == 200
    assert response.json()["speed"]["sum"][0][0] == 1.0


def test_the_entity_api_writes_history_that_created_at_reads(ngsi: Ngsi) -> None:
    entity = {
        "id": "urn:ngsi-ld:Vehicle:A",
        "type": "Vehicle",
        "speed": {"type": "Property", "value": 5},
    }
    assert ngsi.post(BASE + "/entities", json=entity).status_code == 201
    ngsi.patch(
        BASE + "/entities/urn:ngsi-ld:Vehicle:A/attrs",
        json={"speed": {"type": "Property", "value": 6}},
    )
    plain = ngsi.get(ENTITY).json()
    assert "speed" not in plain  # no observedAt: not part of the observedAt evolution
    created = ngsi.get(ENTITY, params={"timeproperty": "createdAt"}).json()
    assert [i["value"] for i in created["speed"]] == [5, 6]
    unstamped = ngsi.get(ENTITY, params={"timeproperty": "createdAt", "options": "temporalValues"})
    assert unstamped.json()["speed"]["values"][0] == [5, "2026-01-05T01:00:00Z"]


def test_deleted_at_reads_the_deletion_records(ngsi: Ngsi, created: Any, platform: Any) -> None:
    at = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    record = {
        "type": "Property",
        "value": "urn:ngsi-ld:null",
        "deletedAt": "2026-01-05T02:00:00Z",
        "instanceId": "urn:ngsi-ld:attribute:instance:deleted-1",
    }
    with platform.db.session() as session:
        tenant = session.scalar(select(Tenant.id).where(Tenant.slug == "shanghai"))
        session.execute(
            insert(AttributeInstance.__table__),
            [
                {
                    "tenant_id": tenant,
                    "entity_id": "urn:ngsi-ld:Vehicle:A",
                    "attr": "https://uri.etsi.org/ngsi-ld/default-context/fuelLevel",
                    "instance_id": record["instanceId"],
                    "observed_at": None,
                    "recorded_at": at,
                    "instance": record,
                }
            ],
        )
    deleted = ngsi.get(ENTITY, params={"timeproperty": "deletedAt"}).json()
    assert [i["value"] for i in deleted["fuelLevel"]] == ["urn:ngsi-ld:null"]
    assert "speed" not in deleted
    created_view = ngsi.get(ENTITY, params={"timeproperty": "createdAt"}).json()
    assert "urn:ngsi-ld:null" not in str(created_view)
