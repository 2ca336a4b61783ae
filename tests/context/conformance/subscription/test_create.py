"""TP/NGSI-LD/ContextInformation/Subscription/CreateSubscription (028_*, 5811_*): clause 5.8.1."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, same
from tests.context.conformance.subscription.conftest import (
    JSON,
    LD,
    random_subscription_id,
)
from tests.context.conformance.subscription.samples import (
    BUILDINGS,
    endpoint,
    expected,
    periodic,
    subscription,
    with_dataset,
    with_json_ld_context,
)

# The suite's `ignored_keys` when it checks a created subscription.
SYSTEM_MEMBERS = ("jsonldContext", "timesFailed", "timesSent", "notificationTrigger")


def retrieved(subs, subscription_id: str) -> dict[str, Any]:
    response = subs.retrieve(subscription_id, accept=LD, context=SUITE_CONTEXT)
    assert response.status_code == 200, response.text
    return response.json()


def test_028_01_create_a_subscription(subs):
    sub_id = random_subscription_id()
    subs.created(periodic(sub_id))
    same(expected(sub_id, periodic(sub_id)), retrieved(subs, sub_id), ignore=SYSTEM_MEMBERS)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        pytest.param(
            b'{"id": "urn:ngsi-ld:Subscription:x",, "type": "Subscription"}',
            "InvalidRequest",
            id="028_02_01-invalid-json",
        ),
        pytest.param(b"{}", "BadRequestData", id="028_02_02-empty-json"),
    ],
)
def test_028_02_an_invalid_request_is_refused(subs, raw, kind):
    problem(subs.create(None, raw=raw), 400, kind)


@pytest.mark.parametrize("bad_id", ["invalidId", ""], ids=["028_03_01", "028_03_02"])
def test_028_03_an_invalid_or_empty_id_is_bad_request_data(subs, bad_id):
    problem(subs.create(periodic(bad_id)), 400, "BadRequestData")


def test_028_04_an_existing_id_is_already_exists(subs):
    sub_id = subs.created(periodic(random_subscription_id()))
    problem(subs.create(periodic(sub_id)), 409, "AlreadyExists")


@pytest.mark.parametrize(
    "members",
    [
        pytest.param({"timeInterval": 10, "throttling": 30}, id="028_05_01-with-timeInterval"),
        pytest.param({"throttling": -30}, id="028_05_02-negative"),
    ],
)
def test_028_05_invalid_throttling_is_bad_request_data(subs, members):
    body = subscription(
        random_subscription_id(),
        context=[],
        notification={"format": "keyValues", "endpoint": endpoint()},
        **members,
    )
    problem(subs.create(body), 400, "BadRequestData")


def test_028_06_create_a_subscription_with_a_dataset_id(subs):
    sub_id = subs.created(with_dataset(random_subscription_id()))
    same(expected(sub_id, with_dataset(sub_id)), retrieved(subs, sub_id))


@pytest.mark.parametrize(
    ("url", "status", "kind"),
    [
        pytest.param("unknownContext", 400, "BadRequestData", id="028_07_01-invalid"),
        pytest.param(
            "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-non-existing.jsonld",
            503,
            "LdContextNotAvailable",
            id="028_07_02-unavailable",
        ),
    ],
)
def test_028_07_an_invalid_or_unavailable_json_ld_context(subs, url, status, kind):
    problem(subs.create(with_json_ld_context(random_subscription_id(), url)), status, kind)


@pytest.mark.parametrize(
    "members",
    [
        pytest.param({"pick": ["id"], "omit": ["id"]}, id="028_08_01-same-in-pick-and-omit"),
        pytest.param({"pick": ["id"], "attributes": ["id"]}, id="028_08_02-pick-and-attrs"),
        pytest.param({"omit": ["id"], "attributes": ["id"]}, id="028_08_03-omit-and-attrs"),
    ],
)
def test_028_08_invalid_pick_omit_attributes(subs, members):
    body = subscription(
        random_subscription_id(), context=[], notification={"endpoint": endpoint(), **members}
    )
    problem(subs.create(body, JSON, context=SUITE_CONTEXT), 400, "BadRequestData")


def bare(sub_id: str, notification: dict[str, Any]) -> dict[str, Any]:
    """The Antares TPs' inline payloads: Buildings, no @context, sent as application/json."""
    return subscription(sub_id, context=[], notification=notification)


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"format": "keyValues", "showChanges": True}, id="028_09_01"),
        pytest.param({"format": "simplified", "showChanges": True}, id="028_09_02"),
        pytest.param({"attributes": []}, id="028_09_03"),
        pytest.param({"pick": []}, id="028_09_04"),
        pytest.param({"omit": []}, id="028_09_05"),
    ],
)
def test_028_09_notification_params_restrictions(subs, extra):
    body = bare(random_subscription_id(), {"endpoint": endpoint(accept=None), **extra})
    problem(subs.create(body, JSON), 400, "BadRequestData")


