"""Batch operations (clauses 5.6.7–5.6.10, 5.6.20, 5.7.2 via POST): the good entities are
stored, each bad one is reported with its own ProblemDetails in a 207 BatchOperationResult."""

from __future__ import annotations

from tests.context.api.conftest import CORE, ERRORS, problem, streetlight

OPS = "/entityOperations"


def _ids(n):
    return [f"urn:ngsi-ld:Streetlight:{i:03d}" for i in range(1, n + 1)]


def test_create_all_good_answers_201_with_the_ids(ngsi):
    response = ngsi.post(f"{OPS}/create", [streetlight(n) for n in (1, 2, 3)])
    assert response.status_code == 201
    assert response.json() == _ids(3)


def test_create_stores_the_good_and_reports_the_bad(ngsi):
    ngsi.create(streetlight(1))
    batch = [streetlight(1), streetlight(2), {"id": "no uri", "type": "T"}, streetlight(2)]
    response = ngsi.post(f"{OPS}/create", batch)
    assert response.status_code == 207
    body = response.json()
    assert body["success"] == ["urn:ngsi-ld:Streetlight:002"]
    errors = {(e["entityId"], e["error"]["type"]) for e in body["errors"]}
    assert errors == {
        ("urn:ngsi-ld:Streetlight:001", ERRORS + "AlreadyExists"),
        ("no uri", ERRORS + "BadRequestData"),
        ("urn:ngsi-ld:Streetlight:002", ERRORS + "BadRequestData"),  # the duplicate in the batch
    }
    assert ngsi.get("/entities/urn:ngsi-ld:Streetlight:002").status_code == 200


def test_bodies_that_are_not_batches(ngsi):
    problem(ngsi.post(f"{OPS}/create", []), 400, "BadRequestData")
    problem(ngsi.post(f"{OPS}/create", {"id": "urn:x:1"}), 400, "BadRequestData")
    problem(ngsi.post(f"{OPS}/delete", []), 400, "BadRequestData")


def test_upsert_creates_and_replaces(ngsi):
    ngsi.create(streetlight(1, extra={"type": "Property", "value": 1}))
    response = ngsi.post(f"{OPS}/upsert", [streetlight(1), streetlight(2)])
    assert response.status_code == 201
    assert response.json() == ["urn:ngsi-ld:Streetlight:002"]
    assert "extra" not in ngsi.get("/entities/urn:ngsi-ld:Streetlight:001").json()
    again = ngsi.post(f"{OPS}/upsert", [streetlight(1), streetlight(2)])
    assert again.status_code == 204


def test_upsert_with_update_keeps_other_attributes(ngsi):
    ngsi.create(streetlight(1, extra={"type": "Property", "value": 1}))
    changed = {"id": "urn:ngsi-ld:Streetlight:001", "type": "Streetlight", "powerState": "off"}
    assert ngsi.post(f"{OPS}/upsert", [changed], params={"options": "update"}).status_code == 204
    body = ngsi.get("/entities/urn:ngsi-ld:Streetlight:001").json()
    assert body["extra"]["value"] == 1 and body["powerState"]["value"] == "off"
    problem(
        ngsi.post(f"{OPS}/upsert", [changed], params={"options": "update,replace"}),
        400,
        "BadRequestData",
    )


def test_update_appends_to_existing_entities_only(ngsi):
    ngsi.create(streetlight(1))
    batch = [
        {"id": "urn:ngsi-ld:Streetlight:001", "powerState": "off"},
        {"id": "urn:ngsi-ld:Streetlight:404", "powerState": "off"},
    ]
    response = ngsi.post(f"{OPS}/update", batch)
    assert response.status_code == 207
    body = response.json()
    assert body["success"] == ["urn:ngsi-ld:Streetlight:001"]
    assert body["errors"][0]["entityId"] == "urn:ngsi-ld:Streetlight:404"
    assert body["errors"][0]["error"]["type"] == ERRORS + "ResourceNotFound"
    kept = ngsi.post(f"{OPS}/update", batch[:1], params={"options": "noOverwrite"})
    assert kept.status_code == 207
    assert ngsi.get("/entities/urn:ngsi-ld:Streetlight:001").json()["powerState"]["value"] == "off"


