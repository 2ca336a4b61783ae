"""Antares-extension CreateEntity checks on ids, names, scopes and @context (not ETSI-official):
scope grammar (418_01), invisible characters in ids (451_02), names (462_01), the null URN
(554_01), scoped contexts (557_01), LanguageProperty as JSON (5232_01), broken JSON (554_01_05)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import problem, random_id
from tests.context.conformance.samples import JSON, LD, ld, prop, rel, vehicle
from tests.context.conformance.test_create_extensions import NULL


@pytest.mark.parametrize(
    ("scope", "status"),
    [
        pytest.param("9bad", 400, id="418_01_01"),
        pytest.param("/a//b", 400, id="418_01_02"),
        pytest.param("a-b", 400, id="418_01_03"),
        pytest.param(NULL, 400, id="418_01_04"),
        pytest.param(["/ok", "9bad"], 400, id="418_01_05"),
        pytest.param("/Madrid/Gardens/ParqueNorte", 201, id="418_01_06"),
    ],
)
def test_418_01_scope_grammar(suite, scope: Any, status: int):
    entity = {"id": random_id(), "type": "Building", "scope": scope}
    assert suite.create(entity, JSON).status_code == status


CODEPOINTS = [
    pytest.param(c, id=f"451_02-U+{c:04X}")
    for c in (
        *(0x202E, 0x200B, 0xFEFF, 0x2028, 0xA0, 0x3C, 0xFE0F, 0xE0100, 0xFDD0, 0xFFFE),
        *(0x115F, 0x3164, 0xFFA0, 0x2800),
    )
]


@pytest.mark.parametrize("codepoint", CODEPOINTS)
def test_451_02_an_id_with_an_invisible_or_markup_character_is_refused(suite, codepoint: int):
    entity_id = f"urn:ngsi-ld:Vehicle:A{chr(codepoint)}B"
    problem(suite.create(ld(vehicle(entity_id))), 400, "BadRequestData")


@pytest.mark.parametrize("letter", ["\u00ed", "\u8def"], ids=["latin", "chinese"])
def test_451_02_an_iri_entity_id_is_created(suite, letter: str):
    entity_id = f"urn:ngsi-ld:Streetlight:{letter}{random_id('')}"
    response = suite.create(ld(vehicle(entity_id)))
    assert response.status_code == 201, response.text
    assert suite.retrieve(entity_id).json()["id"] == entity_id


def test_451_02_07_a_relationship_to_an_iri_is_accepted(suite):
    entity = ld(vehicle(random_id(), isParked=rel("urn:ngsi-ld:Ciudad:Par\u00eds")))
    assert suite.create(entity).status_code == 201


def test_462_01_02_a_type_starting_with_a_digit_is_refused(suite):
    entity = ld({"id": random_id(), "type": "9Vehicle", "speed": prop(1)})
    problem(suite.create(entity), 400, "BadRequestData")


def test_554_01_01_the_null_urn_is_not_an_entity_id(suite):
    problem(suite.create(ld(vehicle(NULL))), 400, "BadRequestData")


def test_557_01_01_a_scoped_context_is_refused(suite):
    scoped = {"Vehicle": {"@id": "https://example.org/Vehicle", "@context": {"s": "https://x/s"}}}
    entity = {"id": random_id(), "type": "Vehicle", "@context": [scoped]}
    problem(suite.create(entity), 400, "BadRequestData")


@pytest.mark.parametrize(
    ("probe", "status"),
    [
        pytest.param({"type": "LanguageProperty", "languageMap": {"en": 5}}, 400, id="5232_01_03"),
        pytest.param({"type": "LanguageProperty"}, 400, id="5232_01_06"),
    ],
)
def test_5232_01_language_property_as_json(suite, probe: dict[str, Any], status: int):
    response = suite.create({"id": random_id(), "type": "Building", "probe": probe}, JSON)
    problem(response, status, "BadRequestData")


def test_554_01_05_a_body_that_is_not_json_is_an_invalid_request(suite):
    raw = b'{"id": "urn:ngsi-ld:Vehicle:broken", "type":'
    problem(suite.request("POST", "/entities/", raw=raw, content_type=LD), 400, "InvalidRequest")
