"""The ETSI suite's temporal keywords (TemporalContextInformation{Provision,Consumption}.resource)
over the parent conformance client, and the suite's terms its temporal payloads use."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from smartcity.context.jsonld import ContextResolver
from smartcity.platform import Platform
from tests.context.conformance.conftest import (
    CORE_V18,
    SUITE_CONTEXT,
    SUITE_HOST,
    SUITE_NS,
    SUITE_TERMS,
    SUITE_TERMS_URL,
    Suite,
    random_id,
)

TEMPORAL = "/temporal/entities"
LD = "application/ld+json"
JSON = "application/json"
# Terms of the suite's context its temporal expectations show expanded into its namespace.
TEMPORAL_TERMS = [*SUITE_TERMS, "fuelLevel", "Bus"]


def _suite_document(url: str) -> dict[str, Any]:
    if url == SUITE_CONTEXT:
        return {"@context": [SUITE_TERMS_URL, CORE_V18]}
    terms: dict[str, Any] = {term: SUITE_NS + term for term in TEMPORAL_TERMS}
    terms["vocabProperty"] = {"@id": SUITE_NS + "vocabProperty", "@type": "@vocab"}
    terms["jsonProperty"] = {"@id": SUITE_NS + "jsonProperty", "@type": "@json"}
    return {"@context": terms}


def _serve(request: httpx.Request) -> httpx.Response:
    url = str(request.url)
    if url not in (SUITE_CONTEXT, SUITE_TERMS_URL):
        return httpx.Response(404)
    return httpx.Response(
        200,
        content=orjson.dumps(_suite_document(url)),
        headers={"Content-Type": "application/ld+json"},
    )


@pytest.fixture(scope="module")
def suite_platform(suite_platform: Platform) -> Platform:
    """The parent's server, its suite context holding the temporal payloads' terms too."""
    suite_platform.contexts.close()
    suite_platform.contexts = ContextResolver(
        allowed_hosts=[SUITE_HOST], transport=httpx.MockTransport(_serve)
    )
    return suite_platform


def vehicle_id() -> str:
    """The suite's `Generate Random Vehicle Entity Id`."""
    return random_id("urn:ngsi-ld:Vehicle:")


def with_id(document: dict[str, Any], entity_id: str) -> dict[str, Any]:
    """A payload or expectation under the test's id (the suite's `Update Value To JSON $..id`)."""
    return {**copy.deepcopy(document), "id": entity_id}


class Temporal:
    """The suite's temporal keywords over a conformance client."""

    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        self.ids: list[str] = []

    def create(self, document: dict[str, Any], content_type: str = LD, **kw: Any) -> httpx.Response:
        return self.suite.request("POST", TEMPORAL, body=document, content_type=content_type, **kw)

    def created(self, document: dict[str, Any], entity_id: str | None = None) -> str:
        """`Create Temporal Representation Of Entity` under a fresh id, checked to be 201."""
        entity_id = entity_id or vehicle_id()
        response = self.create(with_id(document, entity_id))
        assert response.status_code == 201, response.text
        self.ids.append(entity_id)
        return entity_id

    def retrieve(self, entity_id: str, **kw: Any) -> httpx.Response:
        return self.suite.request("GET", f"{TEMPORAL}/{entity_id}", **kw)

    def query(self, **kw: Any) -> httpx.Response:
        return self.suite.request("GET", TEMPORAL, **kw)

    def query_post(
        self, body: dict[str, Any], content_type: str = JSON, **kw: Any
    ) -> httpx.Response:
        return self.suite.request(
            "POST", "/temporal/entityOperations/query", body=body, content_type=content_type, **kw
        )

    def delete(self, entity_id: str) -> httpx.Response:
        return self.suite.request("DELETE", f"{TEMPORAL}/{entity_id}")

    def append(
        self, entity_id: str, fragment: dict[str, Any], content_type: str = LD
    ) -> httpx.Response:
        return self.suite.request(
            "POST", f"{TEMPORAL}/{entity_id}/attrs", body=fragment, content_type=content_type
        )

    def delete_attribute(self, entity_id: str, name: str, **kw: Any) -> httpx.Response:
        return self.suite.request("DELETE", f"{TEMPORAL}/{entity_id}/attrs/{name}", **kw)

    def modify_instance(
        self, entity_id: str, name: str, instance_id: str, fragment: Any, **kw: Any
    ) -> httpx.Response:
        kw.setdefault("content_type", LD)
        path = f"{TEMPORAL}/{entity_id}/attrs/{name}/{instance_id}"
        return self.suite.request("PATCH", path, body=fragment, **kw)

    def delete_instance(
        self, entity_id: str, name: str, instance_id: str, **kw: Any
    ) -> httpx.Response:
        return self.suite.request(
            "DELETE", f"{TEMPORAL}/{entity_id}/attrs/{name}/{instance_id}", **kw
        )


@pytest.fixture
def temporal(suite: Suite) -> Iterator[Temporal]:
    """Temporal keywords; what a test created is deleted afterwards (the suite's teardowns)."""
    keywords = Temporal(suite)
    yield keywords
    for entity_id in keywords.ids:
        keywords.delete(entity_id)
