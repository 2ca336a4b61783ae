"""A small catalogue: two publishers, a theme group, public and private datasets, an editor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from smartcity.opendata import organisations, service
from smartcity.opendata.schemas import read_package
from smartcity.platform import Platform
from smartcity.security import service as security
from tests.conftest import make_user


def system(session: Any) -> Any:
    return security.system_principal(security.get_tenant(session, slug="shanghai"), "test")


def package(name: str, org: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "title": f"{name} 数据",
        "title_en": f"{name} data",
        "notes": f"关于 {name} 的说明",
        "notes_en": f"About {name}",
        "owner_org": org,
        "license_id": "cc-by-4.0",
        "tags": [{"name": "city"}],
        "private": False,
    }
    data.update(extra)
    return data


@dataclass
class Catalogue:
    platform: Platform
    editor_token: str  # a platform API key of an editor of "environment"
    editor_user_id: int

    def create(self, data: dict[str, Any]) -> str:
        with self.platform.db.session() as s:
            dataset = service.create_dataset(
                s, self.platform.clock, system(s), read_package(data, creating=True)
            )
            return dataset.uid


@pytest.fixture
def catalogue(platform: Platform) -> Catalogue:
    clock = platform.clock
    with platform.db.session() as s:
        admin = system(s)
        env = organisations.create_organisation(
            s,
            clock,
            admin,
            {
                "name": "environment",
                "title": "生态环境局",
                "title_en": "Ecology and Environment Bureau",
            },
        )
        organisations.create_organisation(
            s,
            clock,
            admin,
            {"name": "transport", "title": "交通委", "title_en": "Transport Commission"},
        )
        organisations.create_group(
            s, clock, admin, {"name": "air", "title": "空气", "title_en": "Air"}
        )
        key = security.create_api_key(s, clock, admin, name="editor app", scopes=["opendata:*"])
        organisations.add_member(
            s, clock, admin, organisation=env, capacity="editor", api_key_id=key.key.id
        )
    user_id = make_user(platform, "analyst")
    cat = Catalogue(platform, key.secret, user_id)
    cat.create(
        package(
            "air-quality-hourly",
            "environment",
            groups=[{"name": "air"}],
            tags=[{"name": "air"}, {"name": "pm25"}],
            theme=["ENVI"],
            frequency="HOURLY",
            spatial_districts=["310101", "310104"],
            temporal_start="2026-01-01",
            contact_name="市生态环境局信息中心",
            contact_email="opendata@sthj.example.gov.cn",
            resources=[{"name": "readings", "format": "CSV", "url": "https://example.org/aq.csv"}],
        )
    )
    cat.create(
        package(
            "noise-daily", "environment", tags=[{"name": "noise"}, {"name": "city"}], theme=["ENVI"]
        )
    )
    cat.create(
        package(
            "bus-stops",
            "transport",
            theme=["TRAN"],
            license_id="odc-odbl",
            resources=[
                {"name": "stops", "format": "GeoJSON", "url": "https://example.org/s.geojson"}
            ],
        )
    )
    cat.create(package("draft-emissions", "environment", private=True))
    cat.create(package("draft-roadworks", "transport", private=True))
    return cat


@pytest.fixture
def call(client: Any) -> Callable[..., Any]:
    """Call an action by POST (or GET with get=True); returns the response."""

    def do(
        name: str,
        data: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        get: bool = False,
    ) -> Any:
        if get:
            return client.get(f"/api/3/action/{name}", params=data or {}, headers=headers or {})
        return client.post(f"/api/3/action/{name}", json=data or {}, headers=headers or {})

    return do