def test_028_09_06_show_changes_with_normalized_is_accepted(subs):
    extra = {"format": "normalized", "showChanges": True}
    body = bare(random_subscription_id(), {"endpoint": endpoint(accept=None), **extra})
    assert subs.create(body, JSON).status_code == 201


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        pytest.param(
            {
                "receiverInfo": [{"key": "Authorization", "value": "Bearer abc"}],
                "notifierInfo": [{"key": "Prefer", "value": "body=json"}],
            },
            201,
            id="028_10_01",
        ),
        pytest.param({"receiverInfo": [{"key": "K", "value": 42}]}, 400, id="028_10_02"),
        pytest.param({"notifierInfo": [{"key": "K", "value": {"a": 1}}]}, 400, id="028_10_03"),
        pytest.param({"receiverInfo": [{"key": "K"}]}, 400, id="028_10_04"),
        pytest.param({"receiverInfo": [{"key": 5, "value": "v"}]}, 400, id="028_10_05"),
    ],
)
def test_028_10_key_value_pairs_of_the_endpoint(subs, extra, status):
    body = bare(random_subscription_id(), {"endpoint": {**endpoint(accept=None), **extra}})
    response = subs.create(body, JSON)
    assert response.status_code == status, response.text
    if status == 400:
        problem(response, 400, "BadRequestData")


def test_5811_01_01_a_past_expiry_is_bad_request_data(subs):
    body = subscription(random_subscription_id(), expiresAt="2000-01-01T00:00:00Z")
    problem(subs.create(body), 400, "BadRequestData")


def test_5811_01_02_is_active_false_creates_a_paused_subscription(subs):
    sub_id = subs.created(subscription(random_subscription_id(), isActive=False))
    assert retrieved(subs, sub_id)["status"] == "paused"


def test_5811_01_03_a_subscription_without_id_gets_a_generated_uri(subs):
    body = subscription("x")
    del body["id"]
    response = subs.create(body)
    assert response.status_code == 201, response.text
    assert "urn:" in response.headers["Location"]
    assert subs.retrieve(subs.ids[-1], accept=LD, context=SUITE_CONTEXT).status_code == 200


def test_5811_02_01_an_unknown_notification_trigger_is_bad_request_data(subs):
    body = subscription(random_subscription_id(), notificationTrigger=["entityChanged"])
    problem(subs.create(body), 400, "BadRequestData")


def test_5811_02_02_all_six_notification_triggers_are_accepted(subs):
    triggers = [
        *("entityCreated", "entityUpdated", "entityDeleted"),
        *("attributeCreated", "attributeUpdated", "attributeDeleted"),
    ]
    subs.created(subscription(random_subscription_id(), notificationTrigger=triggers))


def test_5811_02_03_an_invalid_csf_is_bad_request_data(subs):
    problem(subs.create(subscription(random_subscription_id(), csf="((")), 400, "BadRequestData")


def test_5811_02_04_read_only_and_unknown_members_are_not_served(subs):
    body = subscription(
        random_subscription_id(),
        __context="http://localhost:1111/hijacked.jsonld",
        status="expired",
        notification={"endpoint": {"uri": "http://localhost:1111/notify"}, "timesSent": 42},
    )
    sub_id = subs.created(body)
    response = subs.retrieve(sub_id, accept=LD, context=SUITE_CONTEXT)
    assert "__context" not in response.text and "hijacked.jsonld" not in response.text
    shown = response.json()
    assert shown["status"] == "active"
    assert shown["notification"].get("timesSent") != 42
    assert shown["entities"] == BUILDINGS
