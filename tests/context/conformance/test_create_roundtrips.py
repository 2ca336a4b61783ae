"""Antares-extension CreateEntity tests (not ETSI-official) that read back what was created:
concise input, JSON-LD keywords, lists, JSON, proofs, multi-attributes, encodings, geometry."""

from __future__ import annotations

from typing import Any

from tests.context.conformance.conftest import SUITE_CONTEXT, random_id
from tests.context.conformance.samples import JSON, LD, ld, prop, vehicle


def created_and_read(suite, entity: dict[str, Any]) -> dict[str, Any]:
    response = suite.create(entity)
    assert response.status_code == 201, response.text
    got = suite.retrieve(entity.get("id") or entity["@id"], context=SUITE_CONTEXT)
    assert got.status_code == 200, got.text
    return got.json()


def test_404_01_01_json_ld_keywords_are_accepted_and_answered_as_id_and_type(suite):
    entity_id = random_id("urn:ngsi-ld:Vehicle:")
    body = created_and_read(
        suite,
        {"@id": entity_id, "@type": "Vehicle", "speed": prop(42), "@context": [SUITE_CONTEXT]},
    )
    assert {"id", "type"} <= set(body) and not {"@id", "@type"} & set(body)


def test_404_01_02_a_user_context_cannot_redefine_a_core_term(suite):
    context = [{"Property": "https://evil.example/Property"}, SUITE_CONTEXT]
    entity = {**vehicle(random_id(), speed=prop(42)), "@context": context}
    assert created_and_read(suite, entity)["speed"]["type"] == "Property"


def test_4522_01_01_an_object_list_takes_both_forms_and_answers_objects(suite):
    route = {
        "type": "ListRelationship",
        "objectList": ["urn:ngsi-ld:Road:1", {"object": "urn:ngsi-ld:Road:2"}],
    }
    body = created_and_read(suite, ld(vehicle(random_id(), route=route)))
    assert body["route"]["type"] == "ListRelationship"
    assert body["route"]["objectList"] == [
        {"object": "urn:ngsi-ld:Road:1"},
        {"object": "urn:ngsi-ld:Road:2"},
    ]


def test_4524_01_01_a_concise_json_property_is_kept_verbatim(suite):
    raw = {"speed": 3, "brandName": "x", "type": "raw"}
    body = created_and_read(suite, ld(vehicle(random_id(), tickets={"json": raw})))
    assert body["tickets"]["type"] == "JsonProperty" and body["tickets"]["json"] == raw
    assert "value" not in body["tickets"] and "unitCode" not in body["tickets"]


def test_452_02_concise_creation_is_answered_normalized(suite):
    entity = vehicle(
        random_id(),
        speed=55,
        location={"type": "Point", "coordinates": [8.0, 49.0]},
        area={"value": {"type": "Point", "coordinates": [1.0, 2.0]}},
        brandName={"value": "Volvo", "observedAt": "2026-01-01T00:00:00Z"},
        isParked={"object": "urn:ngsi-ld:OffStreetParking:1"},
    )
    body = created_and_read(suite, ld(entity))
    assert body["speed"] == {"type": "Property", "value": 55}
    assert body["location"]["type"] == body["area"]["type"] == "GeoProperty"
    assert body["brandName"]["type"] == "Property"
    assert body["brandName"]["observedAt"] == "2026-01-01T00:00:00Z"
    assert body["isParked"]["type"] == "Relationship"


def test_452_03_01_an_ngsildproof_round_trips(suite):
    entity_id = random_id("urn:ngsi-ld:Vehicle:")
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofValue": "zQe"}
    ngsildproof = prop(proof, entityIdSealed=entity_id, entityTypeSealed="Vehicle")
    body = created_and_read(suite, ld(vehicle(entity_id, ngsildproof=ngsildproof)))
    assert body["ngsildproof"]["type"] == "Property"
    assert body["ngsildproof"]["entityIdSealed"] == entity_id
    assert body["ngsildproof"]["entityTypeSealed"] == "Vehicle"
    assert body["ngsildproof"]["value"] == proof


