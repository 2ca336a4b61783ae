"""ETSI TP/NGSI-LD/CommonBehaviours and Consumption/Discovery: the parent conftest's broker, with
two more @context documents served under the suite's host: one that is not JSON and one without
an `@context` member (clause 5.5.6), next to one that answers 404."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from smartcity.context.jsonld import ContextResolver
from smartcity.platform import Platform
from tests.context.conformance.conftest import (
    SUITE_CONTEXT,
    SUITE_HOST,
    SUITE_RAW,
    SUITE_TERMS_URL,
    Suite,
    suite_document,
)

BROKEN_CONTEXT = f"{SUITE_RAW}/broken.jsonld"  # answers a body that is not JSON
MEMBERLESS_CONTEXT = f"{SUITE_RAW}/invalid.jsonld"  # JSON without an @context member
MISSING_CONTEXT = f"{SUITE_RAW}/unretrievable.jsonld"  # answers 404
UNKNOWN_HOST_CONTEXT = "https://unretrievable.example.org/context.jsonld"


def _serve(request: httpx.Request) -> httpx.Response:
    url = str(request.url)
    if url in (SUITE_CONTEXT, SUITE_TERMS_URL):
        return httpx.Response(200, json=suite_document(url))
    if url == BROKEN_CONTEXT:
        return httpx.Response(200, content=b"this is { not json")
    if url == MEMBERLESS_CONTEXT:
        return httpx.Response(200, json={"note": "no context member here"})
    return httpx.Response(404)


@pytest.fixture(scope="module")
def suite_platform(suite_platform: Platform) -> Iterator[Platform]:
    """The parent's broker, resolving @context URLs through `_serve`."""
    previous = suite_platform.contexts
    suite_platform.contexts = ContextResolver(
        allowed_hosts=[SUITE_HOST], transport=httpx.MockTransport(_serve)
    )
    if previous is not None:
        previous.close()
    yield suite_platform


def random_tenant(prefix: str) -> str:
    return prefix + "".join(random.choices("0123456789", k=8))


def random_subscription_id() -> str:
    return "urn:ngsi-ld:Subscription:" + "".join(random.choices("0123456789", k=16))


def subscription(subscription_id: str) -> dict[str, Any]:
    """subscription.jsonld: Buildings, every 5 s, keyValues, in the suite's @context."""
    return {
        "id": subscription_id,
        "type": "Subscription",
        "entities": [{"type": "Building"}],
        "timeInterval": 5,
        "notification": {
            "format": "keyValues",
            "endpoint": {"uri": "http://localhost:1111/notify", "accept": "application/json"},
        },
        "@context": [SUITE_CONTEXT],
    }


@pytest.fixture
def subscription_id(suite: Suite) -> Iterator[str]:
    """One subscription for the test, deleted afterwards."""
    sid = random_subscription_id()
    created = suite.request(
        "POST", "/subscriptions", body=subscription(sid), content_type="application/ld+json"
    )
    assert created.status_code == 201, created.text
    yield sid
    suite.request("DELETE", f"/subscriptions/{sid}")
