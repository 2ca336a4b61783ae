"""Attribute operations (clauses 5.6.3–5.6.5, 5.6.19): append, update, partial update, replace and
delete, with multi-attributes told apart by datasetId."""

from __future__ import annotations

from tests.context.api.conftest import problem, streetlight

SL1 = "urn:ngsi-ld:Streetlight:001"
ATTRS = f"/entities/{SL1}/attrs"


def test_append_adds_and_overwrites_unless_told_not_to(ngsi):
    ngsi.create(streetlight(1))
    response = ngsi.post(ATTRS, {"status": {"value": "ok"}, "powerState": {"value": "off"}})
    assert response.status_code == 204, response.text
    body = ngsi.get(f"/entities/{SL1}").json()
    assert body["status"]["value"] == "ok" and body["powerState"]["value"] == "off"
    kept = ngsi.post(
        ATTRS, {"powerState": {"value": "on"}, "x": {"value": 1}}, params={"options": "noOverwrite"}
    )
    assert kept.status_code == 207
    assert kept.json() == {
        "updated": ["x"],
        "notUpdated": [{"attributeName": "powerState", "reason": "attribute exists"}],
    }
    assert ngsi.get(f"/entities/{SL1}").json()["powerState"]["value"] == "off"
    problem(ngsi.post("/entities/urn:ngsi-ld:S:404/attrs", {"a": 1}), 404, "ResourceNotFound")
    problem(ngsi.post(ATTRS, {}), 400, "BadRequestData")


def test_update_changes_only_existing_attributes(ngsi):
    ngsi.create(streetlight(1))
    response = ngsi.patch(ATTRS, {"powerState": {"value": "off"}, "missing": {"value": 1}})
    assert response.status_code == 207
    assert response.json()["updated"] == ["powerState"]
    assert [n["attributeName"] for n in response.json()["notUpdated"]] == ["missing"]
    body = ngsi.get(f"/entities/{SL1}").json()
    assert "missing" not in body and body["powerState"]["value"] == "off"
    assert ngsi.patch(ATTRS, {"powerState": {"value": "on"}}).status_code == 204


def test_partial_update_merges_members_of_one_attribute(ngsi):
    ngsi.create(streetlight(1))
    response = ngsi.patch(
        f"{ATTRS}/illuminanceLevel", {"value": 55, "observedAt": "2026-01-05T01:00:00Z"}
    )
    assert response.status_code == 204, response.text
    level = ngsi.get(f"/entities/{SL1}").json()["illuminanceLevel"]
    assert level == {
        "type": "Property",
        "value": 55,
        "unitCode": "LUX",
        "observedAt": "2026-01-05T01:00:00Z",
    }
    problem(ngsi.patch(f"{ATTRS}/nothing", {"value": 1}), 404, "ResourceNotFound")
    problem(ngsi.patch(f"{ATTRS}/illuminanceLevel", {}), 400, "BadRequestData")
    problem(
        ngsi.patch(f"{ATTRS}/illuminanceLevel", {"type": "Relationship"}), 400, "BadRequestData"
    )


def test_replace_attribute(ngsi):
    ngsi.create(streetlight(1))
    response = ngsi.put(f"{ATTRS}/illuminanceLevel", {"type": "Property", "value": 7})
    assert response.status_code == 204, response.text
    assert ngsi.get(f"/entities/{SL1}").json()["illuminanceLevel"] == {
        "type": "Property",
        "value": 7,
    }
    problem(ngsi.put(f"{ATTRS}/nothing", {"type": "Property", "value": 7}), 404, "ResourceNotFound")


def test_multi_attributes_by_dataset_id(ngsi):
    readings = [
        {"type": "Property", "value": 10},
        {"type": "Property", "value": 11, "datasetId": "urn:ngsi-ld:Dataset:a"},
        {"type": "Property", "value": 12, "datasetId": "urn:ngsi-ld:Dataset:b"},
    ]
    ngsi.create({"id": SL1, "type": "Streetlight", "temperature": readings})
    assert ngsi.get(f"/entities/{SL1}").json()["temperature"] == readings
    ngsi.patch(ATTRS, {"temperature": {"value": 21, "datasetId": "urn:ngsi-ld:Dataset:a"}})
    values = {
        i.get("datasetId"): i["value"] for i in ngsi.get(f"/entities/{SL1}").json()["temperature"]
    }
    assert values == {None: 10, "urn:ngsi-ld:Dataset:a": 21, "urn:ngsi-ld:Dataset:b": 12}
    missing = ngsi.patch(ATTRS, {"temperature": {"value": 1, "datasetId": "urn:ngsi-ld:Dataset:z"}})
    assert missing.status_code == 207
    assert (
        ngsi.delete(
            f"{ATTRS}/temperature", params={"datasetId": "urn:ngsi-ld:Dataset:b"}
        ).status_code
        == 204
    )
    left = ngsi.get(f"/entities/{SL1}").json()["temperature"]
    assert [i.get("datasetId") for i in left] == [None, "urn:ngsi-ld:Dataset:a"]
    problem(
        ngsi.delete(f"{ATTRS}/temperature", params={"datasetId": "urn:ngsi-ld:Dataset:b"}),
        404,
        "ResourceNotFound",
    )
    assert ngsi.delete(f"{ATTRS}/temperature").status_code == 204  # the default instance
    assert (
        ngsi.get(f"/entities/{SL1}").json()["temperature"]["datasetId"] == "urn:ngsi-ld:Dataset:a"
    )


def test_duplicate_dataset_ids_are_refused(ngsi):
    twice = [{"type": "Property", "value": 1}, {"type": "Property", "value": 2}]
    problem(ngsi.post("/entities", {"id": SL1, "type": "T", "a": twice}), 400, "BadRequestData")


def test_delete_all_instances(ngsi):
    readings = [
        {"type": "Property", "value": 1, "datasetId": f"urn:ngsi-ld:Dataset:{n}"} for n in range(3)
    ]
    ngsi.create(
        {"id": SL1, "type": "Streetlight", "t": readings, "u": {"type": "Property", "value": 0}}
    )
    assert ngsi.delete(f"{ATTRS}/t", params={"deleteAll": "true"}).status_code == 204
    assert "t" not in ngsi.get(f"/entities/{SL1}").json()
    problem(ngsi.delete(f"{ATTRS}/t"), 404, "ResourceNotFound")
    problem(ngsi.delete(f"{ATTRS}/u", params={"datasetId": "not a uri"}), 400, "BadRequestData")


def test_sub_attributes_and_relationships_survive_the_round_trip(ngsi):
    entity = streetlight(
        1,
        refPole={
            "type": "Relationship",
            "object": "urn:ngsi-ld:Pole:9",
            "installedBy": {
                "type": "Property",
                "value": "Shanghai Lighting",
                "verified": {"type": "Property", "value": True},
            },
        },
        tags={"type": "ListProperty", "valueList": ["a", "b"]},
        config={"type": "JsonProperty", "json": {"mode": "auto", "levels": [1, 2]}},
        category={"type": "VocabProperty", "vocab": "lighting"},
    )
    ngsi.create(entity)
    assert ngsi.get(f"/entities/{SL1}").json() == entity
    found = ngsi.get("/entities", params={"q": "refPole.installedBy.verified==true"}).json()
    assert [e["id"] for e in found] == [SL1]
