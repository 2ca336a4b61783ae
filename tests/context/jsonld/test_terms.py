"""Term expansion and compaction against user contexts, with the core context applied last."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smartcity.context.jsonld import (
    CORE_CONTEXT_URL,
    DEFAULT_VOCAB,
    ContextError,
    ContextResolver,
    InvalidContext,
)

SDM = "https://smartdatamodels.org/"
USER = {
    "sdm": SDM,
    "temperature": "sdm:temperature",
    "Room": {"@id": "https://example.org/types/Room"},
    "category": {"@id": "sdm:category", "@type": "@vocab"},
    "tmp": "sdm:temperature",
}


@pytest.fixture
def offline() -> Iterator[ContextResolver]:
    with ContextResolver() as resolver:
        yield resolver


def test_a_term_expands_to_its_iri(offline: ContextResolver) -> None:
    ctx = offline.resolve(USER)
    assert ctx.expand_term("temperature") == SDM + "temperature"
    assert ctx.expand_type("Room") == "https://example.org/types/Room"


def test_a_compact_iri_expands_through_its_prefix(offline: ContextResolver) -> None:
    assert offline.resolve(USER).expand_term("sdm:humidity") == SDM + "humidity"
    assert offline.core.expand_term("ngsi-ld:foo") == "https://uri.etsi.org/ngsi-ld/foo"


@pytest.mark.parametrize(
    "iri", ["https://example.org/a#b", "urn:ngsi-ld:Thing:1", "http://x.org/y", "_:b0"]
)
def test_absolute_iris_are_left_alone(offline: ContextResolver, iri: str) -> None:
    assert offline.resolve(USER).expand_term(iri) == iri


def test_unknown_terms_fall_into_the_default_vocabulary(offline: ContextResolver) -> None:
    assert offline.core.expand_term("speed") == DEFAULT_VOCAB + "speed"
    assert offline.resolve(USER).expand_term("speed") == DEFAULT_VOCAB + "speed"


def test_a_user_vocab_is_superseded_by_the_core_default_vocabulary(
    offline: ContextResolver,
) -> None:
    ctx = offline.resolve({"@vocab": "https://example.org/vocab#", "speed2": {}})
    assert ctx.expand_term("speed2") == "https://example.org/vocab#speed2"  # defined under it
    assert ctx.expand_term("other") == DEFAULT_VOCAB + "other"
    assert ctx.vocab == DEFAULT_VOCAB


def test_compaction_prefers_the_shortest_term(offline: ContextResolver) -> None:
    ctx = offline.resolve(USER)
    assert ctx.compact_iri(SDM + "temperature") == "tmp"


def test_compaction_falls_back_to_a_compact_iri_then_the_iri(offline: ContextResolver) -> None:
    ctx = offline.resolve(USER)
    assert ctx.compact_iri(SDM + "humidity") == "sdm:humidity"
    assert ctx.compact_iri("https://other.org/x") == "https://other.org/x"
    assert ctx.compact_iri(DEFAULT_VOCAB + "speed") == "speed"
    assert ctx.compact_iri("https://uri.etsi.org/ngsi-ld/location") == "location"


def test_terms_and_compaction_round_trip(offline: ContextResolver) -> None:
    ctx = offline.resolve(USER)
    for term in ["tmp", "Room", "category", "sdm:humidity", "speed", "location", "urn:x:y"]:
        assert ctx.expand_term(ctx.compact_iri(ctx.expand_term(term))) == ctx.expand_term(term)


def test_a_list_of_contexts_applies_in_order(offline: ContextResolver) -> None:
    ctx = offline.resolve(
        [{"a": "https://one.org/a", "b": "https://one.org/b"}, {"b": "https://two.org/b"}]
    )
    assert ctx.expand_term("a") == "https://one.org/a"
    assert ctx.expand_term("b") == "https://two.org/b"


def test_terms_may_use_prefixes_defined_later_in_the_same_object(
    offline: ContextResolver,
) -> None:
    ctx = offline.resolve({"speed": "ex:speed", "ex": "https://example.org/"})
    assert ctx.expand_term("speed") == "https://example.org/speed"


def test_a_null_term_removes_an_earlier_definition(offline: ContextResolver) -> None:
    ctx = offline.resolve([{"x": "https://a.org/x"}, {"x": None}])
    assert ctx.expand_term("x") == DEFAULT_VOCAB + "x"


def test_user_definitions_of_core_terms_are_overridden_by_the_core(
    offline: ContextResolver,
) -> None:
    ctx = offline.resolve({"location": "https://evil.org/location", "Property": "https://x/P"})
    assert ctx.expand_term("location") == "https://uri.etsi.org/ngsi-ld/location"
    assert ctx.expand_term("Property") == "https://uri.etsi.org/ngsi-ld/Property"


def test_core_terms_cannot_be_redefined_after_the_core(offline: ContextResolver) -> None:
    with pytest.raises(InvalidContext, match="protected"):
        offline.resolve([CORE_CONTEXT_URL, {"location": "https://evil.org/location"}])


def test_restating_a_core_term_identically_after_the_core_is_allowed(
    offline: ContextResolver,
) -> None:
    ctx = offline.resolve([CORE_CONTEXT_URL, {"location": "ngsi-ld:location", "x": "ngsi-ld:x"}])
    assert ctx.expand_term("x") == "https://uri.etsi.org/ngsi-ld/x"


def test_a_null_context_after_the_core_is_invalid(offline: ContextResolver) -> None:
    with pytest.raises(InvalidContext, match="null"):
        offline.resolve([CORE_CONTEXT_URL, None])


@pytest.mark.parametrize(
    "ctx",
    [
        42,
        [True],
        {"a": 5},
        {"a": {"@id": 5}},
        {"a": {"@id": "relative"}, "@vocab": None},
        {"a": {"@bogus": "x"}},
        {"@vocab": "not-absolute"},
        {"a": "b:x", "b": "a:y"},  # cyclic IRI mapping
        {"@version": 1.0},
        {"@import": "https://example.org/ctx"},
        {"@protected": "yes"},
        {"@foo": "x"},
        {"a": {"@id": "https://x/a", "@type": 3}},
        {"a": {"@id": "https://x/a", "@container": 3}},
        "./relative.jsonld",
    ],
)
def test_invalid_contexts_are_rejected(offline: ContextResolver, ctx: object) -> None:
    with pytest.raises(InvalidContext) as caught:
        offline.resolve(ctx)  # type: ignore[arg-type]
    assert isinstance(caught.value, ContextError)
    assert caught.value.status == 400
    assert caught.value.problem()["type"].endswith("/BadRequestData")


def test_the_same_context_resolves_to_the_same_cached_object(offline: ContextResolver) -> None:
    first = offline.resolve({"a": "https://x/a", "b": "https://x/b"})
    assert offline.resolve({"b": "https://x/b", "a": "https://x/a"}) is first


def test_a_resolved_context_cannot_be_changed(offline: ContextResolver) -> None:
    ctx = offline.resolve(USER)
    with pytest.raises(TypeError):
        ctx.terms["temperature"] = ctx.terms["tmp"]  # type: ignore[index]
