"""TP/NGSI-LD/ContextInformation/Subscription/SubscriptionNotificationBehaviour 046_23–046_30:
notification.join (clause 4.5.23) adds the entities a notified entity's Relationships point at,
flat (as more entities in data) or inline (inside the Relationship)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import gap, random_id, same
from tests.context.conformance.samples import ld, prop, rel
from tests.context.conformance.subscription.conftest import LD, random_subscription_id
from tests.context.conformance.subscription.samples import endpoint, subscription

STAMPS = {"createdAt": "x", "modifiedAt": "x"}  # `same` only checks they are DateTimes
DESCRIPTION = "Paris is the capital and largest city of France"
FRANCE = "urn:ngsi-ld:Country:France"


def city(city_id: str, simple: bool) -> dict[str, Any]:
    """city-minimal, or city-simple-attributes."""
    if not simple:
        return {"id": city_id, "type": "City"}
    return {
        "id": city_id,
        "type": "City",
        "name": prop("Paris"),
        "description": prop(DESCRIPTION),
        "isInCountry": rel(FRANCE),
    }


def city_key_values(city_id: str) -> dict[str, Any]:
    return {
        "id": city_id,
        "type": "City",
        "name": "Paris",
        "description": DESCRIPTION,
        "isInCountry": FRANCE,
    }


def stamped(entity: dict[str, Any]) -> dict[str, Any]:
    """An expected normalized entity with createdAt/modifiedAt on it and on its attributes."""
    out = {**entity, **STAMPS}
    for name, value in entity.items():
        if isinstance(value, dict) and "type" in value:
            out[name] = {**value, **STAMPS}
    return out


@pytest.fixture
def linked(suite) -> tuple[str, str]:
    """`Create Subscription And Entity With Linked Entity`: a Building located at a City."""
    city_id = random_id("urn:ngsi-ld:City:")
    building_id = suite.created(
        ld({"id": random_id(), "type": "Building", "locatedAt": rel(city_id)})
    )
    return building_id, city_id


def joined_notification(
    suite, subs, notifications, receiver, linked, *, simple_city: bool, **params: Any
) -> list[dict[str, Any]]:
    building_id, city_id = linked
    suite.created(ld(city(city_id, simple_city)))
    notification = {"endpoint": endpoint(receiver.url, None), "joinLevel": 1, **params}
    subs.created(subscription(random_subscription_id(), notification=notification))
    append_name(suite, building_id)
    body, _ = notifications.one()
    return body["data"]


def append_name(suite, building_id: str, method: str = "POST") -> None:
    """The suite's name-fragment on a Building that has no name yet."""
    response = suite.request(
        method,
        f"/entities/{building_id}/attrs/",
        body=ld({"name": prop("Tour Eiffel")}),
        content_type=LD,
    )
    assert response.status_code == 204, response.text


PATCH_GAP = (
    ": the suite adds `name` with PATCH …/attrs/ (Update Entity Attributes) and expects 204; "
    "that operation only updates existing attributes (207, name in notUpdated), so the tests "
    "here add it with POST …/attrs/ (Append Entity Attributes)"
)


@pytest.mark.parametrize(
    "test_id",
    [pytest.param(f"046_{n}_01", marks=gap(f"046_{n}_01" + PATCH_GAP)) for n in range(23, 31)],
)
def test_046_23_30_as_the_suite_runs_them(suite, subs, linked, test_id):
    append_name(suite, linked[0], method="PATCH")


def test_046_23_flat(suite, subs, notifications, receiver, linked):
    data = joined_notification(
        suite, subs, notifications, receiver, linked, simple_city=False, join="flat"
    )
    building_id, city_id = linked
    building = {
        "id": building_id,
        "type": "Building",
        "name": prop("Tour Eiffel"),
        "locatedAt": rel(city_id),
    }
    same([building, city(city_id, False)], data)


def test_046_24_flat_with_sys_attrs(suite, subs, notifications, receiver, linked):
    data = joined_notification(
        suite,
        subs,
        notifications,
        receiver,
        linked,
        simple_city=False,
        join="flat",
        sysAttrs=True,
    )
    building_id, city_id = linked
    building = {
        "id": building_id,
        "type": "Building",
        "name": prop("Tour Eiffel"),
        "locatedAt": rel(city_id),
    }
    same([stamped(building), stamped(city(city_id, False))], data)


def test_046_25_flat_simplified(suite, subs, notifications, receiver, linked):
    data = joined_notification(
        suite,
        subs,
        notifications,
        receiver,
        linked,
        simple_city=True,
        join="flat",
        format="simplified",
    )
    building_id, city_id = linked
    building = {"id": building_id, "type": "Building", "name": "Tour Eiffel", "locatedAt": city_id}
    same([building, city_key_values(city_id)], data)


def test_046_26_flat_with_notification_attributes(suite, subs, notifications, receiver, linked):
    data = joined_notification(
        suite,
        subs,
        notifications,
        receiver,
        linked,
        simple_city=True,
        join="flat",
        attributes=["locatedAt"],
    )
    building_id, city_id = linked
    same(
        [{"id": building_id, "type": "Building", "locatedAt": rel(city_id)}, city(city_id, True)],
        data,
    )


def test_046_27_inline(suite, subs, notifications, receiver, linked):
    data = joined_notification(
        suite, subs, notifications, receiver, linked, simple_city=False, join="inline"
    )
    building_id, city_id = linked
    located = {**rel(city_id), "entity": city(city_id, False)}
    same(
        [
            {
                "id": building_id,
                "type": "Building",
                "name": prop("Tour Eiffel"),
                "locatedAt": located,
            }
        ],
        data,
    )


def test_046_28_inline_with_sys_attrs(suite, subs, notifications, receiver, linked):
    data = joined_notification(
        suite,
        subs,
        notifications,
        receiver,
        linked,
        simple_city=False,
        join="inline",
        sysAttrs=True,
    )
    building_id, city_id = linked
    building = stamped(
        {
            "id": building_id,
            "type": "Building",
            "name": prop("Tour Eiffel"),
            "locatedAt": rel(city_id),
        }
    )
    building["locatedAt"]["entity"] = stamped(city(city_id, False))
    same([building], data)


def test_046_29_inline_simplified(suite, subs, notifications, receiver, linked):
    data = joined_notification(
        suite,
        subs,
        notifications,
        receiver,
        linked,
        simple_city=True,
        join="inline",
        format="simplified",
    )
    building_id, city_id = linked
    same(
        [
            {
                "id": building_id,
                "type": "Building",
                "name": "Tour Eiffel",
                "locatedAt": city_key_values(city_id),
            }
        ],
        data,
    )


def test_046_30_inline_with_notification_attributes(suite, subs, notifications, receiver, linked):
    data = joined_notification(
        suite,
        subs,
        notifications,
        receiver,
        linked,
        simple_city=True,
        join="inline",
        attributes=["locatedAt"],
    )
    building_id, city_id = linked
    located = {**rel(city_id), "entity": city(city_id, True)}
    same([{"id": building_id, "type": "Building", "locatedAt": located}], data)


def test_join_must_be_flat_inline_or_none(subs):
    notification = {"endpoint": endpoint(), "join": "deep"}
    response = subs.create(subscription(random_subscription_id(), notification=notification))
    assert response.status_code == 400
