"""The payloads of the ETSI suite's data/subscriptions folder, re-expressed: subscriptions on
Buildings in the suite's @context, notifying http://localhost:1111/notify unless the test points
them at its receiver."""

from __future__ import annotations

from typing import Any

from tests.context.conformance.conftest import SUITE_CONTEXT, SUITE_NS

UNREACHABLE = "http://localhost:1111/notify"
BUILDINGS = [{"type": "Building"}]


def endpoint(uri: str = UNREACHABLE, accept: str | None = "application/json") -> dict[str, Any]:
    return {"uri": uri, "accept": accept} if accept else {"uri": uri}


def subscription(
    subscription_id: str,
    *,
    notification: dict[str, Any] | None = None,
    context: list[str] | None = None,
    **members: Any,
) -> dict[str, Any]:
    """A Subscription on Buildings; `context=[]` leaves the @context out of the body."""
    body: dict[str, Any] = {"id": subscription_id, "type": "Subscription"}
    body.setdefault("entities", BUILDINGS)
    body.update(members)
    body["notification"] = notification if notification is not None else {"endpoint": endpoint()}
    body["@context"] = [SUITE_CONTEXT] if context is None else context
    if not body["@context"]:
        del body["@context"]
    return body


def periodic(subscription_id: str) -> dict[str, Any]:
    """subscription.jsonld: every 5 s, keyValues."""
    return subscription(
        subscription_id,
        timeInterval=5,
        notification={"format": "keyValues", "endpoint": endpoint()},
    )


def watched(subscription_id: str) -> dict[str, Any]:
    """subscription-watchedAttributes.jsonld."""
    return subscription(
        subscription_id,
        watchedAttributes=["name", "subCategory"],
        notification={"format": "keyValues", "endpoint": endpoint()},
    )


def inactive(subscription_id: str) -> dict[str, Any]:
    """subscription-inactive.jsonld."""
    return subscription(
        subscription_id,
        isActive=False,
        notification={"format": "keyValues", "endpoint": endpoint()},
    )


def with_dataset(subscription_id: str) -> dict[str, Any]:
    """subscription-building-with-datasetId.jsonld."""
    return subscription(
        subscription_id,
        notification={"format": "normalized", "endpoint": endpoint(accept="application/ld+json")},
        datasetId=["urn:ngsi-ld:Dataset:french-name"],
    )


def with_json_ld_context(subscription_id: str, url: str) -> dict[str, Any]:
    """subscription-building-with-{invalid,unavailable,}-jsonldContext.jsonld."""
    body = with_dataset(subscription_id)
    del body["datasetId"]
    body["jsonldContext"] = url
    return body


def expected(subscription_id: str, body: dict[str, Any], **members: Any) -> dict[str, Any]:
    """A created subscription as retrieved: the default status and notificationTrigger added."""
    out = {**body, "id": subscription_id, "status": "active", **members}
    out.setdefault("notificationTrigger", ["attributeCreated", "attributeUpdated"])
    return out


def expanded_type(term: str) -> str:
    return SUITE_NS + term
