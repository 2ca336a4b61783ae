"""TP/NGSI-LD/ContextInformation/Subscription/UpdateSubscription (029_*) and DeleteSubscription
(032_*): clauses 5.8.2 and 5.8.5."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, same
from tests.context.conformance.subscription.conftest import LD, random_subscription_id
from tests.context.conformance.subscription.samples import (
    expanded_type,
    expected,
    inactive,
    periodic,
)

SYSTEM_MEMBERS = ("jsonldContext", "timesFailed", "timesSent", "notificationTrigger")
NEW_ENDPOINT = {
    "type": "Subscription",
    "notification": {
        "format": "keyValues",
        "endpoint": {"uri": "http://my.second.endpoint.org/notify", "accept": "application/json"},
    },
}
VEHICLES = {
    "type": "Subscription",
    "entities": [{"type": "Vehicle"}],
    "notification": {
        "format": "keyValues",
        "endpoint": {"uri": "http://localhost:1111/notify", "accept": "application/json"},
    },
}


def status_of(subs, sub_id: str) -> str:
    response = subs.retrieve(sub_id)
    assert response.status_code == 200, response.text
    return response.json()["status"]


@pytest.mark.parametrize(
    ("path", "status", "kind"),
    [
        pytest.param("", 405, None, id="029_01_01-not-present"),
        pytest.param("InvalidUri", 400, "BadRequestData", id="029_01_02-invalid"),
    ],
)
def test_029_01_update_with_a_missing_or_invalid_id(subs, path, status, kind):
    response = subs.update(path, NEW_ENDPOINT)
    assert response.status_code == status, response.text
    if kind:
        problem(response, status, kind)


def test_029_02_update_an_unknown_subscription_is_resource_not_found(subs):
    response = subs.update("urn:ngsi-ld:Subscription:unknowSubscription", NEW_ENDPOINT)
    problem(response, 404, "ResourceNotFound")


@pytest.mark.parametrize(
    "fragment",
    [
        pytest.param({"type": "Subscription", "timeInterval": "often"}, id="wrong-type"),
        pytest.param({"type": "Subscription", "throttling": -1}, id="negative-throttling"),
        pytest.param({"type": "Subscription", "entities": []}, id="no-entities"),
    ],
)
def test_029_03_an_invalid_fragment_is_bad_request_data(subs, fragment):
    sub_id = subs.created(periodic(random_subscription_id()))
    problem(subs.update(sub_id, fragment), 400, "BadRequestData")


def test_029_04_nulling_a_mandatory_member_is_bad_request_data(subs):
    sub_id = subs.created(periodic(random_subscription_id()))
    fragment = {"type": "Subscription", "notification": {"format": "keyValues", "endpoint": None}}
    problem(subs.update(sub_id, fragment), 400, "BadRequestData")


def vehicle_subscription(sub_id: str, vehicle_type: str) -> dict[str, Any]:
    body = expected(sub_id, periodic(sub_id))
    body["entities"] = [{"type": vehicle_type}]
    return body


def test_029_05_01_update_expands_terms_with_the_context(subs):
    sub_id = subs.created(periodic(random_subscription_id()))
    response = subs.update(sub_id, VEHICLES, context=SUITE_CONTEXT)
    assert response.status_code == 204 and response.content == b""
    shown = subs.retrieve(sub_id, context=SUITE_CONTEXT).json()
    shown.pop("@context", None)
    want = vehicle_subscription(sub_id, "Vehicle")
    del want["@context"]
    same(want, shown, ignore=SYSTEM_MEMBERS)


def test_029_05_02_retrieved_without_context_the_type_stays_expanded(subs):
    sub_id = subs.created(periodic(random_subscription_id()))
    assert subs.update(sub_id, VEHICLES, context=SUITE_CONTEXT).status_code == 204
    shown = subs.retrieve(sub_id).json()
    shown.pop("@context", None)
    want = vehicle_subscription(sub_id, expanded_type("Vehicle"))
    del want["@context"]
    same(want, shown, ignore=SYSTEM_MEMBERS)


def test_029_06_update_modifies_the_subscription(subs):
    sub_id = subs.created(periodic(random_subscription_id()))
    response = subs.update(sub_id, NEW_ENDPOINT, context=SUITE_CONTEXT)
    assert response.status_code == 204 and response.content == b""
    want = {**periodic(sub_id), **NEW_ENDPOINT}
    shown = subs.retrieve(sub_id, accept=LD, context=SUITE_CONTEXT).json()
    same(want, shown, ignore=("status", *SYSTEM_MEMBERS))


@pytest.mark.parametrize(
    "fragment",
    [
        pytest.param({"type": "Subscription", "isActive": True}, id="029_07_01"),
        pytest.param(
            {"type": "Subscription", "isActive": True, "expiresAt": "2030-08-01T22:07:00Z"},
            id="029_08_01",
        ),
    ],
)
def test_029_07_08_activating_a_paused_subscription(subs, fragment):
    sub_id = subs.created(inactive(random_subscription_id()))
    assert status_of(subs, sub_id) == "paused"
    response = subs.update(sub_id, fragment)
    assert response.status_code == 204 and response.content == b""
    assert status_of(subs, sub_id) == "active"


def test_029_09_is_active_false_pauses(subs):
    sub_id = subs.created(periodic(random_subscription_id()))
    response = subs.update(sub_id, {"type": "Subscription", "isActive": False})
    assert response.status_code == 204 and response.content == b""
    assert status_of(subs, sub_id) == "paused"


def test_029_10_a_future_expiry_reactivates_an_expired_subscription(subs, suite_platform):
    sub_id = subs.created(periodic(random_subscription_id()))
    soon = suite_platform.clock.now().timestamp() + 5
    in_5_seconds = _iso(soon)
    assert (
        subs.update(sub_id, {"type": "Subscription", "expiresAt": in_5_seconds}).status_code == 204
    )
    suite_platform.clock.advance(seconds=10)
    assert status_of(subs, sub_id) == "expired"
    fragment = {"type": "Subscription", "expiresAt": "2030-08-01T22:07:00Z"}
    response = subs.update(sub_id, fragment)
    assert response.status_code == 204 and response.content == b""
    assert status_of(subs, sub_id) == "active"


def _iso(timestamp: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_029_11_a_past_expiry_is_bad_request_data(subs):
    sub_id = subs.created(periodic(random_subscription_id()))
    fragment = {"type": "Subscription", "expiresAt": "2020-08-01T22:07:00Z"}
    problem(subs.update(sub_id, fragment), 400, "BadRequestData")


def test_032_01_01_delete_without_id_is_method_not_allowed(subs):
    assert subs.delete("").status_code == 405


def test_032_01_02_delete_with_an_invalid_id_is_bad_request_data(subs):
    problem(subs.delete("InvalidUri"), 400, "BadRequestData")


def test_032_02_delete_an_unknown_subscription_is_resource_not_found(subs):
    problem(subs.delete("urn:ngsi-ld:Subscription:unknowSubscription"), 404, "ResourceNotFound")


def test_032_03_delete_a_subscription(subs):
    sub_id = subs.created(periodic(random_subscription_id()))
    response = subs.delete(sub_id)
    assert response.status_code == 204 and response.text == ""
    assert subs.retrieve(sub_id).status_code == 404
