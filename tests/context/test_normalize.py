"""Entity payloads in normalized or concise form are validated and normalized (clause 4.5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartcity.context.errors import BadRequestData
from smartcity.context.normalize import normalize_entity
from smartcity.context.represent import to_concise, to_key_values

SDM = Path(__file__).parents[2] / "data" / "smart-data-models"  # CC BY 4.0, see its README


def vehicle() -> dict:
    return {
        "id": "urn:ngsi-ld:Vehicle:A4567",
        "type": "Vehicle",
        "brandName": {"type": "Property", "value": "Mercedes"},
        "speed": [
            {"type": "Property", "value": 55, "datasetId": "urn:ngsi-ld:Property:speedometer"},
            {
                "type": "Property",
                "value": 54.5,
                "observedAt": "2026-01-05T09:00:00Z",
                "unitCode": "KMH",
                "source": {"type": "Property", "value": "GPS"},
            },
        ],
        "isParked": {
            "type": "Relationship",
            "object": "urn:ngsi-ld:OffStreetParking:Downtown1",
            "providedBy": {"type": "Relationship", "object": "urn:ngsi-ld:Person:Bob"},
        },
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [121.4737, 31.2304]},
        },
        "name": {"type": "LanguageProperty", "languageMap": {"zh": "沪A·12345", "en": "Car 1"}},
        "tags": {"type": "ListProperty", "valueList": ["taxi", "electric"]},
        "config": {"type": "JsonProperty", "json": {"mode": "eco", "levels": [1, 2]}},
        "category": {"type": "VocabProperty", "vocab": "taxi"},
    }


def test_a_normalized_entity_is_returned_unchanged():
    assert normalize_entity(vehicle()) == vehicle()


def test_concise_form_normalizes_to_the_same_entity():
    concise = to_concise(vehicle())
    assert concise["brandName"] == "Mercedes"
    assert concise["isParked"]["object"] == "urn:ngsi-ld:OffStreetParking:Downtown1"
    assert "type" not in concise["isParked"]
    assert normalize_entity(concise) == vehicle()


def test_key_values_keep_only_the_values():
    kv = to_key_values(vehicle())
    assert kv["brandName"] == "Mercedes"
    assert kv["speed"] == [55, 54.5]
    assert kv["isParked"] == "urn:ngsi-ld:OffStreetParking:Downtown1"
    assert kv["location"]["type"] == "Point"
    assert kv["name"] == {"languageMap": {"zh": "沪A·12345", "en": "Car 1"}}


def test_a_bare_geojson_location_is_a_geo_property():
    entity = normalize_entity(
        {"id": "urn:x:1", "type": "T", "location": {"type": "Point", "coordinates": [121.5, 31.2]}}
    )
    assert entity["location"]["type"] == "GeoProperty"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"id": "not a uri"}, "id must be a URI"),
        ({"type": ""}, "type"),
        ({"type": []}, "type"),
        ({"bad name": 1}, "not valid"),
        ({"speed": None}, "speed: an attribute cannot be null"),
        ({"speed": {"type": "Thing", "value": 1}}, "unknown attribute type"),
        ({"speed": {"type": "Property"}}, "needs 'value'"),
        ({"isParked": {"type": "Relationship", "object": "nope"}}, "must be a URI"),
        ({"location": {"type": "Property", "value": 1}}, "must be a GeoProperty"),
        (
            {
                "location": {
                    "type": "GeoProperty",
                    "value": {"type": "Point", "coordinates": [200, 1]},
                }
            },
            "in range",
        ),
        (
            {"location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": ["a"]}}},
            "malformed",
        ),
        ({"name": {"type": "LanguageProperty", "languageMap": {"zh": 5}}}, "languageMap"),
        ({"tags": {"type": "ListProperty", "valueList": "x"}}, "valueList must be a list"),
        ({"config": {"type": "JsonProperty", "json": 5}}, "json must be"),
        ({"speed": {"type": "Property", "value": 1, "observedAt": "yesterday"}}, "observedAt"),
        (
            {"speed": {"type": "Property", "value": 1, "observedAt": "2026-01-05T09:00:00"}},
            "timezone",
        ),
        ({"speed": {"type": "Property", "value": 1, "datasetId": "x y"}}, "datasetId"),
        (
            {"speed": [{"type": "Property", "value": 1}, {"type": "Property", "value": 2}]},
            "more than one instance without datasetId",
        ),
        ({"speed": {"type": "Property", "value": 1, "object": "urn:x"}}, "does not belong"),
        ({"scope": "no-slash"}, "scope"),
    ],
)
def test_bad_entities_are_bad_request_data_naming_the_problem(change, fragment):
    with pytest.raises(BadRequestData) as info:
        normalize_entity({**vehicle(), **change})
    assert fragment in info.value.detail
    assert info.value.problem()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"


def test_not_an_object_is_refused():
    for payload in ([], "x", 5, None):
        with pytest.raises(BadRequestData):
            normalize_entity(payload)


def test_a_location_typed_property_with_a_geometry_is_taken_as_a_geo_property():
    point = {"type": "Point", "coordinates": [121.5, 31.2]}
    entity = normalize_entity(
        {"id": "urn:x:1", "type": "T", "location": {"type": "Property", "value": point}}
    )
    assert entity["location"] == {"type": "GeoProperty", "value": point}


def test_system_attributes_sent_by_clients_are_ignored():
    entity = normalize_entity({**vehicle(), "createdAt": "2000-01-01T00:00:00Z"})
    assert "createdAt" not in entity


@pytest.mark.parametrize(
    "model", sorted(p.name for p in SDM.iterdir() if p.is_dir() and not p.name.startswith("_"))
)
def test_smart_data_models_examples_normalize_and_survive_a_concise_round_trip(model):
    data = json.loads((SDM / model / "example-normalized.jsonld").read_text())
    entity = normalize_entity(data)
    assert entity["id"] == data["id"]
    assert normalize_entity(to_concise(entity)) == entity
