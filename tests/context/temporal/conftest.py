"""Fixtures for the temporal API: an admin's NGSI-LD client and the ETSI example vehicles."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

BASE = "/ngsi-ld/v1"
TEMPORAL = BASE + "/temporal/entities"
VEHICLE = {
    "id": "urn:ngsi-ld:Vehicle:A",
    "type": "Vehicle",
    "speed": [
        {"type": "Property", "value": 120, "observedAt": "2020-08-01T12:03:00Z"},
        {"type": "Property", "value": 80, "observedAt": "2020-08-01T12:05:00Z"},
        {"type": "Property", "value": 100, "observedAt": "2020-08-01T12:07:00Z"},
    ],
    "fuelLevel": [
        {"type": "Property", "value": 67, "observedAt": "2020-08-01T12:03:00Z"},
        {"type": "Property", "value": 53, "observedAt": "2020-08-01T13:05:00Z"},
        {"type": "Property", "value": 40, "observedAt": "2020-08-01T14:07:00Z"},
    ],
}


class Ngsi:
    """A TestClient bound to an admin's credentials and JSON defaults."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if "json" in kwargs:
            headers.setdefault("Content-Type", "application/json")
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def ngsi(client: TestClient, auth_headers: Callable[..., dict[str, str]]) -> Ngsi:
    return Ngsi(client, auth_headers("admin"))


def vehicle(entity_id: str = "urn:ngsi-ld:Vehicle:A", **changes: Any) -> dict[str, Any]:
    """The ETSI test suite's 2020-08 vehicle, under another id or with other members."""
    return {**copy.deepcopy(VEHICLE), "id": entity_id, **changes}


@pytest.fixture
def created(ngsi: Ngsi) -> dict[str, Any]:
    entity = vehicle()
    response = ngsi.post(TEMPORAL, json=entity)
    assert response.status_code == 201, response.text
    return entity
