"""What a subscription must be (clauses 5.2.12, 5.2.14, 5.8.1): each broken rule is a 400."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.api.conftest import problem
from tests.context.subscriptions.conftest import subscription

ENDPOINT = "http://notify.example.org/notify"


def _with(**members: Any) -> dict[str, Any]:
    return subscription(ENDPOINT, **members)


def _notification(**members: Any) -> dict[str, Any]:
    body = _with()
    body["notification"].update(members)
    return body


def _endpoint(**members: Any) -> dict[str, Any]:
    body = _with()
    body["notification"]["endpoint"].update(members)
    return body


def _without(*keys: str) -> dict[str, Any]:
    return {k: v for k, v in _with().items() if k not in keys}


BAD = {
    "not an object": [],
    "empty object": {},
    "no type": _without("type"),
    "wrong type": _with(type="Registration"),
    "invalid id": _with(id="invalidId"),
    "empty id": _with(id=""),
    "no notification": _without("notification"),
    "neither entities nor watchedAttributes": _without("entities"),
    "empty entities": _with(entities=[]),
    "selector without type": _with(entities=[{"id": "urn:ngsi-ld:Streetlight:1"}]),
    "selector with bad id": _with(entities=[{"type": "Streetlight", "id": "lamp 1"}]),
    "bad idPattern": _with(entities=[{"type": "Streetlight", "idPattern": "(a+)+"}]),
    "bad type expression": _with(entities=[{"type": "(Streetlight|"}]),
    "empty watchedAttributes": _with(watchedAttributes=[]),
    "unknown trigger": _with(notificationTrigger=["entityChanged"]),
    "timeInterval with watchedAttributes": _with(timeInterval=5, watchedAttributes=["a"]),
    "timeInterval with throttling": _with(timeInterval=5, throttling=5),
    "negative throttling": _with(throttling=-1),
    "zero timeInterval": _with(timeInterval=0),
    "bad q": _with(q="powerState=="),
    "bad csf": _with(csf="(("),
    "bad geoQ": _with(geoQ={"georel": "near", "geometry": "Point", "coordinates": [1, 2]}),
    "isActive not boolean": _with(isActive="yes"),
    "expiresAt in the past": _with(expiresAt="2020-01-01T00:00:00Z"),
    "expiresAt not a DateTime": _with(expiresAt="tomorrow"),
    "no endpoint": _notification(endpoint=None),
    "endpoint without uri": _notification(endpoint={"accept": "application/json"}),
    "endpoint uri not a URI": _endpoint(uri="not a uri"),
    "endpoint with an unknown scheme": _endpoint(uri="ftp://files.example.org/x"),
    "unknown accept": _endpoint(accept="text/plain"),
    "receiverInfo value not a string": _endpoint(receiverInfo=[{"key": "K", "value": 42}]),
    "notifierInfo without value": _endpoint(notifierInfo=[{"key": "K"}]),
    "unknown format": _notification(format="compact"),
    "showChanges with keyValues": _notification(format="keyValues", showChanges=True),
    "showChanges with simplified": _notification(format="simplified", showChanges=True),
    "empty attributes": _notification(attributes=[]),
    "empty pick": _notification(pick=[]),
    "pick and omit the same member": _notification(pick=["id"], omit=["id"]),
    "pick with attributes": _notification(pick=["id"], attributes=["powerState"]),
    "jsonldContext not a URI": _with(jsonldContext="unknownContext"),
    "private literal endpoint": _endpoint(uri="http://10.1.2.3/notify"),
    "loopback literal endpoint": _endpoint(uri="http://127.0.0.1:1111/notify"),
    "link-local literal endpoint": _endpoint(uri="http://169.254.169.254/latest"),
}


@pytest.mark.parametrize("body", BAD.values(), ids=BAD.keys())
def test_a_subscription_breaking_a_rule_is_bad_request_data(ngsi, body):
    problem(ngsi.post("/subscriptions", body), 400, "BadRequestData")
    assert ngsi.get("/subscriptions").json() == []


def test_malformed_json_is_invalid_request(ngsi):
    response = ngsi.request(
        "POST",
        "/subscriptions",
        content=b'{"type": "Subscription",',
        headers={"Content-Type": "application/json"},
    )
    problem(response, 400, "InvalidRequest")


def test_an_unavailable_json_ld_context_is_503(ngsi):
    body = _with(jsonldContext="https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-none.jsonld")
    problem(ngsi.post("/subscriptions", body), 503, "LdContextNotAvailable")


def test_a_private_literal_endpoint_is_accepted_when_private_targets_are_allowed(ngsi, private_ok):
    assert ngsi.post("/subscriptions", _endpoint(uri="http://10.1.2.3/notify")).status_code == 201


GOOD = {
    "watchedAttributes only": _without("entities") | {"watchedAttributes": ["powerState"]},
    "all six triggers": _with(
        notificationTrigger=[
            "entityCreated",
            "entityUpdated",
            "entityDeleted",
            "attributeCreated",
            "attributeUpdated",
            "attributeDeleted",
        ]
    ),
    "showChanges with normalized": _notification(format="normalized", showChanges=True),
    "string key-value pairs": _endpoint(receiverInfo=[{"key": "Authorization", "value": "x"}]),
    "mqtt endpoint": _endpoint(uri="mqtt://broker.example.org:1883/city/lamps"),
    "geoQ": _with(
        geoQ={"georel": "near;maxDistance==500", "geometry": "Point", "coordinates": [121, 31]}
    ),
    "datasetId": _with(datasetId=["urn:ngsi-ld:Dataset:a", "@none"]),
    "host name endpoint": _endpoint(uri="http://localhost:1111/notify"),
}


@pytest.mark.parametrize("body", GOOD.values(), ids=GOOD.keys())
def test_a_valid_subscription_is_created(ngsi, body):
    assert ngsi.post("/subscriptions", body).status_code == 201