def test_455_01_01_dataset_id_none_is_the_default_instance(suite):
    speed = [prop(55, datasetId="@none"), prop(11, datasetId="urn:ngsi-ld:Dataset:gps")]
    body = created_and_read(suite, ld(vehicle(random_id(), speed=speed)))
    default = [i for i in body["speed"] if "datasetId" not in i]
    assert len(body["speed"]) == 2 and [i["value"] for i in default] == [55]


def test_461_01_01_utf8_text_round_trips(suite):
    text = "žltý kôň — 100 €"
    body = created_and_read(suite, ld(vehicle(random_id(), brandName=prop(text))))
    assert body["brandName"]["value"] == text


def test_462_01_03_unicode_letter_names_are_accepted(suite):
    entity = ld({"id": random_id(), "type": "Škola", "výška_1": prop(7)})
    assert created_and_read(suite, entity)["výška_1"]["value"] == 7


def test_463_01_02_a_point_round_trips(suite):
    location = {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [17.1, 48.7]}}
    body = created_and_read(suite, ld(vehicle(random_id(), location=location)))
    assert body["location"]["value"]["type"] == "Point"


def test_464_01_01_markup_characters_round_trip_verbatim(suite):
    text = "<script>alert('x')</script> \"q\" = ; ( )"
    entity_id = random_id()
    body = created_and_read(suite, ld(vehicle(entity_id, note=prop(text))))
    assert body["note"]["value"] == text
    raw = suite.retrieve(entity_id, context=SUITE_CONTEXT).text
    assert "&lt;" not in raw and "\\u003c" not in raw


def test_465_01_01_language_maps_keep_strings_arrays_and_none(suite):
    language_map = {"sk": "škola", "en": ["school", "academy"], "@none": "default"}
    brand = {"type": "LanguageProperty", "languageMap": language_map}
    body = created_and_read(suite, ld(vehicle(random_id(), brandName=brand)))
    assert body["brandName"]["languageMap"] == language_map


def test_471_01_01_a_string_encoded_geometry_is_answered_as_an_object(suite):
    encoded = '{"type": "Point", "coordinates": [17.1, 48.7]}'
    location = {"type": "GeoProperty", "value": encoded}
    body = created_and_read(suite, ld(vehicle(random_id(), location=location)))
    assert body["location"]["value"] == {"type": "Point", "coordinates": [17.1, 48.7]}


def test_555_01_input_without_context_gets_the_core_context(suite):
    entity_id = random_id("urn:ngsi-ld:Vehicle:")
    location = {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [17.6, 48.7]}}
    entity = vehicle(entity_id, temperature=prop(21), location=location)
    assert suite.create(entity, JSON).status_code == 201
    got = suite.retrieve(entity_id, accept=LD)
    body = got.json()
    assert "ngsi-ld-core-context" in str(body["@context"])
    assert body["temperature"]["value"] == 21 and body["location"]["type"] == "GeoProperty"
    assert "default-context/temperature" not in got.text


def test_557_01_02_a_query_uses_the_context_of_its_own_request(suite):
    entity_id = random_id("urn:ngsi-ld:Vehicle:")
    suite.created(ld(vehicle(entity_id)))
    with_context = suite.query(params={"type": "Vehicle"}, context=SUITE_CONTEXT).json()
    assert entity_id in [e["id"] for e in with_context]
    without = suite.query(params={"type": "Vehicle"}).json()
    assert entity_id not in [e["id"] for e in without]


def test_557_01_03_an_unmatched_iri_is_answered_in_full(suite):
    entity_id = random_id("urn:ngsi-ld:Vehicle:")
    suite.created(ld(vehicle(entity_id)))
    assert suite.retrieve(entity_id).json()["type"] == "https://ngsi-ld-test-suite/context#Vehicle"
