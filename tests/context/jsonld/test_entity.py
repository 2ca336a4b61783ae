"""Entities to the stored form and back: Smart Data Models examples and every attribute kind."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from smartcity.context.jsonld import (
    ATTRIBUTE_MEMBERS,
    DEFAULT_VOCAB,
    ContextResolver,
    core_document,
)
from tests.context.jsonld.conftest import ContextServer

SDM_DIR = Path("/work/shared/data/smart-data-models")
EXAMPLES = sorted(SDM_DIR.glob("*/example-normalized.jsonld"))
CORE_TERMS = set(core_document()["@context"])
NGSI = "https://uri.etsi.org/ngsi-ld/"


def _names(attribute: Any, found: set[str]) -> None:
    for item in attribute if isinstance(attribute, list) else [attribute]:
        if isinstance(item, dict):
            for key, member in item.items():
                if key not in ATTRIBUTE_MEMBERS:
                    found.add(key)
                    _names(member, found)


def _sdm_context(example: dict[str, Any], model: str) -> dict[str, Any]:
    """A context like the model's published one: every name under smartdatamodels.org."""
    names = {example["type"]}
    for key, value in example.items():
        if key not in {"id", "type", "@context"}:
            names.add(key)
            _names(value, names)
    base = f"https://smartdatamodels.org/{model}/"
    return {"@context": {n: base + n for n in sorted(names - CORE_TERMS)}}


def _served(example: dict[str, Any], server: ContextServer) -> list[str]:
    """The example's @context with the GitHub URLs replaced by the same path on loopback."""
    out = []
    for url in example["@context"]:
        if url.startswith("https://raw.githubusercontent.com/"):
            path = "/" + url.split("/", 3)[3]
            model = url.split("/")[4]
            url = server.serve_json(path, _sdm_context(example, model))
        out.append(url)
    return out


@pytest.mark.skipif(not EXAMPLES, reason="no Smart Data Models examples")
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_smart_data_models_examples_round_trip(
    path: Path, context_server: ContextServer, resolver: ContextResolver
) -> None:
    example = json.loads(path.read_text("utf-8"))
    ctx = resolver.resolve(_served(example, context_server))
    stored = ctx.expand_entity(example)
    assert "@context" not in stored
    assert stored["type"].startswith("https://smartdatamodels.org/dataModel.")
    for name, attribute in stored.items():
        if name in {"id", "type"}:
            continue
        assert name.startswith("https://smartdatamodels.org/") or name in CORE_TERMS, name
        assert attribute["type"] in {"Property", "Relationship", "GeoProperty"}
    expected = {k: v for k, v in example.items() if k != "@context"}
    assert ctx.compact_entity(stored) == expected
    # Another client without the model's context sees full IRIs, which expand to the same names.
    bare = resolver.resolve(None).compact_entity(stored)
    assert resolver.resolve(None).expand_entity(bare) == stored


@pytest.fixture
def ctx(resolver: ContextResolver) -> Any:
    return resolver.resolve(
        {
            "ex": "https://example.org/",
            "Sensor": "ex:Sensor",
            "speed": "ex:speed",
            "accuracy": "ex:accuracy",
            "category": {"@id": "ex:category", "@type": "@vocab"},
            "fast": "ex:fast",
            "Road": "ex:Road",
        }
    )


ENTITY = {
    "id": "urn:ngsi-ld:Sensor:1",
    "type": "Sensor",
    "scope": ["/Shanghai/Huangpu"],
    "createdAt": "2026-01-05T01:00:00Z",
    "speed": [
        {
            "type": "Property",
            "value": 12.5,
            "unitCode": "KMH",
            "observedAt": "2026-01-05T01:00:00Z",
            "accuracy": {"type": "Property", "value": 0.1},
        },
        {"type": "Property", "value": 13, "datasetId": "urn:ngsi-ld:Dataset:radar"},
    ],
    "category": {"type": "VocabProperty", "vocab": ["fast", "slow"]},
    "on": {"type": "Relationship", "object": "urn:ngsi-ld:Road:1", "objectType": "Road"},
    "name": {"type": "LanguageProperty", "languageMap": {"zh": "南京路", "en": "Nanjing Rd"}},
    "extra": {"type": "JsonProperty", "json": {"speed": 1, "type": "x"}},
    "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [121.4, 31.2]}},
    "@context": "https://example.org/ignored.jsonld",
}


