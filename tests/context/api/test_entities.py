"""Create, retrieve, replace, merge and delete entities (GS CIM 009 clauses 5.6.1–5.6.6, 5.6.17,
5.7.1) and how a retrieved entity is represented (4.5, 6.3)."""

from __future__ import annotations

from datetime import datetime

from tests.context.api.conftest import CORE, Ngsi, problem, streetlight

SL1 = "urn:ngsi-ld:Streetlight:001"
LINK = f'<{CORE}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'


def test_create_answers_201_with_the_location_and_retrieve_returns_the_entity(ngsi):
    response = ngsi.post("/entities", streetlight(1))
    assert response.status_code == 201
    assert response.headers["location"] == f"/ngsi-ld/v1/entities/{SL1}"
    got = ngsi.get(f"/entities/{SL1}")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/json")
    assert got.headers["link"] == LINK
    assert got.json() == streetlight(1)


def test_an_entity_id_is_unique_per_tenant(ngsi):
    ngsi.create(streetlight(1))
    problem(ngsi.post("/entities", streetlight(1)), 409, "AlreadyExists")


def test_unknown_entities_and_bad_ids_are_told_apart(ngsi):
    problem(ngsi.get("/entities/urn:ngsi-ld:Streetlight:999"), 404, "ResourceNotFound")
    problem(ngsi.get("/entities/not-a-uri"), 400, "BadRequestData")
    problem(ngsi.delete("/entities/urn:ngsi-ld:Streetlight:999"), 404, "ResourceNotFound")


def test_concise_payloads_are_stored_normalized(ngsi):
    ngsi.create(
        {
            "id": SL1,
            "type": "Streetlight",
            "powerState": "on",
            "name": {"languageMap": {"zh": "路灯", "en": "streetlight"}},
            "refDevice": {"object": "urn:ngsi-ld:Device:1"},
        }
    )
    body = ngsi.get(f"/entities/{SL1}").json()
    assert body["powerState"] == {"type": "Property", "value": "on"}
    assert body["name"]["type"] == "LanguageProperty"
    assert body["refDevice"] == {"type": "Relationship", "object": "urn:ngsi-ld:Device:1"}


def test_key_values_and_concise_representations(ngsi):
    ngsi.create(streetlight(1))
    kv = ngsi.get(f"/entities/{SL1}", params={"options": "keyValues"}).json()
    assert kv == {
        "id": SL1,
        "type": "Streetlight",
        "powerState": "on",
        "illuminanceLevel": 1,
        "location": {"type": "Point", "coordinates": [121.471, 31.23]},
    }
    assert ngsi.get(f"/entities/{SL1}", params={"format": "simplified"}).json() == kv
    concise = ngsi.get(f"/entities/{SL1}", params={"format": "concise"}).json()
    assert concise["powerState"] == "on"
    assert concise["illuminanceLevel"] == {"value": 1, "unitCode": "LUX"}
    problem(ngsi.get(f"/entities/{SL1}", params={"format": "fancy"}), 400, "InvalidRequest")
    problem(
        ngsi.get(f"/entities/{SL1}", params={"options": "keyValues,concise"}), 400, "BadRequestData"
    )


def test_system_attributes_only_with_sys_attrs(ngsi):
    ngsi.create(streetlight(1))
    plain = ngsi.get(f"/entities/{SL1}").json()
    assert "createdAt" not in plain and "modifiedAt" not in plain
    body = ngsi.get(f"/entities/{SL1}", params={"options": "sysAttrs"}).json()
    created = datetime.fromisoformat(body["createdAt"])
    assert created.tzinfo is not None
    assert datetime.fromisoformat(body["modifiedAt"]) >= created
    level = body["illuminanceLevel"]
    assert level["createdAt"] == level["modifiedAt"] == body["createdAt"]
    assert "createdAt" not in plain["illuminanceLevel"]


def test_modified_at_moves_on_update_created_at_does_not(ngsi, clock):
    ngsi.create(streetlight(1))
    before = ngsi.get(f"/entities/{SL1}", params={"options": "sysAttrs"}).json()
    clock.advance(minutes=5)
    assert ngsi.patch(f"/entities/{SL1}/attrs/powerState", {"value": "off"}).status_code == 204
    after = ngsi.get(f"/entities/{SL1}", params={"options": "sysAttrs"}).json()
    assert after["createdAt"] == before["createdAt"]
    assert after["modifiedAt"] > before["modifiedAt"]


def test_attrs_pick_and_omit_project_the_entity(ngsi):
    ngsi.create(streetlight(1))
    only = ngsi.get(f"/entities/{SL1}", params={"attrs": "powerState"}).json()
    assert set(only) == {"id", "type", "powerState"}
    picked = ngsi.get(f"/entities/{SL1}", params={"pick": "id,illuminanceLevel"}).json()
    assert set(picked) == {"id", "illuminanceLevel"}
    omitted = ngsi.get(f"/entities/{SL1}", params={"omit": "location,type"}).json()
    assert set(omitted) == {"id", "powerState", "illuminanceLevel"}
    problem(ngsi.get(f"/entities/{SL1}", params={"attrs": "a", "pick": "b"}), 400, "BadRequestData")


def test_lang_turns_language_properties_into_properties(ngsi):
    names = {"type": "LanguageProperty", "languageMap": {"zh-CN": "路灯", "en": "streetlight"}}
    ngsi.create(streetlight(1, name=names))
    english = ngsi.get(f"/entities/{SL1}", params={"lang": "en"}).json()["name"]
    assert english == {"type": "Property", "value": "streetlight", "lang": "en"}
    chinese = ngsi.get(f"/entities/{SL1}", params={"lang": "fr,zh;q=0.5"}).json()["name"]
    assert chinese == {"type": "Property", "value": "路灯", "lang": "zh-CN"}
    kv = ngsi.get(f"/entities/{SL1}", params={"lang": "en", "options": "keyValues"}).json()
    assert kv["name"] == "streetlight"
    assert ngsi.get(f"/entities/{SL1}").json()["name"] == names
    problem(ngsi.get(f"/entities/{SL1}", params={"lang": "e n"}), 400, "BadRequestData")


