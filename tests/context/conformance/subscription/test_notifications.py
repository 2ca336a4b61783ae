"""TP/NGSI-LD/ContextInformation/Subscription/SubscriptionNotificationBehaviour 046_01–046_20:
when a notification is sent (clause 5.8.6), what it says (clause 5.3) and how the subscription's
status members follow (clause 5.2.14)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.context.conformance.conftest import (
    CORE_V18,
    SUITE_CONTEXT,
    SUITE_NS,
    gap,
    link,
    random_id,
    same,
)
from tests.context.conformance.samples import (
    building,
    ld,
    location_attribute,
    prop,
    rel,
    simple_attributes,
    simple_vehicle,
)
from tests.context.conformance.subscription.conftest import LD, random_subscription_id
from tests.context.conformance.subscription.samples import endpoint, subscription

AIR_QUALITY_5 = {"airQualityLevel": prop(5, unitCode="C62", observedAt="2020-10-10T16:40:00.000Z")}
FRENCH = "urn:ngsi-ld:Dataset:french-name"
FRENCH_NAME = {"name": prop("Le Tour Eiffel", datasetId=FRENCH)}


def update_attributes(suite, entity_id: str, fragment: dict[str, Any], status: int = 204) -> None:
    """The suite's `Update Entity Attributes` with an application/ld+json fragment."""
    response = suite.request(
        "PATCH", f"/entities/{entity_id}/attrs/", body=ld(fragment), content_type=LD
    )
    assert response.status_code == status, response.text


def subscribe(subs, receiver, entity_id: str | None, **members: Any) -> str:
    """`Load Subscription Sample With Reachable Endpoint` and `Set Entity Id In Subscription`."""
    notification = members.pop("notification", {"format": "normalized"})
    accept = notification.pop("accept", "application/json")
    body = subscription(
        random_subscription_id(),
        notification={**notification, "endpoint": endpoint(receiver.url, accept)},
        **members,
    )
    if entity_id is not None:
        body["entities"] = [{**body["entities"][0], "id": entity_id}]
    return subs.created(body)


@pytest.fixture
def tower(suite) -> str:
    """building-simple-attributes, created before the subscription."""
    return suite.created(ld(simple_attributes(random_id())))


def is_datetime(value: Any) -> bool:
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def test_046_01_an_active_subscription_notifies(suite, subs, receiver, notifications, tower):
    sub_id = subscribe(subs, receiver, tower, isActive=True)
    update_attributes(suite, tower, AIR_QUALITY_5)
    notification, _ = notifications.one()
    assert notification["subscriptionId"] == sub_id
    assert notification["data"][0]["id"] == tower
    assert notification["data"][0]["airQualityLevel"]["value"] == 5


def test_046_02_a_time_interval_notifies_periodically(
    suite, subs, receiver, notifications, tower, suite_platform
):
    sub_id = subscribe(subs, receiver, tower, timeInterval=10, notification={})
    for _ in range(2):
        suite_platform.clock.advance(seconds=10)
        notification, _ = notifications.one()
        assert notification["subscriptionId"] == sub_id
        assert notification["data"][0]["id"] == tower
        assert notification["data"][0]["airQualityLevel"]["value"] == 4
        assert notification["data"][0]["name"]["value"] == "Eiffel Tower"


@pytest.mark.parametrize(
    "members",
    [
        pytest.param({"notification": {}}, id="046_03-default"),
        pytest.param({"isActive": True, "watchedAttributes": ["airQualityLevel"]}, id="046_04"),
        pytest.param(
            {
                "isActive": True,
                "watchedAttributes": ["airQualityLevel"],
                "q": 'name=="Eiffel%20Tower"',
                "notification": {},
            },
            id="046_05-q",
        ),
    ],
)
def test_046_03_05_the_changed_entity_is_notified_whole(
    suite, subs, receiver, notifications, tower, members
):
    sub_id = subscribe(subs, receiver, tower, **members)
    update_attributes(suite, tower, AIR_QUALITY_5)
    notification, _ = notifications.one()
    assert notification["subscriptionId"] == sub_id
    assert notification["data"][0]["id"] == tower
    assert notification["data"][0]["airQualityLevel"]["value"] == 5
    assert notification["data"][0]["name"]["value"] == "Eiffel Tower"


def test_046_06_entity_created_notifies(suite, subs, receiver, notifications):
    sub_id = subscribe(subs, receiver, None, notificationTrigger=["entityCreated"])
    entity_id = suite.created(ld(location_attribute(random_id())))
    notification, _ = notifications.one()
    assert notification["subscriptionId"] == sub_id
    assert notification["data"][0]["id"] == entity_id


def test_046_07_01_the_notification_structure(suite, subs, receiver, notifications, tower):
    sub_id = subscribe(subs, receiver, tower, isActive=True)
    update_attributes(suite, tower, AIR_QUALITY_5)
    notification, _ = notifications.one()
    assert notification["type"] == "Notification"
    assert notification["subscriptionId"] == sub_id
    assert notification["id"].startswith("urn:")
    assert is_datetime(notification["notifiedAt"])


