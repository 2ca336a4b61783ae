"""Antares-extension RetrieveEntity tests (not ETSI-official): language matching (4.15), the pick
or-operator (4.21), GeoJSON and simplified GeoJSON (4.5.16/4.5.17), keyValues per attribute type
(4.5.4) and Retrieve Entity edge cases (5.7.1.4)."""

from __future__ import annotations

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, random_id
from tests.context.conformance.samples import GEO, JSON, LD, building, ld, prop, rel, vehicle

PLAIN = {"type": "LanguageProperty", "languageMap": {"fr": "Grand Place", "nl": "Grote Markt"}}
REGIONAL = {"type": "LanguageProperty", "languageMap": {"de": "Hauptplatz", "en-US": "Main Square"}}


@pytest.mark.parametrize(
    ("street", "lang", "expected"),
    [
        pytest.param(PLAIN, "fr;q=0.2,nl;q=0.9", ("nl", "Grote Markt"), id="415_01_01"),
        pytest.param(PLAIN, "FR", ("fr", "Grand Place"), id="415_01_02"),
        pytest.param(PLAIN, "nl-BE", ("nl", "Grote Markt"), id="415_01_03"),
        pytest.param(REGIONAL, "en", ("en-US", "Main Square"), id="415_01_04"),
        pytest.param(PLAIN, "pt", None, id="415_01_05"),
    ],
)
def test_415_01_language_filter_matching(suite, street, lang, expected):
    entity_id = suite.created(ld(building(random_id(), street=street)))
    got = suite.retrieve(entity_id, accept=LD, context=SUITE_CONTEXT, params={"lang": lang})
    answer = got.json()["street"]
    assert answer["type"] == "Property" and "languageMap" not in answer
    if expected is None:
        assert answer.get("lang") is not None
    else:
        assert (answer.get("lang"), answer["value"]) == expected


@pytest.fixture(scope="module")
def building_id(suite) -> str:
    entity = building(random_id(), name=prop("Eiffel Tower"), subCategory=prop("tourism"))
    return suite.created(ld({**entity, "airQualityLevel": prop(4)}))


def test_421_01_01_pipe_and_comma_pick_alike(suite, building_id):
    comma = suite.retrieve(
        building_id, context=SUITE_CONTEXT, params={"pick": "name,airQualityLevel"}
    )
    pipe = suite.retrieve(
        building_id, context=SUITE_CONTEXT, params={"pick": "name|airQualityLevel"}
    )
    assert comma.json() == pipe.json() and "name" in pipe.json()
    assert "subCategory" not in pipe.json()


def test_421_01_02_an_empty_projection_member_is_refused(suite, building_id):
    got = suite.retrieve(
        building_id, context=SUITE_CONTEXT, params={"pick": "name||airQualityLevel"}
    )
    assert got.status_code == 400


TWO_LOCATIONS = [
    {
        **prop({"type": "Point", "coordinates": [9.0, 9.0]}),
        "type": "GeoProperty",
        "datasetId": "urn:ngsi-ld:Dataset:gps",
    },
    {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1.0, 2.0]}},
]


def test_4516_01_01_a_feature_takes_the_default_instance_geometry(suite):
    entity_id = suite.created(ld(vehicle(random_id(), location=TWO_LOCATIONS, speed=prop(5))))
    body = suite.retrieve(entity_id, accept=GEO, context=SUITE_CONTEXT).json()
    assert body["type"] == "Feature" and body["id"] == entity_id
    assert body["geometry"] == {"type": "Point", "coordinates": [1.0, 2.0]}
    assert body["properties"]["type"] == "Vehicle" and "speed" in body["properties"]
    assert "id" not in body["properties"]


