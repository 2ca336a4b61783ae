"""Rules fixtures: a small city with devices placed in its cells, rules made through the service,
and readings sent through ingestion itself (the path every transport takes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from smartcity.geo.layout import CityLayout
from smartcity.platform import Platform
from smartcity.rules import service
from smartcity.rules.models import Alert, Rule
from smartcity.rules.schemas import RuleIn
from smartcity.security.principal import Principal
from smartcity.sensing import service as sensing
from smartcity.sensing.device_types import DeviceKind
from smartcity.sensing.ingest.service import IngestOutcome
from smartcity.sensing.schemas import DeviceCreate
from tests.sensing.conftest import city, inside, small_city  # noqa: F401
from tests.sensing.ingest_fixtures import ingest_items, iso


@dataclass
class Place:
    """Where a test device stands: its cell and the codes above it."""

    cell: str
    street: str
    district: str


@pytest.fixture
def places(city: CityLayout) -> list[Place]:  # noqa: F811
    """One cell in each of the first two districts."""
    found: dict[str, Place] = {}
    for cell in city.cells:
        district = cell.code[:6]
        if district not in found:
            found[district] = Place(cell.code, cell.code[:9], district)
        if len(found) == 2:
            break
    return list(found.values())


@pytest.fixture
def add_device(platform: Platform, admin: Principal, city: CityLayout, places: list[Place]):  # noqa: F811
    cells = {c.code: c for c in city.cells}

    def add(device_id: str, kind: DeviceKind = DeviceKind.AIR_QUALITY_STATION, place: int = 0):
        lon, lat = inside(cells[places[place].cell])
        spec = DeviceCreate(device_id=device_id, type=kind, lon=lon, lat=lat)
        with platform.db.session() as session:
            device, _ = sensing.create_device(session, platform, admin, spec)
        return device

    return add


@pytest.fixture
def make_rule(platform: Platform, admin: Principal) -> Callable[..., Rule]:
    def make(**values: Any) -> Rule:
        values.setdefault("name_zh", "测试规则")
        values.setdefault("name_en", "Test rule")
        body = RuleIn(**values).model_dump()
        with platform.db.session() as session:
            return service.create_rule(session, platform, admin, body)

    return make


@pytest.fixture
def send(platform: Platform, tenant_id: int) -> Callable[..., IngestOutcome]:
    """Readings of one device, each at its own time: send("A1", (t, {"pm25": 80}), …)."""

    def post(device_id: str, *readings: tuple[datetime, dict[str, Any]]) -> IngestOutcome:
        items = [
            {"device_id": device_id, "observedAt": iso(at), **values} for at, values in readings
        ]
        outcome = ingest_items(platform, tenant_id, items)
        assert not outcome.letters, outcome.letters
        return outcome

    return post


def alerts_of(platform: Platform, **where: Any) -> list[Alert]:
    with platform.db.session() as session:
        stmt = select(Alert).filter_by(**where).order_by(Alert.id)
        return list(session.scalars(stmt))


def threshold(raise_at: float, clear_at: float, **params: Any) -> dict[str, Any]:
    return {"direction": "above", "raise_at": raise_at, "clear_at": clear_at, **params}


@pytest.fixture
def devices_api(client, auth_headers):
    from tests.sensing.conftest import Devices

    return Devices(client, auth_headers("admin"))
