"""Which changes notify and what the notification says (clauses 5.3.1, 5.8.6)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.api.conftest import CORE, Ngsi, link, streetlight
from tests.context.subscriptions.conftest import CITY, subscription

SL1 = "urn:ngsi-ld:Streetlight:001"
NULL = "urn:ngsi-ld:null"


@pytest.fixture
def notify(ngsi, receiver, private_ok, deliver):
    """Subscribe the test receiver with these members; returns a function giving what arrived."""

    def subscribe(headers: dict[str, str] | None = None, **members: Any) -> Any:
        notification = members.pop("notification", None)
        body = subscription(receiver.url, **members)
        if notification is not None:
            body["notification"] = {"endpoint": {"uri": receiver.url}, **notification}
        response = ngsi.post("/subscriptions", body, headers=headers or {})
        assert response.status_code == 201, response.text
        return response.headers["location"].rsplit("/", 1)[1]

    return subscribe


def received(receiver, deliver) -> list[dict[str, Any]]:
    """Deliver what is due; the notifications that arrived since the last call."""
    deliver()
    bodies = receiver.bodies
    receiver.requests.clear()
    return bodies


def set_power(ngsi: Ngsi, value: str, entity: str = SL1) -> None:
    body = {"powerState": {"type": "Property", "value": value}}
    assert ngsi.patch(f"/entities/{entity}/attrs", body).status_code == 204


def test_by_default_creating_and_updating_attributes_notify_the_whole_entity(
    ngsi, notify, receiver, deliver
):
    sub_id = notify()
    ngsi.create(streetlight(1))
    [created] = received(receiver, deliver)
    assert created["type"] == "Notification" and created["subscriptionId"] == sub_id
    assert created["id"].startswith("urn:ngsi-ld:Notification:")
    assert created["notifiedAt"] == "2026-01-05T01:00:00.000Z"
    assert created["data"] == [streetlight(1)]
    set_power(ngsi, "off")
    [updated] = received(receiver, deliver)
    assert updated["data"][0]["powerState"] == {"type": "Property", "value": "off"}
    assert updated["data"][0]["illuminanceLevel"]["value"] == 1
    assert ngsi.delete(f"/entities/{SL1}").status_code == 204
    assert received(receiver, deliver) == []


def test_entity_created_notifies_creation_but_not_updates(ngsi, notify, receiver, deliver):
    notify(notificationTrigger=["entityCreated"])
    ngsi.create(streetlight(1))
    assert [n["data"][0]["id"] for n in received(receiver, deliver)] == [SL1]
    set_power(ngsi, "off")
    assert received(receiver, deliver) == []


def test_entity_deleted_notifies_id_type_and_deleted_at_only(ngsi, notify, receiver, deliver):
    ngsi.create(streetlight(1))
    notify(notificationTrigger=["entityDeleted"])
    set_power(ngsi, "off")
    assert ngsi.delete(f"/entities/{SL1}").status_code == 204
    [deleted] = received(receiver, deliver)
    assert deleted["data"] == [
        {"id": SL1, "type": "Streetlight", "deletedAt": "2026-01-05T01:00:00.000Z"}
    ]


def test_attribute_deleted_shows_the_deleted_attribute_as_null(ngsi, notify, receiver, deliver):
    ngsi.create(streetlight(1))
    notify(notificationTrigger=["attributeDeleted"])
    assert ngsi.delete(f"/entities/{SL1}/attrs/powerState").status_code == 204
    [notification] = received(receiver, deliver)
    entity = notification["data"][0]
    assert entity["powerState"] == {"type": "Property", "value": NULL}
    assert entity["illuminanceLevel"]["value"] == 1


def test_attribute_deleted_in_key_values_is_the_null_uri(ngsi, notify, receiver, deliver):
    ngsi.create(streetlight(1))
    notify(
        notificationTrigger=["attributeDeleted"],
        notification={"format": "keyValues"},
    )
    ngsi.delete(f"/entities/{SL1}/attrs/powerState")
    [notification] = received(receiver, deliver)
    assert notification["data"][0]["powerState"] == NULL
    assert notification["data"][0]["illuminanceLevel"] == 1


def test_deleting_an_entity_notifies_its_watched_attributes_as_deleted(
    ngsi, notify, receiver, deliver
):
    ngsi.create(streetlight(1))
    notify(notificationTrigger=["attributeDeleted"], watchedAttributes=["powerState"])
    ngsi.delete(f"/entities/{SL1}/attrs/illuminanceLevel")
    assert received(receiver, deliver) == []
    ngsi.delete(f"/entities/{SL1}")
    [notification] = received(receiver, deliver)
    assert notification["data"] == [
        {
            "id": SL1,
            "type": "Streetlight",
            "deletedAt": "2026-01-05T01:00:00.000Z",
            "powerState": {"type": "Property", "value": NULL},
        }
    ]


def test_watched_attributes_limit_which_updates_notify(ngsi, notify, receiver, deliver):
    ngsi.create(streetlight(1))
    notify(watchedAttributes=["powerState"])
    body = {"illuminanceLevel": {"type": "Property", "value": 7}}
    ngsi.patch(f"/entities/{SL1}/attrs", body)
    assert received(receiver, deliver) == []
    set_power(ngsi, "off")
    assert len(received(receiver, deliver)) == 1


def test_q_decides_which_entities_notify_even_percent_encoded(ngsi, notify, receiver, deliver):
    notify(q="powerState==%22on%22;illuminanceLevel>2")
    ngsi.create(streetlight(1))
    ngsi.create(streetlight(5))
    assert [n["data"][0]["id"] for n in received(receiver, deliver)] == [
        "urn:ngsi-ld:Streetlight:005"
    ]


def test_geo_q_decides_which_entities_notify(ngsi, notify, receiver, deliver):
    near = {"georel": "near;maxDistance==200", "geometry": "Point", "coordinates": [121.471, 31.23]}
    notify(geoQ=near)
    ngsi.create(streetlight(1))  # at 121.471
    ngsi.create(streetlight(9))  # at 121.479, about 760 m away
    assert [n["data"][0]["id"] for n in received(receiver, deliver)] == [SL1]


def test_entity_selectors_by_id_pattern_and_type_expression(ngsi, notify, receiver, deliver):
    notify(entities=[{"type": "Lamp|Streetlight", "idPattern": ":00[12]$"}])
    for number in (1, 2, 3):
        ngsi.create(streetlight(number))
    ids = [n["data"][0]["id"] for n in received(receiver, deliver)]
    assert ids == [SL1, "urn:ngsi-ld:Streetlight:002"]


def test_a_paused_or_expired_subscription_does_not_notify(ngsi, notify, receiver, deliver, clock):
    notify(isActive=False)
    notify(expiresAt="2026-01-05T01:10:00Z")
    clock.advance(minutes=11)
    ngsi.create(streetlight(1))
    assert received(receiver, deliver) == []


def test_notification_attributes_and_format_shape_the_entities(ngsi, notify, receiver, deliver):
    notify(notification={"attributes": ["powerState"], "format": "keyValues"})
    ngsi.create(streetlight(1))
    [notification] = received(receiver, deliver)
    assert notification["data"] == [{"id": SL1, "type": "Streetlight", "powerState": "on"}]


def test_concise_format_and_pick(ngsi, notify, receiver, deliver):
    notify(notification={"pick": ["id", "illuminanceLevel"], "format": "concise"})
    ngsi.create(streetlight(1))
    [notification] = received(receiver, deliver)
    assert notification["data"] == [
        {"id": SL1, "illuminanceLevel": {"value": 1, "unitCode": "LUX"}}
    ]


def test_sys_attrs_adds_created_and_modified(ngsi, notify, receiver, deliver, clock):
    ngsi.create(streetlight(1))
    notify(notification={"sysAttrs": True})
    clock.advance(minutes=5)
    set_power(ngsi, "off")
    [notification] = received(receiver, deliver)
    entity = notification["data"][0]
    assert entity["createdAt"] == "2026-01-05T01:00:00.000Z"
    assert entity["modifiedAt"] == "2026-01-05T01:05:00.000Z"


def test_show_changes_adds_the_previous_value(ngsi, notify, receiver, deliver):
    ngsi.create(streetlight(1))
    notify(notification={"showChanges": True})
    set_power(ngsi, "off")
    [notification] = received(receiver, deliver)
    assert notification["data"][0]["powerState"] == {
        "type": "Property",
        "value": "off",
        "previousValue": "on",
    }


def test_dataset_id_keeps_only_those_instances(ngsi, notify, receiver, deliver):
    power = [
        {"type": "Property", "value": "on"},
        {"type": "Property", "value": "dimmed", "datasetId": "urn:ngsi-ld:Dataset:night"},
    ]
    notify(datasetId=["urn:ngsi-ld:Dataset:night"])
    ngsi.create({"id": SL1, "type": "Streetlight", "powerState": power})
    [notification] = received(receiver, deliver)
    assert notification["data"][0]["powerState"] == power[1]


def test_another_tenants_changes_do_not_notify(notify, receiver, deliver, app_client, auth_headers):
    notify()
    other = Ngsi(app_client, auth_headers("admin", tenant="suzhou"))
    other.create(streetlight(1))
    assert received(receiver, deliver) == []


def test_one_batch_write_is_one_notification_with_every_entity(ngsi, notify, receiver, deliver):
    notify()
    batch = [streetlight(n) for n in (1, 2, 3)]
    assert ngsi.post("/entityOperations/upsert", batch).status_code in (201, 204)
    [notification] = received(receiver, deliver)
    assert [e["id"] for e in notification["data"]] == [e["id"] for e in batch]


def test_a_linked_entity_query_follows_the_relationship(ngsi, notify, receiver, deliver):
    cabinet = {"type": "Property", "value": 0.2}
    ngsi.create({"id": "urn:ngsi-ld:Cabinet:low", "type": "Cabinet", "battery": cabinet})
    ngsi.create(
        {"id": "urn:ngsi-ld:Cabinet:full", "type": "Cabinet", "battery": {**cabinet, "value": 0.9}}
    )
    notify(q="poweredBy{battery}<0.5")
    for number, cabinet_id in ((1, "full"), (2, "low")):
        feed = {"type": "Relationship", "object": f"urn:ngsi-ld:Cabinet:{cabinet_id}"}
        ngsi.create(streetlight(number, poweredBy=feed))
    ids = [n["data"][0]["id"] for n in received(receiver, deliver)]
    assert ids == ["urn:ngsi-ld:Streetlight:002"]


def test_json_notifications_are_compacted_with_the_subscription_context_in_a_link(
    ngsi, notify, receiver, deliver, user_context
):
    notify(headers={"Link": link(user_context)})
    ngsi.post("/entities", streetlight(1), headers={"Link": link(user_context)})
    deliver()
    [request] = receiver.requests
    assert request.headers["content-type"] == "application/json"
    assert request.headers["link"] == link(user_context)
    entity = request.body["data"][0]
    assert entity["type"] == "Streetlight" and "powerState" in entity
    assert "@context" not in entity


def test_ld_json_notifications_carry_the_context_in_every_entity(ngsi, notify, receiver, deliver):
    notify(notification={"endpoint": {"uri": receiver.url, "accept": "application/ld+json"}})
    ngsi.create(streetlight(1))
    deliver()
    [request] = receiver.requests
    assert request.headers["content-type"] == "application/ld+json"
    assert "link" not in request.headers
    assert request.body["data"][0]["@context"] == CORE


def test_json_ld_context_member_overrides_the_subscription_context(
    ngsi, notify, receiver, deliver, user_context
):
    notify(headers={"Link": link(user_context)}, jsonldContext=CORE)
    ngsi.post("/entities", streetlight(1), headers={"Link": link(user_context)})
    deliver()
    [request] = receiver.requests
    assert request.headers["link"] == link(CORE)
    assert request.body["data"][0]["type"] == CITY + "Streetlight"


def test_receiver_info_becomes_headers_and_a_tenant_is_named(
    receiver, private_ok, deliver, app_client, auth_headers
):
    suzhou = Ngsi(app_client, auth_headers("admin", tenant="suzhou"))
    body = subscription(receiver.url)
    body["notification"]["endpoint"]["receiverInfo"] = [{"key": "X-Token", "value": "abc"}]
    assert suzhou.post("/subscriptions", body).status_code == 201
    suzhou.create(streetlight(1))
    deliver()
    [request] = receiver.requests
    assert request.headers["x-token"] == "abc"
    assert request.headers["ngsild-tenant"] == "suzhou"
