"""Delivering from the outbox: status members, retries with backoff, throttling, timeInterval,
and notifications that outlive the process that recorded them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from smartcity.context.subscriptions.delivery import MAX_ATTEMPTS, deliver_due
from smartcity.context.subscriptions.models import PendingNotification
from smartcity.platform import Platform
from tests.context.api.conftest import streetlight
from tests.context.subscriptions.conftest import subscription

SL1 = "urn:ngsi-ld:Streetlight:001"


@pytest.fixture
def subscribe(ngsi, receiver, private_ok):
    def make(uri: str | None = None, **members: Any) -> str:
        response = ngsi.post("/subscriptions", subscription(uri or receiver.url, **members))
        assert response.status_code == 201, response.text
        return response.headers["location"].removeprefix("/ngsi-ld/v1")

    return make


def pending(platform: Platform) -> int:
    with platform.db.session() as session:
        return session.scalar(select(func.count()).select_from(PendingNotification)) or 0


def set_power(ngsi, value: str) -> None:
    body = {"powerState": {"type": "Property", "value": value}}
    assert ngsi.patch(f"/entities/{SL1}/attrs", body).status_code == 204


def test_a_delivered_notification_updates_the_status_members(ngsi, subscribe, deliver, clock):
    path = subscribe()
    ngsi.create(streetlight(1))
    clock.advance(seconds=3)
    assert deliver() == 1
    status = ngsi.get(path).json()["notification"]
    assert status["timesSent"] == 1 and status["timesFailed"] == 0
    assert status["status"] == "ok"
    assert status["lastNotification"] == status["lastSuccess"] == "2026-01-05T01:00:03.000Z"
    assert "lastFailure" not in status
    assert deliver() == 0  # delivered notifications leave the outbox


def test_a_failed_notification_is_retried_with_backoff_until_it_succeeds(
    ngsi, subscribe, deliver, clock, receiver, platform
):
    path = subscribe()
    receiver.status = 500
    ngsi.create(streetlight(1))
    assert deliver() == 1
    status = ngsi.get(path).json()["notification"]
    assert status["status"] == "failed" and status["timesFailed"] == 1
    assert status["lastFailure"] == "2026-01-05T01:00:00.000Z"
    assert deliver() == 0  # not again before the backoff
    clock.advance(seconds=1)
    assert deliver() == 1  # second attempt after 1 s
    assert deliver() == 0
    receiver.status = 200
    clock.advance(seconds=2)
    assert deliver() == 1  # third attempt after 2 s more
    status = ngsi.get(path).json()["notification"]
    assert status["status"] == "ok" and status["timesSent"] == 3 and status["timesFailed"] == 2
    assert len(receiver.requests) == 3 and pending(platform) == 0


def test_a_notification_is_given_up_after_the_last_attempt(
    ngsi, subscribe, deliver, clock, receiver, platform
):
    subscribe()
    receiver.status = 503
    ngsi.create(streetlight(1))
    for _ in range(MAX_ATTEMPTS):
        assert deliver() == 1
        clock.advance(minutes=5)
    assert pending(platform) == 0
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_a_redirect_is_not_followed_and_counts_as_a_failure(ngsi, subscribe, deliver, receiver):
    path = subscribe()
    receiver.status = 307
    ngsi.create(streetlight(1))
    deliver()
    assert ngsi.get(path).json()["notification"]["status"] == "failed"


def test_throttling_drops_notifications_until_it_has_elapsed(
    ngsi, subscribe, deliver, clock, receiver
):
    subscribe(throttling=10)
    ngsi.create(streetlight(1))
    deliver()
    clock.advance(seconds=5)
    set_power(ngsi, "off")
    assert deliver() == 0
    clock.advance(seconds=6)
    set_power(ngsi, "on")
    deliver()
    assert [r.body["data"][0]["powerState"]["value"] for r in receiver.requests] == ["on", "on"]


def test_time_interval_notifies_the_matching_entities_every_period(
    ngsi, subscribe, deliver, clock, receiver
):
    ngsi.create(streetlight(1))
    ngsi.create({**streetlight(2), "type": "Lamp"})
    path = subscribe(timeInterval=60)
    set_power(ngsi, "off")  # changes do not notify a periodic subscription
    assert deliver() == 0
    clock.advance(seconds=60)
    assert deliver() == 1
    [first] = receiver.bodies
    assert [e["id"] for e in first["data"]] == [SL1]
    assert first["data"][0]["powerState"]["value"] == "off"
    assert "triggerReason" not in first
    clock.advance(seconds=30)
    assert deliver() == 0
    clock.advance(seconds=30)
    assert deliver() == 1
    assert ngsi.patch(path, {"isActive": False}).status_code == 204
    clock.advance(seconds=60)
    assert deliver() == 0


def test_pausing_drops_what_was_still_pending(ngsi, subscribe, deliver, receiver, platform):
    path = subscribe()
    ngsi.create(streetlight(1))
    assert pending(platform) == 1
    assert ngsi.patch(path, {"isActive": False}).status_code == 204
    assert deliver() == 0
    assert receiver.requests == [] and pending(platform) == 0


def test_deleting_a_subscription_deletes_its_pending_notifications(ngsi, subscribe, platform):
    path = subscribe()
    ngsi.create(streetlight(1))
    assert pending(platform) == 1
    assert ngsi.delete(path).status_code == 204
    assert pending(platform) == 0


def test_pending_notifications_survive_a_restart(ngsi, subscribe, platform, clock, receiver):
    subscribe()
    ngsi.create(streetlight(1))
    restarted = Platform.from_settings(platform.settings, clock=clock)
    try:
        assert deliver_due(restarted, clock.now()) == 1
    finally:
        restarted.close()
    assert [r.body["data"][0]["id"] for r in receiver.requests] == [SL1]


def test_a_loopback_endpoint_is_refused_when_private_targets_are_not_allowed(
    ngsi, subscribe, deliver, receiver, platform
):
    path = subscribe(receiver.url.replace("127.0.0.1", "localhost"))
    platform.settings.notify_allow_private = False
    ngsi.create(streetlight(1))
    deliver()
    assert receiver.requests == []
    status = ngsi.get(path).json()["notification"]
    assert status["status"] == "failed" and status["timesFailed"] == 1
    with platform.db.session() as session:
        reason = session.scalar(select(PendingNotification.last_error))
    assert reason is not None and "loopback" in reason