def test_ld_json_puts_the_context_in_the_body(ngsi):
    ngsi.create(streetlight(1))
    response = ngsi.get(f"/entities/{SL1}", headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"].startswith("application/ld+json")
    assert "link" not in response.headers
    assert response.json()["@context"] == CORE


def test_geojson_feature_of_one_entity(ngsi):
    ngsi.create(streetlight(1))
    feature = ngsi.get(f"/entities/{SL1}", headers={"Accept": "application/geo+json"}).json()
    assert feature["type"] == "Feature" and feature["id"] == SL1
    assert feature["geometry"] == {"type": "Point", "coordinates": [121.471, 31.23]}
    assert feature["properties"]["type"] == "Streetlight"
    assert feature["properties"]["powerState"]["value"] == "on"


def test_an_inline_context_names_attributes_and_types(ngsi):
    context = {"lamp": "https://example.org/city#Lamp", "power": "https://example.org/city#power"}
    entity = {
        "@context": [context, CORE],
        "id": SL1,
        "type": "lamp",
        "power": {"type": "Property", "value": 40},
    }
    response = ngsi.post("/entities", entity, headers={"Content-Type": "application/ld+json"})
    assert response.status_code == 201, response.text
    # Without the client's context, names come back as full IRIs (nothing compacts them).
    body = ngsi.get(f"/entities/{SL1}").json()
    assert body["type"] == "https://example.org/city#Lamp"
    assert body["https://example.org/city#power"]["value"] == 40
    # The same type, given as the IRI, finds it; the short name under the default @vocab does not.
    found = ngsi.get("/entities", params={"type": "https://example.org/city#Lamp"}).json()
    assert [e["id"] for e in found] == [SL1]
    assert ngsi.get("/entities", params={"type": "lamp"}).json() == []


def test_replace_swaps_all_attributes(ngsi):
    ngsi.create(streetlight(1))
    response = ngsi.put(f"/entities/{SL1}", {"type": "Streetlight", "status": {"value": "ok"}})
    assert response.status_code == 204, response.text
    body = ngsi.get(f"/entities/{SL1}").json()
    assert body == {"id": SL1, "type": "Streetlight", "status": {"type": "Property", "value": "ok"}}
    problem(ngsi.put(f"/entities/{SL1}", {"id": "urn:x:other", "type": "T"}), 400, "BadRequestData")
    problem(ngsi.put("/entities/urn:ngsi-ld:S:404", {"type": "T"}), 404, "ResourceNotFound")


def test_merge_adds_merges_and_deletes_with_the_null_value(ngsi):
    lamp = streetlight(1)
    lamp["illuminanceLevel"]["observedAt"] = "2026-01-05T00:00:00Z"
    ngsi.create(lamp)
    patch = {
        "illuminanceLevel": {"value": 80},
        "powerState": "urn:ngsi-ld:null",
        "status": {"value": "working"},
    }
    assert ngsi.patch(f"/entities/{SL1}", patch).status_code == 204
    body = ngsi.get(f"/entities/{SL1}").json()
    assert "powerState" not in body
    assert body["status"] == {"type": "Property", "value": "working"}
    assert body["illuminanceLevel"] == {
        "type": "Property",
        "value": 80,
        "unitCode": "LUX",
        "observedAt": "2026-01-05T00:00:00Z",
    }
    problem(ngsi.patch("/entities/urn:ngsi-ld:S:404", {"a": 1}), 404, "ResourceNotFound")


def test_delete_removes_the_entity(ngsi):
    ngsi.create(streetlight(1))
    assert ngsi.delete(f"/entities/{SL1}").status_code == 204
    problem(ngsi.get(f"/entities/{SL1}"), 404, "ResourceNotFound")
    ngsi.create(streetlight(1))  # the id is free again


def test_retrieve_with_a_type_that_does_not_match_is_not_found(ngsi):
    ngsi.create(streetlight(1))
    assert ngsi.get(f"/entities/{SL1}", params={"type": "Streetlight"}).status_code == 200
    problem(ngsi.get(f"/entities/{SL1}", params={"type": "Vehicle"}), 404, "ResourceNotFound")


def test_query_pages_link_to_their_neighbours(ngsi: Ngsi) -> None:
    for n in range(1, 6):
        ngsi.create(streetlight(n))
    params = {"type": "Streetlight", "attrs": "powerState,location", "limit": 2, "offset": 2}
    middle = ngsi.get("/entities", params=params)
    links = [part.strip() for part in middle.headers["Link"].split(",")]
    query = "attrs=powerState%2Clocation&limit=2&offset={}&type=Streetlight"
    assert f'</ngsi-ld/v1/entities?{query.format(0)}>; rel="prev"; type="application/json"' in links
    assert f'</ngsi-ld/v1/entities?{query.format(4)}>; rel="next"; type="application/json"' in links
    assert any("json-ld#context" in link for link in links)
    last = ngsi.get("/entities", params={**params, "offset": 4, "count": "true"})
    assert len(last.json()) == 1
    assert 'rel="next"' not in last.headers["Link"] and 'rel="prev"' in last.headers["Link"]
    first = ngsi.get("/entities", params={**params, "offset": 0})
    assert 'rel="prev"' not in first.headers["Link"] and 'rel="next"' in first.headers["Link"]