def test_046_07_02_only_the_notification_attributes_are_included(
    suite, subs, receiver, notifications, tower
):
    notification_params = {"attributes": ["airQualityLevel"], "format": "normalized"}
    subscribe(subs, receiver, tower, isActive=True, notification=notification_params)
    update_attributes(suite, tower, AIR_QUALITY_5)
    notification, _ = notifications.one()
    assert "name" not in notification["data"][0]
    assert "airQualityLevel" in notification["data"][0]


def test_046_07_03_names_stay_expanded_under_the_core_context(
    suite, subs, receiver, notifications, tower
):
    body = subscription(
        random_subscription_id(),
        isActive=True,
        entities=[{"type": SUITE_NS + "Building", "id": tower}],
        notification={
            "attributes": [SUITE_NS + "airQualityLevel"],
            "endpoint": endpoint(receiver.url),
        },
        context=[CORE_V18],
    )
    subs.created(body)
    update_attributes(suite, tower, AIR_QUALITY_5)
    notification, _ = notifications.one()
    assert SUITE_NS + "airQualityLevel" in notification["data"][0]


@pytest.mark.parametrize("fmt", ["normalized", "keyValues"], ids=["046_08_01", "046_08_02"])
def test_046_08_all_attributes_without_notification_attributes(
    suite, subs, receiver, notifications, tower, fmt
):
    subscribe(subs, receiver, tower, isActive=True, notification={"format": fmt})
    update_attributes(suite, tower, AIR_QUALITY_5)
    notification, _ = notifications.one()
    entity = notification["data"][0]
    assert entity["id"] == tower
    assert {"name", "almostFull", "airQualityLevel", "subCategory"} <= set(entity)
    assert entity["name"] == (
        {"type": "Property", "value": "Eiffel Tower"} if fmt == "normalized" else "Eiffel Tower"
    )


def test_046_09_receiver_info_travels_as_headers(suite, subs, receiver, notifications, tower):
    body = subscription(
        random_subscription_id(),
        entities=[{"type": "Building", "id": tower}],
        notification={
            "format": "normalized",
            "endpoint": {
                **endpoint(receiver.url),
                "receiverInfo": [{"key": "X-Additional-Key", "value": "Value"}],
            },
        },
    )
    subs.created(body)
    update_attributes(suite, tower, AIR_QUALITY_5)
    _, headers = notifications.one()
    assert headers["x-additional-key"] == "Value"


def test_046_10_the_notification_is_json_by_default(suite, subs, receiver, notifications, tower):
    subscribe(subs, receiver, tower, notification={"accept": None})
    update_attributes(suite, tower, AIR_QUALITY_5)
    notification, headers = notifications.one()
    assert headers["content-type"] == "application/json"
    assert headers["link"] == link(SUITE_CONTEXT)
    assert "@context" not in notification["data"][0]


def retrieved_notification_params(subs, sub_id: str) -> dict[str, Any]:
    response = subs.retrieve(sub_id, accept=LD, context=SUITE_CONTEXT)
    assert response.status_code == 200, response.text
    return response.json()["notification"]


def test_046_11_times_sent_is_increased_by_one(suite, subs, receiver, notifications, tower):
    sub_id = subscribe(subs, receiver, tower, isActive=True)
    update_attributes(suite, tower, AIR_QUALITY_5)
    notifications.one()
    assert retrieved_notification_params(subs, sub_id)["timesSent"] == 1


def test_046_12_status_last_notification_and_last_success(
    suite, subs, receiver, notifications, tower
):
    sub_id = subscribe(subs, receiver, tower, isActive=True)
    update_attributes(suite, tower, AIR_QUALITY_5)
    notifications.one()
    params = retrieved_notification_params(subs, sub_id)
    assert params["status"] == "ok"
    assert is_datetime(params["lastNotification"]) and is_datetime(params["lastSuccess"])


def test_046_13_a_failed_notification_sets_last_failure_and_status(
    suite, subs, receiver, notifications, tower
):
    body = subscription(
        random_subscription_id(),
        isActive=True,
        entities=[{"type": "Building", "id": tower}],
        notification={"format": "normalized", "endpoint": endpoint()},  # nobody listens there
    )
    sub_id = subs.created(body)
    update_attributes(suite, tower, AIR_QUALITY_5)
    notifications.none()
    params = retrieved_notification_params(subs, sub_id)
    assert params["status"] == "failed"
    assert is_datetime(params["lastFailure"])


def test_046_14_json_ld_notifications_carry_the_context_in_the_body(
    suite, subs, receiver, notifications, tower
):
    subscribe(subs, receiver, tower, notification={"accept": "application/ld+json"})
    update_attributes(suite, tower, AIR_QUALITY_5)
    notification, headers = notifications.one()
    assert "link" not in headers
    assert "@context" in notification["data"][0]


