"""The built-in NGSI-LD core context answers to every published URL without the network."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from smartcity.context.jsonld import (
    CORE_CONTEXT_URL,
    CORE_CONTEXT_URLS,
    DEFAULT_VOCAB,
    ContextResolver,
    core_document,
)


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"unexpected network access to {request.url}")


@pytest.fixture
def offline() -> Iterator[ContextResolver]:
    with ContextResolver(transport=httpx.MockTransport(_no_network)) as resolver:
        yield resolver


def test_core_document_is_the_protected_v1_8_context() -> None:
    ctx = core_document()["@context"]
    assert ctx["@protected"] is True and ctx["@version"] == 1.1
    assert ctx["@vocab"] == DEFAULT_VOCAB
    assert ctx["VocabProperty"] == "ngsi-ld:VocabProperty"  # new in v1.8
    assert ctx["vocab"] == {"@id": "ngsi-ld:hasVocab", "@type": "@vocab"}


@pytest.mark.parametrize("url", sorted(CORE_CONTEXT_URLS))
def test_every_core_url_resolves_offline_to_the_core(offline: ContextResolver, url: str) -> None:
    assert offline.resolve(url) is offline.core
    assert offline.resolve([url]).expand_term("location") == "https://uri.etsi.org/ngsi-ld/location"


def test_core_urls_include_the_v1_6_v1_7_v1_8_and_unversioned_names() -> None:
    names = {u.rsplit("/", 1)[1] for u in CORE_CONTEXT_URLS}
    assert names == {
        "ngsi-ld-core-context.jsonld",
        "ngsi-ld-core-context-v1.6.jsonld",
        "ngsi-ld-core-context-v1.7.jsonld",
        "ngsi-ld-core-context-v1.8.jsonld",
    }
    assert CORE_CONTEXT_URL in CORE_CONTEXT_URLS
    assert {u.split(":")[0] for u in CORE_CONTEXT_URLS} == {"http", "https"}


def test_no_context_means_the_core(offline: ContextResolver) -> None:
    assert offline.resolve(None) is offline.core
    assert offline.resolve([]) is offline.core


def test_core_terms_expand_to_ngsi_ld_iris(offline: ContextResolver) -> None:
    core = offline.core
    assert core.expand_term("Property") == "https://uri.etsi.org/ngsi-ld/Property"
    assert core.expand_term("observedAt") == "https://uri.etsi.org/ngsi-ld/observedAt"
    assert core.expand_term("description") == "http://purl.org/dc/terms/description"
    assert core.expand_term("Point") == "https://purl.org/geojson/vocab#Point"
    assert core.expand_term("id") == "@id" and core.expand_term("type") == "@type"
    assert core.terms["vocab"].type_mapping == "@vocab"
    assert core.terms["languageMap"].container == ("@language",)
    assert all(d.protected for d in core.terms.values())


def test_core_data_file_has_a_readme_with_source_and_licence() -> None:
    from importlib import resources

    readme = resources.files("smartcity.context.jsonld").joinpath("data", "README.md")
    text = readme.read_text("utf-8")
    assert "BSD-3-Clause" in text and "forge.etsi.org" in text