def test_4516_01_02_no_geometry_is_null(suite):
    entity_id = suite.created(ld(vehicle(random_id(), speed=prop(5))))
    params = {"geometryProperty": "speed"}
    got = suite.retrieve(entity_id, accept=GEO, context=SUITE_CONTEXT, params=params)
    assert got.json()["geometry"] is None
    assert suite.retrieve(entity_id, accept=GEO, context=SUITE_CONTEXT).json()["geometry"] is None


def test_4516_01_03_a_query_is_a_feature_collection(suite):
    location = {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1.0, 2.0]}}
    entity_id = suite.created(ld(vehicle(random_id(), location=location)))
    params = {"type": "Vehicle", "id": entity_id}
    body = suite.query(accept=GEO, context=SUITE_CONTEXT, params=params).json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 1
    assert body["features"][0]["type"] == "Feature" and "@context" not in body["features"][0]


def test_4517_01_a_simplified_feature_maps_instances_by_dataset(suite):
    entity_id = suite.created(ld(vehicle(random_id(), location=TWO_LOCATIONS, speed=prop(5))))
    params = {"options": "keyValues"}
    body = suite.retrieve(entity_id, accept=GEO, context=SUITE_CONTEXT, params=params).json()
    assert body["type"] == "Feature"
    assert body["geometry"] == {"type": "Point", "coordinates": [1.0, 2.0]}
    assert body["properties"]["speed"] == 5
    assert sorted(body["properties"]["location"]) == ["dataset"]
    assert sorted(body["properties"]["location"]["dataset"]) == ["@none", "urn:ngsi-ld:Dataset:gps"]


def test_454_01_key_values_per_attribute_type(suite):
    entity = vehicle(
        random_id(),
        speed=[prop(55), prop(11, datasetId="urn:ngsi-ld:Dataset:gps")],
        brandName={"type": "LanguageProperty", "languageMap": {"en": "hi"}},
        street={"type": "JsonProperty", "json": {"a": 1}},
        category={"type": "VocabProperty", "vocab": "non-commercial"},
        depths={"type": "ListProperty", "valueList": [1.2, 3.4]},
        isParked=rel("urn:ngsi-ld:OffStreetParking:1"),
        route={
            "type": "ListRelationship",
            "objectList": ["urn:ngsi-ld:Road:1", "urn:ngsi-ld:Road:2"],
        },
    )
    entity_id = suite.created(ld(entity))
    body = suite.retrieve(entity_id, context=SUITE_CONTEXT, params={"options": "keyValues"}).json()
    assert body["brandName"] == {"languageMap": {"en": "hi"}}
    assert body["street"] == {"json": {"a": 1}}
    assert body["category"] == {"vocab": "non-commercial"}
    assert body["depths"] == [1.2, 3.4]
    assert body["isParked"] == "urn:ngsi-ld:OffStreetParking:1"
    assert body["route"] == ["urn:ngsi-ld:Road:1", "urn:ngsi-ld:Road:2"]
    assert body["speed"] == {"dataset": {"@none": 55, "urn:ngsi-ld:Dataset:gps": 11}}


def test_5711_01_01_a_type_selector_that_does_not_match_is_not_found(suite, building_id):
    other = suite.retrieve(
        building_id, accept=JSON, context=SUITE_CONTEXT, params={"type": "Vehicle"}
    )
    problem(other, 404, "ResourceNotFound")
    same_type = {"type": "Building"}
    assert (
        suite.retrieve(
            building_id, accept=JSON, context=SUITE_CONTEXT, params=same_type
        ).status_code
        == 200
    )


def test_5711_01_02_geometry_property_needs_geojson(suite, building_id):
    params = {"geometryProperty": "location"}
    problem(suite.retrieve(building_id, accept=LD, params=params), 400, "BadRequestData")
    assert suite.retrieve(building_id, accept=GEO, params=params).status_code == 200


def test_5711_01_03_a_linked_projection_needs_join(suite, building_id):
    got = suite.retrieve(building_id, accept=LD, params={"pick": "owner{name}"})
    problem(got, 400, "BadRequestData")