def test_merge_and_delete(ngsi):
    ngsi.post(f"{OPS}/create", [streetlight(1), streetlight(2)])
    merged = ngsi.post(
        f"{OPS}/merge", [{"id": "urn:ngsi-ld:Streetlight:002", "powerState": "urn:ngsi-ld:null"}]
    )
    assert merged.status_code == 204
    assert "powerState" not in ngsi.get("/entities/urn:ngsi-ld:Streetlight:002").json()
    response = ngsi.post(f"{OPS}/delete", [*_ids(2), "urn:ngsi-ld:Streetlight:404"])
    assert response.status_code == 207
    assert response.json()["success"] == _ids(2)
    assert [e["entityId"] for e in response.json()["errors"]] == ["urn:ngsi-ld:Streetlight:404"]
    assert ngsi.post(f"{OPS}/delete", ["urn:ngsi-ld:Streetlight:404"]).status_code == 207


def test_ld_json_batches_carry_a_context_per_entity(ngsi):
    context = {"lamp": "https://example.org/city#Lamp"}
    batch = [
        {"@context": [context, CORE], "id": "urn:ngsi-ld:Lamp:1", "type": "lamp"},
        {"id": "urn:ngsi-ld:Lamp:2", "type": "lamp"},
    ]
    response = ngsi.post(f"{OPS}/create", batch, headers={"Content-Type": "application/ld+json"})
    assert response.status_code == 207
    assert response.json()["success"] == ["urn:ngsi-ld:Lamp:1"]
    got = ngsi.get("/entities/urn:ngsi-ld:Lamp:1").json()
    assert got["type"] == "https://example.org/city#Lamp"


def test_query_by_post(ngsi):
    ngsi.post(f"{OPS}/create", [streetlight(n) for n in range(1, 6)])
    query = {
        "type": "Query",
        "entities": [{"type": "Streetlight"}],
        "q": "illuminanceLevel>=4",
        "attrs": ["illuminanceLevel"],
    }
    response = ngsi.post(f"{OPS}/query", query, params={"count": "true"})
    assert response.status_code == 200, response.text
    assert response.headers["ngsild-results-count"] == "2"
    assert [set(e) for e in response.json()] == [{"id", "type", "illuminanceLevel"}] * 2
    two = {
        "type": "Query",
        "entities": [
            {"id": "urn:ngsi-ld:Streetlight:005", "type": "Streetlight"},
            {"idPattern": ":00[12]$", "type": "Streetlight"},
        ],
    }
    found = ngsi.post(f"{OPS}/query", two, params={"options": "keyValues"}).json()
    assert [e["id"] for e in found] == [*_ids(2), "urn:ngsi-ld:Streetlight:005"]
    untyped = {"type": "Query", "entities": [{"id": "urn:ngsi-ld:Streetlight:005"}]}
    assert ngsi.post(f"{OPS}/query", untyped).status_code == 400
    geo = {
        "type": "Query",
        "geoQ": {
            "georel": "near;maxDistance==100",
            "geometry": "Point",
            "coordinates": [121.473, 31.23],
        },
    }
    assert [e["id"] for e in ngsi.post(f"{OPS}/query", geo).json()] == [
        "urn:ngsi-ld:Streetlight:002",
        "urn:ngsi-ld:Streetlight:003",
        "urn:ngsi-ld:Streetlight:004",
    ]
    problem(ngsi.post(f"{OPS}/query", {"entities": []}), 400, "BadRequestData")
    problem(
        ngsi.post(f"{OPS}/query", {"type": "Query", "entities": [{"kind": "x"}]}),
        400,
        "BadRequestData",
    )