def test_046_15_throttling_holds_back_a_second_notification(
    suite, subs, receiver, notifications, tower
):
    subscribe(subs, receiver, tower, throttling=15, notification={"format": "keyValues"})
    update_attributes(suite, tower, AIR_QUALITY_5)
    notifications.one()
    update_attributes(suite, tower, AIR_QUALITY_5)
    notifications.none()


def test_046_16_01_a_matching_type_selection_notifies(suite, subs, receiver, notifications):
    sub_id = subscribe(
        subs,
        receiver,
        None,
        entities=[{"type": "(Building|Tower)"}],
        notificationTrigger=["entityCreated"],
        notification={"accept": None},
    )
    entity_id = suite.created(ld(simple_attributes(random_id())))
    notification, _ = notifications.one()
    assert notification["subscriptionId"] == sub_id
    assert notification["data"][0]["id"] == entity_id


def test_046_16_02_another_type_does_not_notify(suite, subs, receiver, notifications):
    subscribe(
        subs,
        receiver,
        None,
        entities=[{"type": "(Building|Tower)"}],
        notificationTrigger=["entityCreated"],
        notification={"accept": None},
    )
    suite.created(ld(simple_vehicle(random_id("urn:ngsi-ld:Vehicle:"))))
    notifications.none()


@pytest.mark.parametrize("sys_attrs", [True, False], ids=["046_17", "046_18"])
def test_046_17_18_sys_attrs_in_notifications(
    suite, subs, receiver, notifications, tower, sys_attrs
):
    subscribe(subs, receiver, tower, notification={"sysAttrs": sys_attrs})
    update_attributes(suite, tower, AIR_QUALITY_5)
    notification, _ = notifications.one()
    entity = notification["data"][0]
    assert ("createdAt" in entity, "modifiedAt" in entity) == (sys_attrs, sys_attrs)


def multi_instances(entity_id: str) -> dict[str, Any]:
    """building-multi-instances-attributes."""
    return building(
        entity_id,
        name=[
            prop("Eiffel Tower"),
            prop("Tour Eiffel", datasetId=FRENCH),
            prop("Eiffelturm", datasetId="urn:ngsi-ld:Dataset:german-name"),
        ],
        locatedAt=[
            rel("urn:ngsi-ld:City:Paris"),
            rel("urn:ngsi-ld:Ville:Paris", datasetId=FRENCH),
            rel("urn:ngsi-ld:Ciudad:París", datasetId="urn:ngsi-ld:Dataset:spanish-name"),
        ],
    )


def test_046_19_only_the_instances_of_the_dataset_are_notified(
    suite, subs, receiver, notifications
):
    entity_id = suite.created(ld(multi_instances(random_id())))
    subscribe(
        subs,
        receiver,
        entity_id,
        datasetId=[FRENCH],
        notification={"format": "normalized", "accept": "application/ld+json"},
    )
    update_attributes(suite, entity_id, FRENCH_NAME)
    notification, _ = notifications.one()
    want = {
        "id": entity_id,
        "type": "Building",
        "name": prop("Le Tour Eiffel", datasetId=FRENCH),
        "locatedAt": rel("urn:ngsi-ld:Ville:Paris", datasetId=FRENCH),
        "@context": SUITE_CONTEXT,
    }
    same(want, notification["data"][0])


def json_ld_context_subscription(subs, receiver, entity_id: str) -> None:
    """subscription-building-with-jsonldContext: the core context for notifications."""
    subscribe(
        subs,
        receiver,
        entity_id,
        jsonldContext=CORE_V18,
        notification={"format": "normalized", "accept": "application/ld+json"},
    )


def compacted_with_core(entity_id: str) -> dict[str, Any]:
    """compacted-entity-with-jsonldContext-046-20."""
    return {
        "id": entity_id,
        "type": SUITE_NS + "Building",
        SUITE_NS + "name": prop("Le Tour Eiffel", datasetId=FRENCH),
        "@context": CORE_V18,
    }


@gap(
    "046_20: the suite updates `name`, which building-minimal does not have; Update Entity "
    "Attributes answers 207 with name in notUpdated (clause 5.6.2), so nothing changes and "
    "nothing is notified"
)
def test_046_20_as_the_suite_runs_it(suite, subs, receiver, notifications):
    entity_id = suite.created(ld(building(random_id())))
    json_ld_context_subscription(subs, receiver, entity_id)
    update_attributes(suite, entity_id, FRENCH_NAME, status=207)
    notification, _ = notifications.one()
    same(compacted_with_core(entity_id), notification["data"][0])


def test_046_20_the_json_ld_context_member_compacts_notifications(
    suite, subs, receiver, notifications
):
    entity_id = suite.created(ld(building(random_id(), name=prop("Tour", datasetId=FRENCH))))
    json_ld_context_subscription(subs, receiver, entity_id)
    update_attributes(suite, entity_id, FRENCH_NAME)
    notification, _ = notifications.one()
    same(compacted_with_core(entity_id), notification["data"][0])
