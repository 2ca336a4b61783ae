"""Sensing fixtures: a small generated city loaded into the `shanghai` tenant, and a client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from smartcity.geo.features import AreaFeature
from smartcity.geo.layout import CityLayout, generate_shanghai

API = "/api/sensing/devices"


@pytest.fixture(scope="session")
def small_city() -> CityLayout:
    """16 districts, 16 streets, about 300 cells, one street office (department) per street."""
    return generate_shanghai(cells=100, streets=16, seed=7)


@pytest.fixture
def city(platform: Any, admin: Any, small_city: CityLayout) -> CityLayout:
    from smartcity.geo import service

    with platform.db.session() as session:
        service.load_demo_city(session, platform.clock, admin, small_city)
    return small_city


def inside(cell: AreaFeature) -> tuple[float, float]:
    """A point inside the cell (not on its edge)."""
    point = cell.geometry.representative_point()
    return point.x, point.y


def device_body(device_id: str, cell: AreaFeature, **extra: Any) -> dict[str, Any]:
    lon, lat = inside(cell)
    return {"device_id": device_id, "type": "air_quality_station", "lon": lon, "lat": lat, **extra}


class Devices:
    """The device registry API as one role sees it."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    def request(self, method: str, path: str = "", **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, API + path, headers=headers, **kwargs)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.request("POST", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, device_id: str) -> httpx.Response:
        return self.request("GET", f"/{device_id}")

    def list(self, **params: Any) -> dict[str, Any]:
        response = self.request("GET", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def patch(self, device_id: str, body: Any) -> httpx.Response:
        return self.request("PATCH", f"/{device_id}", json=body)

    def import_csv(self, text: str, **headers: str) -> httpx.Response:
        return self.request(
            "POST",
            "/import",
            content=text.encode(),
            headers={"Content-Type": "text/csv", **headers},
        )


@pytest.fixture
def devices(client: TestClient, auth_headers: Callable[..., dict[str, str]]) -> Devices:
    return Devices(client, auth_headers("admin"))
