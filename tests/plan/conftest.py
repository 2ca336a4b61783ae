"""Plan fixtures: the programme installed for the `shanghai` tenant, and its API as a role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from smartcity.plan.loader import install_seed

API = "/api/plan"


@pytest.fixture
def programme(platform: Any, admin: Any) -> None:
    with platform.db.session() as session:
        install_seed(session, platform, admin)


class PlanApi:
    """The plan API as one role sees it."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    def request(self, method: str, path: str = "", **kwargs: Any) -> httpx.Response:
        return self.client.request(method, API + path, headers=self.headers, **kwargs)

    def get(self, path: str = "", **params: Any) -> Any:
        response = self.request("GET", path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def plan_as(
    client: TestClient, auth_headers: Callable[..., dict[str, str]]
) -> Callable[..., PlanApi]:
    def make(role: str, tenant: str = "shanghai") -> PlanApi:
        return PlanApi(client, auth_headers(role, tenant))

    return make
