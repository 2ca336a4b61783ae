"""TP/NGSI-LD/ContextInformation/Subscription/SubscriptionNotificationBehaviour/MQTT 058_*: an
mqtt:// endpoint (the MQTT notification binding) receives each notification once as
`{"metadata": headers, "body": notification}`, on the real Mosquitto at 127.0.0.1:1883."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import random_id
from tests.context.conformance.samples import ld, simple_attributes
from tests.context.conformance.subscription.conftest import random_subscription_id
from tests.context.conformance.subscription.samples import subscription
from tests.context.conformance.subscription.test_notifications import (
    AIR_QUALITY_5,
    update_attributes,
)
from tests.context.subscriptions.test_mqtt import listener

__all__ = ["listener"]


def notified_over_mqtt(suite, subs, deliver, listener, endpoint: dict[str, Any]) -> tuple:
    """subscription-building-entities-default on one Building, notifying `endpoint`."""
    entity_id = suite.created(ld(simple_attributes(random_id())))
    body = subscription(
        random_subscription_id(),
        entities=[{"type": "Building", "id": entity_id}],
        notification={"endpoint": endpoint},
    )
    sub_id = subs.created(body)
    update_attributes(suite, entity_id, AIR_QUALITY_5)
    deliver()
    messages = listener.wait()
    assert len(messages) == 1, messages
    return sub_id, entity_id, messages[0]


@pytest.mark.parametrize(
    "notifier_info",
    [
        pytest.param({}, id="058_01_01-plain"),
        pytest.param({"user": "user@"}, id="058_01_03-user"),
        pytest.param({"MQTT-QoS": "1"}, id="058_02_02-qos1"),
        pytest.param({"MQTT-QoS": "2"}, id="058_02_03-qos2"),
        pytest.param({"MQTT-Version": "mqtt3.1.1"}, id="058_03_02-v311"),
        pytest.param({"MQTT-Version": "mqtt5.0"}, id="058_03_03-v5"),
    ],
)
def test_058_01_03_an_mqtt_endpoint_receives_one_message(
    suite,
    subs,
    loopback_allowed,
    deliver,
    listener,
    notifier_info,
):
    user = notifier_info.pop("user", "")
    endpoint: dict[str, Any] = {"uri": f"mqtt://{user}127.0.0.1/{listener.topic}"}
    if notifier_info:
        endpoint["notifierInfo"] = [{"key": k, "value": v} for k, v in notifier_info.items()]
    sub_id, entity_id, message = notified_over_mqtt(suite, subs, deliver, listener, endpoint)
    assert message["body"]["subscriptionId"] == sub_id
    assert message["body"]["data"][0]["id"] == entity_id


def test_058_04_the_message_is_well_formed(
    suite,
    subs,
    loopback_allowed,
    deliver,
    listener,
):
    endpoint = {
        "uri": f"mqtt://127.0.0.1/{listener.topic}",
        "receiverInfo": [{"key": "test-receiver-key", "value": "test-receiver-info"}],
    }
    _, _, message = notified_over_mqtt(suite, subs, deliver, listener, endpoint)
    assert {"Content-Type", "Link"} <= set(message["metadata"])
    assert message["metadata"]["test-receiver-key"] == "test-receiver-info"
    assert message["body"]["type"] == "Notification"
    assert {"id", "type"} <= set(message["body"]["data"][0])
