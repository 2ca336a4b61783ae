"""An NGSI-LD client on the full application, as an administrator (context:write)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

BASE = "/ngsi-ld/v1"
CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"


def link(url: str) -> str:
    """A Link header naming `url` as the JSON-LD @context."""
    return f'<{url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'


class Ngsi:
    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, BASE + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, json=body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, json=body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, json=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def create(self, entity: dict[str, Any]) -> None:
        response = self.post("/entities", entity)
        assert response.status_code == 201, response.text


@pytest.fixture
def ngsi(client: TestClient, auth_headers: Callable[..., dict[str, str]]) -> Ngsi:
    return Ngsi(client, auth_headers("admin"))


def problem(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    """Assert a ProblemDetails answer of this status and NGSI-LD error type."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == ERRORS + kind, body
    assert body["status"] == status and body["title"] and "detail" in body
    return body


def streetlight(number: int, **attrs: Any) -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:Streetlight:{number:03d}",
        "type": "Streetlight",
        "powerState": {"type": "Property", "value": "on"},
        "illuminanceLevel": {"type": "Property", "value": number, "unitCode": "LUX"},
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [121.47 + number / 1000, 31.23]},
        },
        **attrs,
    }
