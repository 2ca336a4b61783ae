"""The ETSI suite's subscription keywords (ContextInformationSubscription.resource,
NotificationUtils.resource) on the shared conformance broker: subscriptions created by a test are
deleted after it, and notifications arrive at a real HTTP receiver on loopback, delivered by
explicit passes of the outbox at the broker's fixed clock (the suite's mock server and sleeps)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from smartcity.context.subscriptions.delivery import deliver_due
from smartcity.platform import Platform
from tests.context.conformance.conftest import Suite
from tests.context.subscriptions.conftest import Received, Receiver, serve_receiver

LD = "application/ld+json"
JSON = "application/json"
SUBSCRIPTION_PREFIX = "urn:ngsi-ld:Subscription:"


def random_subscription_id() -> str:
    """The suite's `Generate Random Subscription Id`."""
    return SUBSCRIPTION_PREFIX + "".join(random.choices("0123456789", k=16))


class Subscriptions:
    """The suite's subscription keywords; remembers what it created so the test can clean up."""

    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        self.ids: list[str] = []

    def create(
        self,
        payload: dict[str, Any] | None,
        content_type: str = LD,
        *,
        raw: bytes | None = None,
        **kw: Any,
    ) -> httpx.Response:
        response = self.suite.request(
            "POST", "/subscriptions/", body=payload, raw=raw, content_type=content_type, **kw
        )
        if response.status_code == 201:
            self.ids.append(response.headers["Location"].rsplit("/", 1)[-1])
        return response

    def created(self, payload: dict[str, Any], content_type: str = LD, **kw: Any) -> str:
        response = self.create(payload, content_type, **kw)
        assert response.status_code == 201, response.text
        return self.ids[-1]

    def retrieve(self, subscription_id: str, **kw: Any) -> httpx.Response:
        kw.setdefault("content_type", JSON)
        return self.suite.request("GET", f"/subscriptions/{subscription_id}", **kw)

    def query(self, **kw: Any) -> httpx.Response:
        return self.suite.request("GET", "/subscriptions/", **kw)

    def update(
        self, subscription_id: str, fragment: Any, content_type: str = JSON, **kw: Any
    ) -> httpx.Response:
        return self.suite.request(
            "PATCH",
            f"/subscriptions/{subscription_id}",
            body=fragment,
            content_type=content_type,
            **kw,
        )

    def delete(self, subscription_id: str) -> httpx.Response:
        return self.suite.request("DELETE", f"/subscriptions/{subscription_id}")


@pytest.fixture
def subs(suite: Suite) -> Iterator[Subscriptions]:
    keeper = Subscriptions(suite)
    yield keeper
    for subscription_id in keeper.ids:
        keeper.delete(subscription_id)


@pytest.fixture(scope="module")
def _receiver_server() -> Iterator[Receiver]:
    """One loopback HTTP server per module (the suite's `Start Local Server`)."""
    with serve_receiver() as state:
        yield state


@pytest.fixture
def loopback_allowed(suite_platform: Platform) -> Iterator[None]:
    """Notifications may reach loopback for this test (SMARTCITY_NOTIFY_ALLOW_PRIVATE=1, as a
    conformance run with the suite's local mock server needs)."""
    saved = suite_platform.settings.notify_allow_private
    suite_platform.settings.notify_allow_private = True
    yield
    suite_platform.settings.notify_allow_private = saved


@pytest.fixture
def receiver(_receiver_server: Receiver, loopback_allowed: None) -> Receiver:
    """The receiver, emptied."""
    _receiver_server.requests.clear()
    _receiver_server.status = 200
    return _receiver_server


class Notifications:
    """The suite's `Wait for notification` / `Wait for no notification`, one outbox pass each."""

    def __init__(self, platform: Platform, receiver: Receiver) -> None:
        self.platform = platform
        self.receiver = receiver

    def deliver(self) -> list[Received]:
        deliver_due(self.platform, self.platform.clock.now())
        arrived = list(self.receiver.requests)
        self.receiver.requests.clear()
        return arrived

    def one(self) -> tuple[dict[str, Any], dict[str, str]]:
        arrived = self.deliver()
        assert len(arrived) == 1, [r.body for r in arrived]
        return arrived[0].body, arrived[0].headers

    def none(self) -> None:
        assert [r.body for r in self.deliver()] == []


@pytest.fixture
def deliver(suite_platform: Platform) -> Callable[[], int]:
    """One pass of the outbox at the broker's clock."""
    return lambda: deliver_due(suite_platform, suite_platform.clock.now())


@pytest.fixture
def notifications(suite_platform: Platform, receiver: Receiver) -> Notifications:
    notify = Notifications(suite_platform, receiver)
    notify.deliver()  # what earlier tests left in the outbox is not this test's
    return notify
