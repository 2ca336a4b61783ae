"""The subscription resources over HTTP (clauses 5.8.1–5.8.5, 6.10, 6.11)."""

from __future__ import annotations

import pytest

from tests.context.api.conftest import CORE, Ngsi, link, problem
from tests.context.subscriptions.conftest import CITY, subscription

ENDPOINT = "http://notify.example.org/notify"


def create(ngsi: Ngsi, body: dict, **kwargs: object) -> str:
    response = ngsi.post("/subscriptions", body, **kwargs)
    assert response.status_code == 201, response.text
    return response.headers["location"].removeprefix("/ngsi-ld/v1/subscriptions/")


def test_create_answers_201_with_the_location_of_a_generated_urn(ngsi):
    response = ngsi.post("/subscriptions", subscription(ENDPOINT))
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    assert location.startswith("/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:")
    assert ngsi.get(location.removeprefix("/ngsi-ld/v1")).status_code == 200


def test_create_keeps_a_given_id_and_refuses_it_twice_with_409(ngsi):
    body = subscription(ENDPOINT, id="urn:ngsi-ld:Subscription:lamps")
    assert create(ngsi, body) == "urn:ngsi-ld:Subscription:lamps"
    problem(ngsi.post("/subscriptions", body), 409, "AlreadyExists")


def test_retrieve_shows_the_subscription_with_status_and_default_triggers(ngsi):
    sub_id = create(ngsi, subscription(ENDPOINT, q="powerState==%22on%22", throttling=5))
    body = ngsi.get(f"/subscriptions/{sub_id}").json()
    assert body["id"] == sub_id and body["type"] == "Subscription"
    assert body["status"] == "active"
    assert body["notificationTrigger"] == ["attributeCreated", "attributeUpdated"]
    assert body["throttling"] == 5
    assert body["notification"]["endpoint"] == {"uri": ENDPOINT, "accept": "application/json"}
    assert "timesSent" not in body["notification"]  # shown once a notification was attempted
    assert "status" not in body["notification"]  # no notification was attempted yet
    assert body["q"] == 'powerState=="on"'
    assert "isActive" not in body and "createdAt" not in body


def test_names_are_expanded_with_the_writer_context_and_compacted_with_the_reader_context(
    ngsi, user_context
):
    body = subscription(ENDPOINT, watchedAttributes=["powerState"], q="powerState==%22on%22")
    body["entities"] = [{"type": "(Streetlight|Lamp)"}]
    body["notification"]["attributes"] = ["illuminanceLevel"]
    sub_id = create(ngsi, body, headers={"Link": link(user_context)})
    shown = ngsi.get(f"/subscriptions/{sub_id}", headers={"Link": link(user_context)}).json()
    assert shown["entities"] == [{"type": "(Streetlight|Lamp)"}]
    assert shown["watchedAttributes"] == ["powerState"]
    assert shown["notification"]["attributes"] == ["illuminanceLevel"]
    assert shown["q"] == 'powerState=="on"'
    expanded = ngsi.get(f"/subscriptions/{sub_id}").json()
    assert expanded["entities"] == [{"type": f"({CITY}Streetlight|Lamp)"}]  # core @vocab
    assert expanded["watchedAttributes"] == [f"{CITY}powerState"]
    assert expanded["q"] == f'{CITY}powerState=="on"'


def test_an_ld_json_body_brings_its_own_context(ngsi):
    inline = {"lamp": "https://example.org/city#Streetlight"}
    body = {**subscription(ENDPOINT), "@context": [inline, CORE]}
    body["entities"] = [{"type": "lamp"}]
    sub_id = create(ngsi, body, headers={"Content-Type": "application/ld+json"})
    shown = ngsi.get(f"/subscriptions/{sub_id}").json()
    assert shown["entities"] == [{"type": "https://example.org/city#Streetlight"}]


def test_is_active_false_creates_a_paused_subscription_and_patch_resumes_it(ngsi):
    sub_id = create(ngsi, subscription(ENDPOINT, isActive=False))
    shown = ngsi.get(f"/subscriptions/{sub_id}").json()
    assert shown["status"] == "paused" and shown["isActive"] is False
    assert ngsi.patch(f"/subscriptions/{sub_id}", {"isActive": True}).status_code == 204
    assert ngsi.get(f"/subscriptions/{sub_id}").json()["status"] == "active"


def test_a_subscription_past_its_expiry_reports_expired_until_moved_ahead(ngsi, clock):
    sub_id = create(ngsi, subscription(ENDPOINT, expiresAt="2026-01-05T01:30:00Z"))
    clock.advance(minutes=40)
    assert ngsi.get(f"/subscriptions/{sub_id}").json()["status"] == "expired"
    response = ngsi.patch(f"/subscriptions/{sub_id}", {"expiresAt": "2026-02-01T00:00:00Z"})
    assert response.status_code == 204
    assert ngsi.get(f"/subscriptions/{sub_id}").json()["status"] == "active"


