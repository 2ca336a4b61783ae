"""Ingestion test helpers: a registered fleet, one device of each kind, with their keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smartcity.platform import Platform
from smartcity.security.principal import Principal
from smartcity.sensing import service
from smartcity.sensing.device_types import DeviceKind
from smartcity.sensing.ingest.parse import TimeParser, read_item
from smartcity.sensing.ingest.service import IngestOutcome, Source, ingest
from smartcity.sensing.schemas import DeviceCreate

POINT = (121.4737, 31.2304)  # People's Square; the test city has no grid cells


@dataclass
class Fleet:
    """Device id and HTTP key of one registered device per kind."""

    ids: dict[DeviceKind, str]
    keys: dict[str, str]


def register(
    platform: Platform, admin: Principal, device_id: str, kind: DeviceKind, **extra: Any
) -> str:
    """Register a device; its API key."""
    spec = DeviceCreate(device_id=device_id, type=kind, lon=POINT[0], lat=POINT[1], **extra)
    with platform.db.session() as session:
        _, issued = service.create_device(session, platform, admin, spec)
    assert issued.api_key is not None
    return issued.api_key


def register_fleet(platform: Platform, admin: Principal) -> Fleet:
    ids, keys = {}, {}
    for n, kind in enumerate(DeviceKind):
        device_id = f"DEV-{n:02d}"
        ids[kind] = device_id
        keys[device_id] = register(platform, admin, device_id, kind)
    return Fleet(ids, keys)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def ingest_items(
    platform: Platform, tenant_id: int, items: list[Any], *, only_device: str | None = None
) -> IngestOutcome:
    """The HTTP transport's path without HTTP: items in, one batch stored."""
    now = platform.clock.now()
    times = TimeParser()
    measurements = [
        read_item(item, now, times, device_id=only_device, index=i) for i, item in enumerate(items)
    ]
    with platform.db.session() as session:
        return ingest(
            session,
            platform,
            tenant_id,
            measurements,
            source=Source("http", "/test"),
            received_at=now,
            only_device=only_device,
        )
