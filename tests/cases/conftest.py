"""Case fixtures: a small generated city, users of every role (handlers in real departments),
and the cases API as each of them sees it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from smartcity.geo.features import AreaFeature
from smartcity.geo.layout import CityLayout, generate_shanghai
from smartcity.geo.models import Department
from smartcity.platform import Platform
from smartcity.security import service as security
from smartcity.security.tokens import issue_token
from tests.conftest import SECRET, tenant_id_of

API = "/api/cases"
CATEGORY = "C0101"  # water supply manhole cover: 4 working hours


@pytest.fixture(scope="session")
def small_city() -> CityLayout:
    return generate_shanghai(cells=100, streets=16, seed=7)


@pytest.fixture
def city(platform: Any, admin: Any, small_city: CityLayout) -> CityLayout:
    from smartcity.geo import service

    with platform.db.session() as session:
        service.load_demo_city(session, platform.clock, admin, small_city)
    return small_city


def inside(cell: AreaFeature) -> tuple[float, float]:
    point = cell.geometry.representative_point()
    return point.x, point.y


def office_of(cell: AreaFeature) -> str:
    """The demo street office answering for the cell's street."""
    return f"office-{cell.code[:9]}"


@dataclass
class Caller:
    """The cases API as one user sees it."""

    client: TestClient
    headers: dict[str, str]
    user_id: int
    role: str

    def request(self, method: str, path: str = "", **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, API + path, headers=headers, **kwargs)

    def report(self, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.request("POST", json=body, **kwargs)

    def get(self, case_id: str) -> httpx.Response:
        return self.request("GET", f"/{case_id}")

    def act(self, case_id: str, action: str, **data: Any) -> httpx.Response:
        return self.request(
            "POST", f"/{case_id}/transitions", json={"action": action, "data": data}
        )

    def ok(self, response: httpx.Response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.text
        return response.json()


def _user(platform: Platform, role: str, department: str | None, tenant: str) -> int:
    with platform.db.session() as s:
        tenant_row = security.get_tenant(s, slug=tenant)
        actor = security.system_principal(tenant_row, "test")
        department_id = None
        if department is not None:
            department_id = (
                s.query(Department.id).filter_by(tenant_id=tenant_row.id, code=department).scalar()
            )
            assert department_id is not None, department
        user = security.create_user(
            s,
            platform.clock,
            actor,
            username=f"{role}-{uuid.uuid4().hex[:6]}",
            role=role,
            password="correct-horse-42",
            department_id=department_id,
        )
        return user.id


@pytest.fixture
def caller(platform: Platform, client: TestClient) -> Callable[..., Caller]:
    def make(role: str, department: str | None = None, tenant: str = "shanghai") -> Caller:
        user_id = _user(platform, role, department, tenant)
        token, _ = issue_token(
            key=SECRET,
            user_id=user_id,
            tenant_id=tenant_id_of(platform, tenant),
            role=role,
            now=platform.clock.now(),
            ttl_minutes=60 * 24 * 365,
        )
        return Caller(client, {"Authorization": f"Bearer {token}"}, user_id, role)

    return make


def case_body(cell: AreaFeature, **extra: Any) -> dict[str, Any]:
    lon, lat = inside(cell)
    return {"category": CATEGORY, "lon": lon, "lat": lat, "description": "井盖缺失", **extra}
