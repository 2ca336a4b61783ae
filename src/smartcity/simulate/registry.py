"""The simulated fleet in the device registry: registered through the sensing service, each
device with its own MQTT credential, owned by the city department that would run it when the
city has that department (the demo city's). Registering again creates only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from smartcity.core.errors import Conflict
from smartcity.geo import service as geo
from smartcity.platform import Platform
from smartcity.security import service as security
from smartcity.sensing import service as sensing
from smartcity.sensing.credentials import IssuedCredentials
from smartcity.sensing.device_types import DEVICE_TYPES, DeviceKind
from smartcity.sensing.schemas import DeviceCreate
from smartcity.simulate.placement import SimDevice

# Which of the demo city's departments runs each kind (none of them runs public Wi-Fi).
OWNERS: dict[DeviceKind, str] = {
    DeviceKind.AIR_QUALITY_STATION: "SHSTHJ",
    DeviceKind.NOISE_MONITOR: "SHSTHJ",
    DeviceKind.WATER_QUALITY_BUOY: "SHSWJ",
    DeviceKind.MANHOLE_COVER: "SHSWJ",
    DeviceKind.PIPE_PRESSURE_SENSOR: "SHSWJ",
    DeviceKind.STREETLIGHT: "SHLRB",
    DeviceKind.TRAFFIC_COUNTER: "SHJTW",
    DeviceKind.PARKING_SPOT: "SHJTW",
    DeviceKind.SMOKE_DETECTOR: "SHGAJ",
}
MODEL = "smartcity simulator"
PAGE = 1_000
ACTOR = "simulate"


@dataclass
class Registration:
    created: int = 0
    existing: int = 0
    issued: list[IssuedCredentials] = field(default_factory=list)


def _owners(platform: Platform, tenant_id: int) -> dict[DeviceKind, str]:
    with platform.db.session() as session:
        return {
            kind: code
            for kind, code in OWNERS.items()
            if geo.find_department(session, tenant_id, code=code) is not None
        }


def _registered_ids(session: Session, tenant_id: int) -> set[str]:
    """The ids of every device the tenant has, read a page at a time."""
    found: set[str] = set()
    offset = 0
    while True:
        page, total = sensing.list_devices(session, tenant_id, limit=PAGE, offset=offset)
        found.update(d.device_id for d in page)
        offset += PAGE
        if offset >= total or not page:
            return found


def register_fleet(
    platform: Platform,
    tenant: str,
    devices: Sequence[SimDevice],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Registration:
    """Register the devices the tenant does not have yet (one commit each, as the service does).

    `progress(done, total)` is called now and then for a display.
    """
    report = Registration()
    with platform.db.session() as session:
        found = security.get_tenant(session, slug=tenant)
        principal = security.system_principal(found, ACTOR)
        have = _registered_ids(session, found.id)
        missing = [d for d in devices if d.device_id not in have]
        report.existing = len(devices) - len(missing)
        cells = sensing.locate_cells(session, platform, found.id, [(d.lon, d.lat) for d in missing])
    owners = _owners(platform, principal.tenant_id)
    for n, (device, cell) in enumerate(zip(missing, cells, strict=True), start=1):
        kind = DEVICE_TYPES[device.kind]
        spec = DeviceCreate(
            device_id=device.device_id,
            type=device.kind,
            lon=device.lon,
            lat=device.lat,
            name=f"{kind.name_zh} {device.device_id} / {kind.name_en}",
            model=MODEL,
            department=owners.get(device.kind),
            credentials=["mqtt"],
        )
        try:
            with platform.db.session() as session:
                _, issued = sensing.create_device(
                    session, platform, principal, spec, located=(cell,)
                )
        except Conflict:  # registered meanwhile (another run)
            report.existing += 1
            continue
        report.created += 1
        report.issued.append(issued)
        if progress is not None and (n % 200 == 0 or n == len(missing)):
            progress(n, len(missing))
    return report


def gateway_login(platform: Platform, tenant: str, device_id: str) -> tuple[str, str]:
    """(username, password) a fleet gateway logs in with to a broker that wants device logins:
    the MQTT credential of one of its devices, issued afresh (the old one stops working)."""
    with platform.db.session() as session:
        found = security.get_tenant(session, slug=tenant)
        principal = security.system_principal(found, ACTOR)
        issued = sensing.rotate_credentials(
            session, platform, principal, device_id=device_id, kinds=["mqtt"]
        )
    assert issued.mqtt_username is not None and issued.mqtt_password is not None
    return issued.mqtt_username, issued.mqtt_password
