"""TP/NGSI-LD/ContextInformation/Subscription/SubscriptionNotificationBehaviour 046_31, 046_34,
046_37 and 046_41: showChanges (clause 5.8.6) adds previousValue, previousObject or
previousLanguageMap to what an update or a deletion changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, gap, random_id, same
from tests.context.conformance.samples import building, ld, point, prop, rel
from tests.context.conformance.subscription.conftest import JSON, LD, random_subscription_id
from tests.context.conformance.subscription.samples import endpoint, subscription

NULL = "urn:ngsi-ld:null"
PARIS = "urn:ngsi-ld:City:Paris"
STREET = {"type": "LanguageProperty", "languageMap": {"fr": "Grand Place", "nl": "Grote Markt"}}


def different_types(entity_id: str) -> dict[str, Any]:
    """building-different-attributes-types."""
    return building(
        entity_id,
        name=prop("Eiffel Tower"),
        locatedAt=rel(PARIS),
        location=point(-8.5, 41.2),
        street=STREET,
    )


def show_changes(suite, subs, receiver, entity: dict[str, Any], **members: Any) -> str:
    """`Create Subscription And Entity` with subscription-building-entities-show-changes*."""
    entity_id = suite.created(ld(entity))
    notification = {"endpoint": endpoint(receiver.url, None), "showChanges": True}
    subs.created(subscription(random_subscription_id(), notification=notification, **members))
    return entity_id


UPDATES = [
    pytest.param(
        {"name": prop("Tour Eiffel")},
        {"name": {**prop("Tour Eiffel"), "previousValue": "Eiffel Tower"}},
        id="046_31_01-property",
    ),
    pytest.param(
        {"locatedAt": rel("urn:ngsi-ld:City:Lyon")},
        {"locatedAt": {**rel("urn:ngsi-ld:City:Lyon"), "previousObject": PARIS}},
        id="046_31_02-relationship",
    ),
    pytest.param(
        {"location": point(2.35, 48.85)},
        {"location": {**point(2.35, 48.85), "previousValue": point(-8.5, 41.2)["value"]}},
        id="046_31_03-geoproperty",
    ),
    pytest.param(
        {
            "street": {
                "type": "LanguageProperty",
                "languageMap": {"fr": "Grand Place", "es": "Gran Lugar"},
            }
        },
        {
            "street": {
                "type": "LanguageProperty",
                "languageMap": {"fr": "Grand Place", "es": "Gran Lugar"},
                "previousLanguageMap": STREET["languageMap"],
            }
        },
        id="046_31_04-language-property",
    ),
]


@pytest.mark.parametrize(("fragment", "changed"), UPDATES)
def test_046_31_an_update_shows_the_previous_value(
    suite, subs, receiver, notifications, fragment, changed
):
    entity_id = show_changes(suite, subs, receiver, different_types(random_id()))
    response = suite.request(
        "PATCH", f"/entities/{entity_id}/attrs/", body=ld(fragment), content_type=LD
    )
    assert response.status_code == 204, response.text
    notification, _ = notifications.one()
    same([{**different_types(entity_id), **changed}], notification["data"])


DELETIONS = [
    pytest.param(
        "name",
        {"type": "Property", "previousValue": "Eiffel Tower", "value": NULL},
        id="046_34_01-property",
    ),
    pytest.param(
        "locatedAt",
        {"type": "Relationship", "previousObject": PARIS, "object": NULL},
        id="046_34_02-relationship",
    ),
    pytest.param(
        "location",
        {"type": "GeoProperty", "previousValue": point(-8.5, 41.2)["value"], "value": NULL},
        id="046_34_03-geoproperty",
    ),
    pytest.param(
        "street",
        {
            "type": "LanguageProperty",
            "previousLanguageMap": STREET["languageMap"],
            "languageMap": {"@none": NULL},
        },
        id="046_34_04-language-property",
    ),
]


@pytest.mark.parametrize(("name", "nulled"), DELETIONS)
def test_046_34_a_deletion_shows_the_previous_value(
    suite, subs, receiver, notifications, name, nulled
):
    entity_id = show_changes(
        suite,
        subs,
        receiver,
        different_types(random_id()),
        notificationTrigger=["attributeDeleted"],
    )
    response = suite.request(
        "DELETE",
        f"/entities/{entity_id}/attrs/{name}",
        content_type=JSON,
        context=SUITE_CONTEXT,
        params={"deleteAll": "false"},
    )
    assert response.status_code == 204, response.text
    notification, _ = notifications.one()
    same([{**different_types(entity_id), name: nulled}], notification["data"])


@pytest.mark.parametrize(
    "nulled_map",
    [
        pytest.param({"@none": NULL}, id="046_37_01"),
        pytest.param(
            NULL,
            id="046_37_01-suite",
            marks=gap(
                "046_37_01: the suite wants a deleted LanguageProperty as languageMap "
                'urn:ngsi-ld:null here but {"@none": urn:ngsi-ld:null} in 046_34_04; we '
                "notify the latter (clause 4.5.18) in both"
            ),
        ),
    ],
)
def test_046_37_deleting_the_entity_shows_every_previous_value(
    suite, subs, receiver, notifications, nulled_map
):
    entity_id = show_changes(
        suite,
        subs,
        receiver,
        different_types(random_id()),
        notificationTrigger=["entityDeleted"],
    )
    assert suite.request("DELETE", f"/entities/{entity_id}").status_code == 204
    notification, _ = notifications.one()
    want = {
        "id": entity_id,
        "type": "Building",
        "deletedAt": "x",
        "location": {
            "type": "GeoProperty",
            "previousValue": point(-8.5, 41.2)["value"],
            "value": NULL,
        },
        "name": {"type": "Property", "previousValue": "Eiffel Tower", "value": NULL},
        "street": {
            "type": "LanguageProperty",
            "previousLanguageMap": STREET["languageMap"],
            "languageMap": nulled_map,
        },
        "locatedAt": {"type": "Relationship", "previousObject": PARIS, "object": NULL},
    }
    same([want], notification["data"])


def created_attribute_subscription(suite, subs, receiver) -> str:
    """subscription-building-entities-show-changes-attribute-created on building-minimal."""
    return show_changes(
        suite, subs, receiver, building(random_id()), notificationTrigger=["attributeCreated"]
    )


@gap(
    "046_41_01: the suite creates `name` with PATCH …/attrs/ and expects 204; Update Entity "
    "Attributes only updates existing attributes (207, name in notUpdated)"
)
def test_046_41_as_the_suite_runs_it(suite, subs, receiver, notifications):
    entity_id = created_attribute_subscription(suite, subs, receiver)
    response = suite.request(
        "PATCH",
        f"/entities/{entity_id}/attrs/",
        body=ld({"name": prop("Tour Eiffel")}),
        content_type=LD,
    )
    assert response.status_code == 204, response.text


def test_046_41_a_created_attribute_has_no_previous_value(suite, subs, receiver, notifications):
    entity_id = created_attribute_subscription(suite, subs, receiver)
    response = suite.request(
        "POST",
        f"/entities/{entity_id}/attrs/",
        body=ld({"name": prop("Tour Eiffel")}),
        content_type=LD,
    )
    assert response.status_code == 204, response.text
    notification, _ = notifications.one()
    assert notification["data"][0]["name"] == prop("Tour Eiffel")
    assert "previousValue" not in str(notification["data"])


JSON_VALUE = {"id": "some-id", "null": None, "type": "some-type", "anythingElse": "anything-else"}


def json_building(entity_id: str) -> dict[str, Any]:
    """building-json-property-object."""
    return building(entity_id, jsonProperty={"type": "JsonProperty", "json": JSON_VALUE})


def vocab_building(entity_id: str) -> dict[str, Any]:
    """building-vocab-property-string."""
    return building(entity_id, vocabProperty={"type": "VocabProperty", "vocab": "monument"})


@pytest.mark.parametrize(
    ("make", "fragment", "changed"),
    [
        pytest.param(
            json_building,
            {
                "jsonProperty": {
                    "type": "JsonProperty",
                    "json": {"city": "Nantes", "street": "Place Royale"},
                }
            },
            {
                "type": "JsonProperty",
                "json": {"city": "Nantes", "street": "Place Royale"},
                "previousJson": JSON_VALUE,
            },
            id="046_32_01-json",
        ),
        pytest.param(
            vocab_building,
            {"vocabProperty": {"type": "VocabProperty", "vocab": "museum"}},
            {"type": "VocabProperty", "vocab": "museum", "previousVocab": "monument"},
            id="046_33_01-vocab",
        ),
    ],
)
def test_046_32_33_updates_of_json_and_vocab_properties(
    suite, subs, receiver, notifications, make, fragment, changed
):
    entity_id = show_changes(suite, subs, receiver, make(random_id()))
    response = suite.request(
        "PATCH", f"/entities/{entity_id}/attrs/", body=ld(fragment), content_type=LD
    )
    assert response.status_code == 204, response.text
    notification, _ = notifications.one()
    [name] = fragment
    same([{"id": entity_id, "type": "Building", name: changed}], notification["data"])


JSON_NULLED = {"type": "JsonProperty", "json": NULL, "previousJson": JSON_VALUE}
VOCAB_NULLED = {"type": "VocabProperty", "vocab": NULL, "previousVocab": "monument"}


@pytest.mark.parametrize(
    ("make", "name", "nulled"),
    [
        pytest.param(json_building, "jsonProperty", JSON_NULLED, id="046_35_01-json"),
        pytest.param(vocab_building, "vocabProperty", VOCAB_NULLED, id="046_36_01-vocab"),
    ],
)
def test_046_35_36_deleted_json_and_vocab_properties(
    suite, subs, receiver, notifications, make, name, nulled
):
    entity_id = show_changes(
        suite, subs, receiver, make(random_id()), notificationTrigger=["attributeDeleted"]
    )
    response = suite.request(
        "DELETE", f"/entities/{entity_id}/attrs/{name}", content_type=JSON, context=SUITE_CONTEXT
    )
    assert response.status_code == 204, response.text
    notification, _ = notifications.one()
    same([{"id": entity_id, "type": "Building", name: nulled}], notification["data"])


@pytest.mark.parametrize(
    ("make", "name", "nulled"),
    [
        pytest.param(json_building, "jsonProperty", JSON_NULLED, id="046_38_01-json"),
        pytest.param(vocab_building, "vocabProperty", VOCAB_NULLED, id="046_39_01-vocab"),
    ],
)
def test_046_38_39_a_deleted_entity_shows_json_and_vocab_previous_values(
    suite, subs, receiver, notifications, make, name, nulled
):
    entity_id = show_changes(
        suite, subs, receiver, make(random_id()), notificationTrigger=["entityDeleted"]
    )
    assert suite.request("DELETE", f"/entities/{entity_id}").status_code == 204
    notification, _ = notifications.one()
    want = {"id": entity_id, "type": "Building", "deletedAt": "x", name: nulled}
    same([want], notification["data"])


def test_046_40_a_created_entity_has_no_previous_value(suite, subs, receiver, notifications):
    notification = {"endpoint": endpoint(receiver.url, None), "showChanges": True}
    subs.created(
        subscription(
            random_subscription_id(),
            notification=notification,
            notificationTrigger=["entityCreated"],
        )
    )
    entity_id = suite.created(ld(different_types(random_id())))
    body, _ = notifications.one()
    assert body["data"][0]["id"] == entity_id
    assert "previous" not in str(body["data"])