def test_patch_replaces_members_and_merges_notification_parameters(ngsi):
    sub_id = create(ngsi, subscription(ENDPOINT, timeInterval=5))
    fragment = {"type": "Subscription", "notification": {"format": "keyValues"}}
    assert ngsi.patch(f"/subscriptions/{sub_id}", fragment).status_code == 204
    shown = ngsi.get(f"/subscriptions/{sub_id}").json()
    assert shown["notification"]["format"] == "keyValues"
    assert shown["notification"]["endpoint"]["uri"] == ENDPOINT
    assert shown["timeInterval"] == 5


def test_patch_removes_an_optional_member_with_null(ngsi):
    sub_id = create(ngsi, subscription(ENDPOINT, throttling=10))
    assert ngsi.patch(f"/subscriptions/{sub_id}", {"throttling": None}).status_code == 204
    assert "throttling" not in ngsi.get(f"/subscriptions/{sub_id}").json()


@pytest.mark.parametrize(
    "fragment",
    [
        {"notification": {"endpoint": None}},
        {"notification": None},
        {"expiresAt": "2020-01-01T00:00:00Z"},
        {"throttling": -1},
        {"entities": []},
        {"type": "Entity"},
    ],
)
def test_patch_with_a_fragment_that_breaks_the_rules_is_bad_request_data(ngsi, fragment):
    sub_id = create(ngsi, subscription(ENDPOINT))
    problem(ngsi.patch(f"/subscriptions/{sub_id}", fragment), 400, "BadRequestData")
    assert ngsi.get(f"/subscriptions/{sub_id}").json()["notification"]["endpoint"]["uri"]


def test_unknown_and_invalid_ids_are_404_and_400(ngsi):
    unknown = "/subscriptions/urn:ngsi-ld:Subscription:nope"
    problem(ngsi.get(unknown), 404, "ResourceNotFound")
    problem(ngsi.patch(unknown, {"isActive": False}), 404, "ResourceNotFound")
    problem(ngsi.delete(unknown), 404, "ResourceNotFound")
    problem(ngsi.get("/subscriptions/InvalidUri"), 400, "BadRequestData")
    problem(ngsi.patch("/subscriptions/InvalidUri", {"isActive": False}), 400, "BadRequestData")
    assert ngsi.patch("/subscriptions/", {"isActive": False}).status_code == 405


def test_delete_answers_204_and_the_subscription_is_gone(ngsi):
    sub_id = create(ngsi, subscription(ENDPOINT))
    assert ngsi.delete(f"/subscriptions/{sub_id}").status_code == 204
    problem(ngsi.get(f"/subscriptions/{sub_id}"), 404, "ResourceNotFound")


def test_query_pages_with_limit_offset_count_and_prev_next_links(ngsi):
    ids = [create(ngsi, subscription(ENDPOINT)) for _ in range(3)]
    response = ngsi.get(
        "/subscriptions",
        params={"limit": 1, "offset": 1, "count": "true"},
        headers={"Accept": "application/ld+json"},
    )
    assert response.status_code == 200
    assert [s["id"] for s in response.json()] == [ids[1]]
    assert response.headers["NGSILD-Results-Count"] == "3"
    links = response.headers["Link"].split(",")
    assert sorted(links) == sorted(
        [
            '</ngsi-ld/v1/subscriptions?limit=1&offset=0>;rel="prev";type="application/ld+json"',
            '</ngsi-ld/v1/subscriptions?limit=1&offset=2>;rel="next";type="application/ld+json"',
        ]
    )
    everything = ngsi.get("/subscriptions/", params={"limit": 15})
    assert [s["id"] for s in everything.json()] == ids
    assert 'rel="next"' not in everything.headers.get("Link", "")


def test_a_tenant_sees_only_its_own_subscriptions(ngsi, auth_headers, app_client):
    create(ngsi, subscription(ENDPOINT, id="urn:ngsi-ld:Subscription:mine"))
    other = Ngsi(app_client, auth_headers("admin", tenant="suzhou"))
    assert other.get("/subscriptions").json() == []
    problem(other.get("/subscriptions/urn:ngsi-ld:Subscription:mine"), 404, "ResourceNotFound")
    create(other, subscription(ENDPOINT, id="urn:ngsi-ld:Subscription:mine"))


def test_members_the_system_maintains_are_ignored_when_given(ngsi):
    body = subscription(ENDPOINT, status="expired", __context="http://evil.example/x.jsonld")
    body["notification"]["timesSent"] = 42
    sub_id = create(ngsi, body)
    shown = ngsi.get(f"/subscriptions/{sub_id}")
    assert shown.json()["status"] == "active"
    assert "timesSent" not in shown.json()["notification"]
    assert "evil.example" not in shown.text


def test_options_sys_attrs_adds_created_and_modified(ngsi):
    sub_id = create(ngsi, subscription(ENDPOINT))
    body = ngsi.get(f"/subscriptions/{sub_id}", params={"options": "sysAttrs"}).json()
    assert body["createdAt"] == body["modifiedAt"] == "2026-01-05T01:00:00.000Z"


def test_without_context_write_permission_creating_is_forbidden(app_client, auth_headers):
    analyst = Ngsi(app_client, auth_headers("analyst"))
    assert analyst.post("/subscriptions", subscription(ENDPOINT)).status_code == 403
    assert analyst.get("/subscriptions").status_code == 200
