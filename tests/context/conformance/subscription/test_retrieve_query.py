"""TP/NGSI-LD/ContextInformation/Subscription/RetrieveSubscription (030_*, 436_09, 436_10) and
QuerySubscriptions (031_*): clauses 5.8.3, 5.8.4 and 6.3.6."""

from __future__ import annotations

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, gap, link, problem, same
from tests.context.conformance.subscription.conftest import LD, random_subscription_id
from tests.context.conformance.subscription.samples import (
    expected,
    inactive,
    periodic,
    subscription,
    watched,
)

SYSTEM_MEMBERS = ("jsonldContext", "timesFailed", "timesSent", "notificationTrigger")
PAGE = "/ngsi-ld/v1/subscriptions?limit={limit}&offset={offset}"


def test_030_01_retrieve_with_an_invalid_id_is_bad_request_data(subs):
    problem(subs.retrieve("InvalidUri"), 400, "BadRequestData")


def test_030_02_retrieve_an_unknown_subscription_is_resource_not_found(subs):
    problem(subs.retrieve("urn:ngsi-ld:Subscription:unknowSubscription"), 404, "ResourceNotFound")


def test_030_03_retrieve_a_subscription(subs):
    sub_id = subs.created(periodic(random_subscription_id()))
    response = subs.retrieve(sub_id, context=SUITE_CONTEXT)
    assert response.status_code == 200, response.text
    want = expected(sub_id, periodic(sub_id))
    del want["@context"]  # the suite ignores root['@context'] here
    shown = response.json()
    shown.pop("@context", None)
    same(want, shown, ignore=SYSTEM_MEMBERS)


def notification_attributes(sub_id: str) -> dict:
    """subscription-building-entities-active-notificationAttributes.jsonld."""
    return subscription(
        sub_id,
        isActive=True,
        notification={
            "attributes": ["airQualityLevel"],
            "format": "normalized",
            "endpoint": {"uri": "http://localhost:1111/notify", "accept": "application/json"},
        },
    )


@gap("436_09_01: Prefer: ngsi-ld=1.0 is not answered with Preference-Applied (web edge)")
def test_436_09_an_earlier_version_leaves_a_subscription_unaltered(subs, suite):
    sub_id = subs.created(notification_attributes(random_subscription_id()))
    response = suite.client.get(
        f"/ngsi-ld/v1/subscriptions/{sub_id}",
        headers={
            "Prefer": "ngsi-ld=1.0",
            "Link": link(SUITE_CONTEXT),
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "Subscription" and isinstance(body["entities"], list)
    assert "airQualityLevel" in body["notification"]["attributes"]
    assert response.headers.get("Preference-Applied") == "ngsi-ld=1.0"


@pytest.mark.parametrize(
    "prefer",
    [
        pytest.param("NGSI-LD=1.0", marks=gap("436_10_01: Prefer versions are not applied")),
        pytest.param("Ngsi-Ld=1.0", marks=gap("436_10_02: Prefer versions are not applied")),
        pytest.param('ngsi-ld="1.0"', marks=gap("436_10_03: Prefer versions are not applied")),
        pytest.param("ngsi-ld=1.0;q=0.1", marks=gap("436_10_04: Prefer versions are not applied")),
        pytest.param(
            "respond-async, ngsi-ld=1.0", marks=gap("436_10_05: Prefer versions are not applied")
        ),
    ],
)
def test_436_10_the_version_preference_is_recognised(subs, suite, prefer):
    sub_id = subs.created(notification_attributes(random_subscription_id()))
    response = suite.client.get(f"/ngsi-ld/v1/subscriptions/{sub_id}", headers={"Prefer": prefer})
    assert response.status_code == 200
    assert response.headers.get("Preference-Applied") == "ngsi-ld=1.0"


def test_436_10_06_an_unrelated_preference_applies_no_version(subs, suite):
    sub_id = subs.created(notification_attributes(random_subscription_id()))
    response = suite.client.get(
        f"/ngsi-ld/v1/subscriptions/{sub_id}", headers={"Prefer": "respond-async"}
    )
    assert response.status_code == 200
    assert "Preference-Applied" not in response.headers


@pytest.fixture
def three(subs) -> list[str]:
    """The suite's `Setup Initial Subscriptions` of 031: periodic, watching, paused."""
    return [subs.created(make(random_subscription_id())) for make in (periodic, watched, inactive)]


def test_031_01_query_subscriptions(subs, three):
    response = subs.query(context=SUITE_CONTEXT)
    assert response.status_code == 200, response.text
    want = [
        expected(three[0], periodic(three[0])),
        expected(three[1], watched(three[1])),
        expected(three[2], inactive(three[2]), status="paused"),
    ]
    for item in want:
        del item["@context"]
    shown = response.json()
    for item in shown:
        item.pop("@context", None)
    same(want, shown, ignore=SYSTEM_MEMBERS)


@pytest.mark.parametrize(
    ("limit", "offset", "count", "links"),
    [
        pytest.param(1, 1, 1, {("prev", 0), ("next", 2)}, id="031_02_01-second"),
        pytest.param(1, 2, 1, {("prev", 1)}, id="031_02_02-last"),
        pytest.param(15, 0, 3, set(), id="031_02_03-all"),
    ],
)
def test_031_02_query_pages(subs, three, limit, offset, count, links):
    response = subs.query(
        context=SUITE_CONTEXT, params={"limit": limit, "offset": offset}, accept=LD
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body) == count and all(item["type"] == "Subscription" for item in body)
    want = {
        f'<{PAGE.format(limit=limit, offset=at)}>;rel="{rel}";type="application/ld+json"'
        for rel, at in links
    }
    links = response.headers.get("Link")
    if not want:
        assert links is None or ('rel="prev"' not in links and 'rel="next"' not in links)
    else:
        assert links is not None
        assert set(links.replace(" ", "").split(",")) == want
