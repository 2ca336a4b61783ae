"""TP/NGSI-LD/ContextInformation/Subscription/SubscriptionNotificationBehaviour 046_42, 046_43
(pick and omit, clause 4.21), 49_01 (a linked-entity q, clause 4.9) and 5212_01 (a paused
subscription delivers nothing, Table 5.2.12-1)."""

from __future__ import annotations

import pytest

from tests.context.conformance.conftest import random_id, same
from tests.context.conformance.samples import ld, point, prop, rel, simple_attributes
from tests.context.conformance.subscription.conftest import JSON, LD, random_subscription_id
from tests.context.conformance.subscription.samples import endpoint, subscription
from tests.context.conformance.subscription.test_notifications import (
    AIR_QUALITY_5,
    update_attributes,
)
from tests.context.conformance.subscription.test_show_changes import (
    PARIS,
    STREET,
    different_types,
)


@pytest.mark.parametrize(
    ("projection", "want"),
    [
        pytest.param({"pick": ["id", "name"]}, {"name": prop("Tour Eiffel")}, id="046_42_01"),
        pytest.param(
            {"omit": ["type", "name"]},
            {"locatedAt": rel(PARIS), "location": point(-8.5, 41.2), "street": STREET},
            id="046_43_01",
        ),
    ],
)
def test_046_42_43_pick_and_omit_shape_the_notified_entity(
    suite, subs, receiver, notifications, projection, want
):
    entity_id = suite.created(ld(different_types(random_id())))
    notification = {"endpoint": endpoint(receiver.url), **projection}
    subs.created(subscription(random_subscription_id(), notification=notification))
    update_attributes(suite, entity_id, {"name": prop("Tour Eiffel")})
    notification_body, _ = notifications.one()
    same([{"id": entity_id, **want}], notification_body["data"])


def create_json(suite, entity: dict) -> str:
    return suite.created(entity, JSON)


def test_49_01_a_linked_entity_subquery_selects_what_notifies(suite, subs, receiver, notifications):
    low = create_json(
        suite, {"id": random_id("urn:ngsi-ld:Device:"), "type": "Device", "batteryLevel": prop(0.3)}
    )
    full = create_json(
        suite,
        {"id": random_id("urn:ngsi-ld:Device:"), "type": "Device", "batteryLevel": prop(0.95)},
    )
    body = {
        "id": random_subscription_id(),
        "type": "Subscription",
        "entities": [{"type": "Vehicle"}],
        "q": "isConnectedTo{batteryLevel}<0.5",
        "notification": {"endpoint": {"uri": receiver.url}},
    }
    sub_id = subs.created(body, JSON)
    create_json(
        suite,
        {"id": random_id("urn:ngsi-ld:Vehicle:"), "type": "Vehicle", "isConnectedTo": rel(full)},
    )
    vehicle_low = create_json(
        suite,
        {"id": random_id("urn:ngsi-ld:Vehicle:"), "type": "Vehicle", "isConnectedTo": rel(low)},
    )
    notification, _ = notifications.one()
    assert notification["subscriptionId"] == sub_id
    assert [e["id"] for e in notification["data"]] == [vehicle_low]


def test_5212_01_a_paused_subscription_notifies_nothing_until_resumed(
    suite, subs, receiver, notifications
):
    body = subscription(
        random_subscription_id(), isActive=False, notification={"endpoint": {"uri": receiver.url}}
    )
    sub_id = subs.created(body, LD)
    entity_id = suite.created(ld(simple_attributes(random_id())))
    notifications.none()  # 5212_01_01
    assert subs.update(sub_id, {"isActive": True}, JSON).status_code == 204
    update_attributes(suite, entity_id, AIR_QUALITY_5)
    notification, _ = notifications.one()  # 5212_01_02
    assert notification["subscriptionId"] == sub_id
    assert notification["data"][0]["id"] == entity_id
