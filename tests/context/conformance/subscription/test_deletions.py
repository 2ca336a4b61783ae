"""TP/NGSI-LD/ContextInformation/Subscription/SubscriptionNotificationBehaviour 046_21 and 046_22:
the entityDeleted and attributeDeleted triggers and how deleted things are notified (clause
5.8.6: a deleted attribute instance is notified with the value urn:ngsi-ld:null)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, random_id, same
from tests.context.conformance.samples import ld, location_attribute, prop, simple_attributes
from tests.context.conformance.subscription.conftest import JSON, random_subscription_id
from tests.context.conformance.subscription.samples import endpoint, subscription
from tests.context.conformance.subscription.test_notifications import FRENCH, multi_instances
from tests.context.conformance.subscription.test_show_changes import different_types

NULL = "urn:ngsi-ld:null"
SIMPLE_NORMALIZED = {
    "type": "Building",
    "almostFull": prop(False),
    "subCategory": prop("tourism"),
    "airQualityLevel": prop(4, unitCode="C62", observedAt="2020-09-09T16:40:00.000Z"),
}
SIMPLE_KEY_VALUES = {
    "type": "Building",
    "almostFull": False,
    "subCategory": "tourism",
    "airQualityLevel": 4,
}


def create_subscription_and_entity(
    suite,
    subs,
    receiver,
    entity: dict[str, Any],
    *,
    trigger: str,
    fmt: str = "normalized",
    watched: list[str] | None = None,
    sys_attrs: bool | None = None,
) -> str:
    """The suite's `Create Subscription And Entity`: the entity, then a subscription on every
    Building with one notificationTrigger."""
    entity_id = suite.created(ld(entity))
    notification: dict[str, Any] = {"format": fmt, "endpoint": endpoint(receiver.url)}
    if sys_attrs is not None:
        notification["sysAttrs"] = sys_attrs
    members: dict[str, Any] = {"notificationTrigger": [trigger]}
    if watched:
        members["watchedAttributes"] = watched
    subs.created(subscription(random_subscription_id(), notification=notification, **members))
    return entity_id


def delete_attribute(suite, entity_id: str, name: str, **params: str) -> None:
    """The suite's `Delete Entity Attributes` (application/json with the suite's Link)."""
    response = suite.request(
        "DELETE",
        f"/entities/{entity_id}/attrs/{name}",
        content_type=JSON,
        context=SUITE_CONTEXT,
        params=params or None,
    )
    assert response.status_code == 204, response.text


def delete_entity(suite, entity_id: str) -> None:
    assert suite.request("DELETE", f"/entities/{entity_id}").status_code == 204


@pytest.mark.parametrize(
    "sys_attrs",
    [
        pytest.param(None, id="046_21_01"),
        pytest.param(True, id="046_21_02"),
    ],
)
def test_046_21_entity_deleted_notifies_the_deleted_entity(
    suite, subs, receiver, notifications, sys_attrs
):
    entity_id = create_subscription_and_entity(
        suite,
        subs,
        receiver,
        location_attribute(random_id()),
        trigger="entityDeleted",
        fmt="keyValues",
        sys_attrs=sys_attrs,
    )
    delete_entity(suite, entity_id)
    notification, _ = notifications.one()
    [entity] = notification["data"]
    assert entity["id"] == entity_id and "deletedAt" in entity
    if sys_attrs:
        assert set(entity) == {"id", "type", "createdAt", "modifiedAt", "deletedAt"}
    else:
        assert set(entity) == {"id", "type", "deletedAt"}


@pytest.mark.parametrize(
    ("watched", "fmt", "want"),
    [
        pytest.param(None, "keyValues", {**SIMPLE_KEY_VALUES, "name": NULL}, id="046_22_01"),
        pytest.param(["name"], "keyValues", {**SIMPLE_KEY_VALUES, "name": NULL}, id="046_22_02"),
        pytest.param(
            ["name"], "normalized", {**SIMPLE_NORMALIZED, "name": prop(NULL)}, id="046_22_04"
        ),
    ],
)
def test_046_22_a_deleted_attribute_is_notified_as_null(
    suite, subs, receiver, notifications, watched, fmt, want
):
    entity_id = create_subscription_and_entity(
        suite,
        subs,
        receiver,
        simple_attributes(random_id()),
        trigger="attributeDeleted",
        fmt=fmt,
        watched=watched,
    )
    delete_attribute(suite, entity_id, "name")
    notification, _ = notifications.one()
    assert len(notification["data"]) == 1
    same({**want, "id": entity_id}, notification["data"][0])


def test_046_22_03_an_unwatched_deleted_attribute_does_not_notify(
    suite, subs, receiver, notifications
):
    entity_id = create_subscription_and_entity(
        suite,
        subs,
        receiver,
        simple_attributes(random_id()),
        trigger="attributeDeleted",
        fmt="keyValues",
        watched=["name"],
    )
    delete_attribute(suite, entity_id, "airQualityLevel")
    notifications.none()


def test_046_22_05_with_sys_attrs_the_deleted_attribute_has_deleted_at(
    suite, subs, receiver, notifications
):
    entity_id = create_subscription_and_entity(
        suite,
        subs,
        receiver,
        simple_attributes(random_id()),
        trigger="attributeDeleted",
        watched=["name"],
        sys_attrs=True,
    )
    delete_attribute(suite, entity_id, "name")
    notification, _ = notifications.one()
    assert len(notification["data"]) == 1
    assert "deletedAt" in notification["data"][0]["name"]


MULTI_NAMES = [
    prop("Eiffel Tower"),
    prop("Eiffelturm", datasetId="urn:ngsi-ld:Dataset:german-name"),
]
LOCATED_AT = [
    {"type": "Relationship", "object": "urn:ngsi-ld:City:Paris"},
    {"type": "Relationship", "object": "urn:ngsi-ld:Ville:Paris", "datasetId": FRENCH},
    {
        "type": "Relationship",
        "object": "urn:ngsi-ld:Ciudad:París",
        "datasetId": "urn:ngsi-ld:Dataset:spanish-name",
    },
]


def test_046_22_06_a_deleted_instance_is_notified_as_null_among_the_others(
    suite, subs, receiver, notifications
):
    entity_id = create_subscription_and_entity(
        suite,
        subs,
        receiver,
        multi_instances(random_id()),
        trigger="attributeDeleted",
        watched=["name"],
    )
    delete_attribute(suite, entity_id, "name", datasetId=FRENCH)
    notification, _ = notifications.one()
    want = {
        "id": entity_id,
        "type": "Building",
        "name": [*MULTI_NAMES, prop(NULL, datasetId=FRENCH)],
        "locatedAt": LOCATED_AT,
    }
    same(want, notification["data"][0])


def test_046_22_07_a_deleted_instance_in_key_values(suite, subs, receiver, notifications):
    entity_id = create_subscription_and_entity(
        suite,
        subs,
        receiver,
        multi_instances(random_id()),
        trigger="attributeDeleted",
        fmt="keyValues",
        watched=["name"],
    )
    delete_attribute(suite, entity_id, "name", datasetId=FRENCH)
    notification, _ = notifications.one()
    want = {
        "id": entity_id,
        "type": "Building",
        "name": {
            "dataset": {
                "@none": "Eiffel Tower",
                "urn:ngsi-ld:Dataset:german-name": "Eiffelturm",
                FRENCH: NULL,
            }
        },
        "locatedAt": {
            "dataset": {
                "@none": "urn:ngsi-ld:City:Paris",
                FRENCH: "urn:ngsi-ld:Ville:Paris",
                "urn:ngsi-ld:Dataset:spanish-name": "urn:ngsi-ld:Ciudad:París",
            }
        },
    }
    same(want, notification["data"][0])


def test_046_22_08_deleting_all_instances_notifies_name_as_null(
    suite, subs, receiver, notifications
):
    entity_id = create_subscription_and_entity(
        suite,
        subs,
        receiver,
        multi_instances(random_id()),
        trigger="attributeDeleted",
        watched=["name"],
    )
    delete_attribute(suite, entity_id, "name", deleteAll="true")
    notification, _ = notifications.one()
    assert len(notification["data"]) == 1
    assert notification["data"][0]["name"]["value"] == NULL


@pytest.mark.parametrize(
    "sys_attrs",
    [
        pytest.param(None, id="046_22_12"),
        pytest.param(True, id="046_22_13"),
    ],
)
def test_046_22_12_13_deleting_the_entity_notifies_the_watched_attribute_as_null(
    suite, subs, receiver, notifications, sys_attrs
):
    entity_id = create_subscription_and_entity(
        suite,
        subs,
        receiver,
        simple_attributes(random_id()),
        trigger="attributeDeleted",
        watched=["name"],
        sys_attrs=sys_attrs,
    )
    delete_entity(suite, entity_id)
    notification, _ = notifications.one()
    [entity] = notification["data"]
    want: dict[str, Any] = {
        "id": entity_id,
        "type": "Building",
        "deletedAt": "x",
        "name": prop(NULL),
    }
    if sys_attrs:
        stamps = {"createdAt": "x", "modifiedAt": "x", "deletedAt": "x"}
        want.update(stamps)
        want["name"] = {**want["name"], **stamps}
    same(want, entity)


NGSI_LD_NULLS = {
    "name": {"type": "Property", "value": NULL},
    "locatedAt": {"type": "Relationship", "object": NULL},
    "street": {"type": "LanguageProperty", "languageMap": {"@none": NULL}},
}


def null_write(suite, operation: str, entity_id: str, name: str) -> None:
    """Deleting with an NGSI-LD null through Merge Entity, Update Attributes or Partial Update."""
    null = NGSI_LD_NULLS[name]
    path, body = {
        "merge": (f"/entities/{entity_id}", ld({name: null})),
        "update": (f"/entities/{entity_id}/attrs/", ld({name: null})),
        "partial": (f"/entities/{entity_id}/attrs/{name}", ld(null)),
    }[operation]
    response = suite.request("PATCH", path, body=body, content_type="application/ld+json")
    assert response.status_code == 204, response.text


@pytest.mark.parametrize(
    "operation", ["merge", "update", "partial"], ids=["01-merge", "02-update", "03-partial"]
)
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("name", id="046_22_09"),
        pytest.param("locatedAt", id="046_22_10"),
        pytest.param("street", id="046_22_11"),
    ],
)
def test_046_22_09_11_an_ngsi_ld_null_deletion_notifies_the_attribute_as_null(
    suite, subs, receiver, notifications, name, operation
):
    entity_id = create_subscription_and_entity(
        suite,
        subs,
        receiver,
        different_types(random_id()),
        trigger="attributeDeleted",
        watched=[name],
    )
    null_write(suite, operation, entity_id, name)
    notification, _ = notifications.one()
    assert len(notification["data"]) == 1
    same({**different_types(entity_id), name: NGSI_LD_NULLS[name]}, notification["data"][0])
