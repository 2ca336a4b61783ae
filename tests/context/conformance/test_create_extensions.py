"""CreateEntity tests numbered by clause (402_01 … 557_01) that the stored suite adds to ETSI's
001_xx: marked "Antares extension TP" in their documentation, i.e. not ETSI-official, but run
with the rest. Each names the clause of GS CIM 009 it reads; bad content is 400 BadRequestData."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import problem, random_id
from tests.context.conformance.samples import ld, prop, rel, vehicle

NULL = "urn:ngsi-ld:null"
PROOF = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofValue": "zQe"}


def attrs_case(test_id: str, attrs: dict[str, Any], status: int = 400, **kw: Any) -> Any:
    return pytest.param(attrs, status, id=test_id, **kw)


STATUS_CASES = [
    attrs_case("402_01_01-property-no-value", {"speed": {"type": "Property"}}),
    attrs_case("402_01_02-relationship-no-object", {"isParked": {"type": "Relationship"}}),
    attrs_case("402_01_03-property-null", {"speed": {"type": "Property", "value": None}}),
    attrs_case("402_01_04-language-no-map", {"street": {"type": "LanguageProperty"}}),
    attrs_case("408_01_01-observedAt-text", {"speed": prop(1, observedAt="yesterday")}),
    attrs_case(
        "408_01_02-observedAt-offset",
        {"speed": prop(1, observedAt="2026-01-01T00:00:00+02:00")},
    ),
    attrs_case(
        "408_01_03-observedAt-reified",
        {"speed": prop(1, observedAt=prop("2026-01-01T00:00:00Z"))},
    ),
    attrs_case("451_01_01-datasetId-name", {"datasetId": prop(1)}),
    attrs_case("451_01_02-instanceId-name", {"instanceId": prop(1)}),
    attrs_case("451_01_03-observedAt-name", {"observedAt": prop("2026-01-01T00:00:00Z")}),
    attrs_case(
        "451_01_04-embedded-context",
        {"speed": prop(1, **{"@context": {"speed": "https://evil.example/speed"}})},
    ),
    attrs_case(
        "4522_01_02-objectList-not-uri",
        {"route": {"type": "ListRelationship", "objectList": ["not a uri"]}},
    ),
    attrs_case(
        "4522_01_03-listProperty-value",
        {"depths": {"type": "ListProperty", "valueList": [1.2], "value": 3}},
    ),
    attrs_case(
        "4524_01_02-json-unitCode",
        {"tickets": {"type": "JsonProperty", "json": {"a": 1}, "unitCode": "MTR"}},
    ),
    attrs_case(
        "4524_01_03-json-value", {"tickets": {"type": "JsonProperty", "json": {"a": 1}, "value": 1}}
    ),
    attrs_case("4524_01_04-json-scalar", {"tickets": {"type": "JsonProperty", "json": 5}}),
    attrs_case("452_01_01-property-object", {"speed": prop(1, object="urn:ngsi-ld:Other:1")}),
    attrs_case("452_01_02-property-languageMap", {"speed": prop(1, languageMap={"en": "hello"})}),
    attrs_case("452_01_03-property-valueList", {"speed": prop(1, valueList=[1, 2])}),
    attrs_case(
        "452_01_04-property-previousValue",
        {"speed": prop(1, previousValue=0)},
    ),
    attrs_case(
        "452_01_05-property-entityIdSealed",
        {"speed": prop(1, entityIdSealed=True)},
    ),
    attrs_case(
        "452_01_06-property-valueType",
        {"speed": prop(1, valueType="xsd:double")},
        201,
    ),
    attrs_case(
        "452_03_02-sealed-outside-proof",
        {"speed": prop(1, entityIdSealed="urn:ngsi-ld:Vehicle:1")},
    ),
    attrs_case(
        "452_03_03-proof-not-object",
        {"ngsildproof": prop("not-a-proof-object")},
    ),
    attrs_case(
        "452_03_03-sealed-type-number",
        {"ngsildproof": prop(PROOF, entityTypeSealed=42)},
    ),
    attrs_case(
        "453_01_01-relationship-unitCode",
        {"isParked": rel("urn:ngsi-ld:P:1", unitCode="MTR")},
    ),
    attrs_case("453_01_02-relationship-value", {"isParked": rel("urn:ngsi-ld:P:1", value=42)}),
    attrs_case(
        "453_01_03-relationship-languageMap",
        {"isParked": rel("urn:ngsi-ld:P:1", languageMap={"en": "hello"})},
    ),
    attrs_case(
        "453_01_04-relationship-previousObject",
        {"isParked": rel("urn:ngsi-ld:P:1", previousObject="urn:ngsi-ld:Other:0")},
    ),
    attrs_case(
        "453_01_05-relationship-objectType",
        {"isParked": rel("urn:ngsi-ld:P:1", objectType="OffStreetParking")},
        201,
    ),
    attrs_case(
        "455_01_02-two-defaults",
        {"speed": [prop(55), prop(11, datasetId="@none")]},
    ),
    attrs_case(
        "455_01_03-duplicate-datasetId",
        {
            "speed": [
                prop(55, datasetId="urn:ngsi-ld:Dataset:a"),
                prop(1, datasetId="urn:ngsi-ld:Dataset:a"),
            ]
        },
    ),
    attrs_case("462_01_01-name-with-space", {"my attr": prop(1)}),
    attrs_case(
        "463_01_01-geometry-collection",
        {
            "location": {
                "type": "GeoProperty",
                "value": {
                    "type": "GeometryCollection",
                    "geometries": [{"type": "Point", "coordinates": [17.1, 48.7]}],
                },
            }
        },
    ),
    attrs_case(
        "463_01_03-observedAt-offset",
        {"speed": prop(3, observedAt="2026-08-10T12:00:00+02:00")},
    ),
    attrs_case(
        "465_01_02-languageMap-null",
        {"brandName": {"type": "LanguageProperty", "languageMap": {"@none": NULL}}},
    ),
    attrs_case(
        "465_01_03-languageMap-number",
        {"brandName": {"type": "LanguageProperty", "languageMap": {"en": 5}}},
    ),
    attrs_case(
        "471_01_02-geometry-text", {"location": {"type": "GeoProperty", "value": "not a geometry"}}
    ),
    attrs_case("471_01_03-location-property", {"location": prop(7)}),
    attrs_case(
        "521_01_01-null-value",
        {"probe": prop(NULL)},
    ),
    attrs_case(
        "521_01_02-null-object",
        {"probe": rel(NULL)},
    ),
    attrs_case(
        "521_01_03-null-sub-attribute",
        {"probe": prop(1, sub=prop(NULL))},
    ),
    attrs_case(
        "5232_01_01-valueType-langString",
        {
            "probe": {
                "type": "LanguageProperty",
                "languageMap": {"en": "hello", "sk": ["ahoj", "servus"]},
                "valueType": "langString",
            }
        },
        201,
    ),
    attrs_case(
        "5232_01_02-valueType-other",
        {
            "probe": {
                "type": "LanguageProperty",
                "languageMap": {"en": "x"},
                "valueType": "xsd:string",
            }
        },
    ),
    attrs_case(
        "5232_01_04-mixed-array",
        {"probe": {"type": "LanguageProperty", "languageMap": {"en": ["a", 5]}}},
    ),
    attrs_case(
        "5232_01_05-empty-tag", {"probe": {"type": "LanguageProperty", "languageMap": {"": "x"}}}
    ),
    attrs_case("554_01_01-null-scope", {"scope": NULL}),
    attrs_case(
        "554_01_02-null-in-value",
        {"address": prop({"country": NULL})},
    ),
    attrs_case(
        "554_01_02-null-deep-in-value",
        {"address": prop({"geo": {"country": NULL}})},
    ),
]


@pytest.mark.parametrize(("attrs", "status"), STATUS_CASES)
def test_create_with_this_attribute_answers(suite, attrs: dict[str, Any], status: int):
    entity_id = random_id("urn:ngsi-ld:Vehicle:")
    response = suite.create(ld(vehicle(entity_id, **attrs)))
    if status == 400:
        problem(response, 400, "BadRequestData")
        assert suite.retrieve(entity_id).status_code == 404
    else:
        assert response.status_code == status, response.text