def test_the_stored_form_has_iris_for_names_and_short_ngsi_ld_members(ctx: Any) -> None:
    stored = ctx.expand_entity(ENTITY)
    assert stored["id"] == "urn:ngsi-ld:Sensor:1"
    assert stored["type"] == "https://example.org/Sensor"
    assert stored["scope"] == ["/Shanghai/Huangpu"]
    speed = stored["https://example.org/speed"]
    assert speed[0]["unitCode"] == "KMH" and speed[0]["observedAt"] == "2026-01-05T01:00:00Z"
    assert speed[0]["https://example.org/accuracy"] == {"type": "Property", "value": 0.1}
    assert speed[1]["datasetId"] == "urn:ngsi-ld:Dataset:radar"
    vocab = stored["https://example.org/category"]["vocab"]
    assert vocab == ["https://example.org/fast", DEFAULT_VOCAB + "slow"]
    assert stored[DEFAULT_VOCAB + "on"]["objectType"] == "https://example.org/Road"
    assert stored[DEFAULT_VOCAB + "name"]["languageMap"]["zh"] == "南京路"
    assert stored[DEFAULT_VOCAB + "extra"]["json"] == {"speed": 1, "type": "x"}  # opaque
    assert stored["location"]["value"]["type"] == "Point"  # GeoJSON is opaque, core name short
    assert "@context" not in stored


def test_compaction_inverts_expansion(ctx: Any) -> None:
    expected = {k: v for k, v in ENTITY.items() if k != "@context"}
    assert ctx.compact_entity(ctx.expand_entity(expected)) == expected


def test_a_client_with_another_context_sees_its_own_names(ctx: Any, resolver: Any) -> None:
    stored = ctx.expand_entity(ENTITY)
    other = resolver.resolve({"v": "https://example.org/speed", "cat": "https://example.org/"})
    seen = other.compact_entity(stored)
    assert "v" in seen and "location" in seen
    assert seen["cat:category"]["vocab"] == ["cat:fast", "slow"]
    assert seen["type"] == "cat:Sensor"


def test_core_named_attributes_are_stored_by_their_core_term(resolver: Any) -> None:
    stored = resolver.core.expand_entity(
        {
            "id": "urn:x",
            "type": "T",
            "description": {"type": "Property", "value": "d"},
            "observationSpace": {"type": "GeoProperty", "value": {}},
        }
    )
    assert set(stored) == {"id", "type", "description", "observationSpace"}
    assert resolver.core.stored_name("ngsi-ld:location") == "location"
    assert resolver.core.stored_name(NGSI + "location") == "location"


def test_attribute_types_given_as_iris_are_stored_short(resolver: Any) -> None:
    stored = resolver.core.expand_entity(
        {"id": "urn:x", "type": "T", "a": {"type": NGSI + "Property"}}
    )
    assert stored[DEFAULT_VOCAB + "a"]["type"] == "Property"


def test_concise_values_pass_through_untouched(ctx: Any) -> None:
    stored = ctx.expand_entity({"id": "urn:x", "type": ["Sensor", "Road"], "speed": 5, "tags": [1]})
    assert stored == {
        "id": "urn:x",
        "type": ["https://example.org/Sensor", "https://example.org/Road"],
        "https://example.org/speed": 5,
        DEFAULT_VOCAB + "tags": [1],
    }


def test_stored_and_present_names_are_inverse(ctx: Any) -> None:
    for name in ["speed", "location", "description", "unknown", "ex:other", "urn:a:b"]:
        assert ctx.expand_term(ctx.present_name(ctx.stored_name(name))) == ctx.expand_term(name)


def test_expanding_an_entity_of_ten_attributes_is_fast(ctx: Any) -> None:
    entity = {"id": "urn:ngsi-ld:Sensor:1", "type": "Sensor"}
    for i in range(9):
        entity[f"attr{i}"] = {"type": "Property", "value": i, "observedAt": "2026-01-05T01:00:00Z"}
    entity["speed"] = {"type": "Property", "value": 1, "accuracy": {"type": "Property", "value": 0}}
    rounds = 2000
    start = time.perf_counter()
    for _ in range(rounds):
        stored = ctx.expand_entity(entity)
    expand = (time.perf_counter() - start) / rounds
    start = time.perf_counter()
    for _ in range(rounds):
        ctx.compact_entity(stored)
    compact = (time.perf_counter() - start) / rounds
    print(f"\nexpand_entity: {expand * 1e6:.1f} µs, compact_entity: {compact * 1e6:.1f} µs")
