"""Our term expansion agrees with a full JSON-LD processor (pyld) on attribute names and types."""

from __future__ import annotations

from typing import Any

import pytest

from smartcity.context.jsonld import ContextResolver, core_document

jsonld = pytest.importorskip("pyld.jsonld")

CONTEXTS: list[Any] = [
    {},
    {"ex": "https://example.org/", "speed": "ex:speed", "Sensor": {"@id": "ex:Sensor"}},
    {"@vocab": "https://vocab.org/", "height": {}, "ex": "https://example.org/ns#"},
    [{"a": "https://one.org/a"}, {"a": "https://two.org/a", "b": "a"}],
    {"location": "https://evil.org/location", "description": "https://evil.org/d"},
    {"sdm": "https://smartdatamodels.org/", "NO2": "sdm:dataModel.Environment/NO2"},
]
NAMES = ["speed", "height", "a", "b", "ex:other", "NO2", "location", "description", "unknown"]
NAMES += ["attributeCount", "urn:ngsi-ld:x", "https://full.org/iri", "sdm:x"]


@pytest.mark.parametrize("user", CONTEXTS, ids=range(len(CONTEXTS)))
def test_attribute_names_and_types_expand_as_pyld_does(user: Any) -> None:
    core = core_document()["@context"]
    chain = [*(user if isinstance(user, list) else [user]), core]
    doc: dict[str, Any] = {"@context": chain, "id": "urn:x", "type": ["Sensor", "b"]}
    for name in NAMES:
        doc[name] = {"type": "Property", "value": 1}
    expanded = jsonld.expand(doc)[0]
    with ContextResolver() as resolver:
        ctx = resolver.resolve(user)
    ours = {ctx.expand_term(name) for name in NAMES}
    assert ours == set(expanded) - {"@id", "@type"}
    assert [ctx.expand_type(t) for t in ["Sensor", "b"]] == expanded["@type"]
