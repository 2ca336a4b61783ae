"""The rules of the device registry: register, find, change, retire and remove devices, issue
their credentials, and keep each device's NGSI-LD `Device` entity in step. No HTTP here.

Every write is audited and commits together with the device's entity (the context service
commits the unit of work). Reads filter by tenant: another tenant's device is not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcity.context import service as context
from smartcity.context.errors import ResourceNotFound
from smartcity.core.errors import Conflict, ValidationFailed
from smartcity.geo import service as geo
from smartcity.geo.models import Department
from smartcity.platform import Platform
from smartcity.security import audit
from smartcity.security.principal import Principal
from smartcity.sensing import credentials as creds
from smartcity.sensing.credentials import authenticate_api_key, authenticate_mqtt
from smartcity.sensing.device_types import (
    DEVICE_TYPES,
    DeviceKind,
    DeviceType,
    default_entity_id,
    device_entity_id,
)
from smartcity.sensing.entity import device_entity
from smartcity.sensing.fleet import Filters, find_device, get_device, list_devices
from smartcity.sensing.models import Device
from smartcity.sensing.schemas import DeviceCreate

__all__ = [
    "TRANSITIONS",
    "Filters",
    "authenticate_api_key",
    "authenticate_mqtt",
    "city_has_cells",
    "create_device",
    "delete_device",
    "device_types",
    "device_view",
    "find_device",
    "get_device",
    "list_devices",
    "locate_cells",
    "record_report",
    "retire_device",
    "rotate_credentials",
    "update_device",
]

# Which status a device may move to from each status; retired devices may only be reactivated.
TRANSITIONS: dict[str, frozenset[str]] = {
    "active": frozenset({"silent", "faulty", "retired"}),
    "silent": frozenset({"active", "faulty", "retired"}),
    "faulty": frozenset({"active", "silent", "retired"}),
    "retired": frozenset({"active"}),
}


def device_types() -> list[DeviceType]:
    return list(DEVICE_TYPES.values())


def device_view(device: Device) -> dict[str, Any]:
    """What the audit log keeps of a device: never a credential's hash."""
    return {
        "device_id": device.device_id,
        "name": device.name,
        "type": device.device_type,
        "model": device.model,
        "department": device.department_code,
        "lon": device.lon,
        "lat": device.lat,
        "cell_code": device.cell_code,
        "entity_id": device.entity_id,
        "status": device.status,
        "credentials": device.credential_kinds,
        "api_key_prefix": device.api_key_prefix,
        "mqtt_username": device.mqtt_username,
    }


# -- shared checks ---------------------------------------------------------------------------


def locate_cells(
    session: Session, platform: Platform, tenant_id: int, points: Sequence[tuple[float, float]]
) -> list[str | None]:
    """The unit grid cell of each (lon, lat); None outside every cell."""
    if not points:
        return []
    lons = np.array([p[0] for p in points], dtype=float)
    lats = np.array([p[1] for p in points], dtype=float)
    return geo.locate_many(session, platform.grids, tenant_id, lons, lats)


def city_has_cells(session: Session, platform: Platform, tenant_id: int) -> bool:
    return len(platform.grids.get(session, tenant_id)) > 0


def _place(device: Device, lon: float, lat: float, cell: str | None) -> None:
    device.lon, device.lat, device.cell_code = lon, lat, cell
    device.community_code = cell[:12] if cell else None
    device.street_code = cell[:9] if cell else None
    device.district_code = cell[:6] if cell else None


def _locate(
    session: Session, platform: Platform, tenant_id: int, lon: float, lat: float
) -> str | None:
    """The cell of a device's point; a point outside every cell is refused (a city without any
    cells yet takes devices without one)."""
    [cell] = locate_cells(session, platform, tenant_id, [(lon, lat)])
    if cell is None and city_has_cells(session, platform, tenant_id):
        raise ValidationFailed(
            f"no unit grid cell of this city contains ({lon}, {lat}); are lon and lat swapped?",
            field="lon",
        )
    return cell


def _department(session: Session, tenant_id: int, code: str | None) -> Department | None:
    if code is None:
        return None
    found = geo.find_department(session, tenant_id, code=code)
    if found is None:
        raise ValidationFailed(f"no department {code} in this city", field="department")
    return found


def _check_transition(device: Device, status: str) -> None:
    if status != device.status and status not in TRANSITIONS[device.status]:
        raise Conflict(f"a {device.status} device cannot become {status}", field="status")


def _publish(session: Session, platform: Platform, device: Device) -> None:
    """Write the device's NGSI-LD Device entity; this commits the whole change."""
    assert platform.contexts is not None
    stored = platform.contexts.core.expand_entity(device_entity(device))
    now = platform.clock.now()
    try:
        context.replace_entity(session, device.tenant_id, stored["id"], stored, now)
    except ResourceNotFound:  # first write, or someone removed it through NGSI-LD
        context.create_entity(session, device.tenant_id, stored, now)


# -- credentials -----------------------------------------------------------------------------


def rotate_credentials(
    session: Session,
    platform: Platform,
    principal: Principal,
    *,
    device_id: str,
    kinds: Sequence[str] | None = None,
) -> creds.IssuedCredentials:
    """New secrets for a device; the old ones stop working at once. Without `kinds`, the kinds
    it holds now (both when it holds none)."""
    device = get_device(session, principal.tenant_id, device_id)
    if device.status == "retired":
        raise Conflict("a retired device holds no credentials; reactivate it first")
    before = device_view(device)
    chosen = (
        list(kinds) if kinds is not None else (device.credential_kinds or creds.CREDENTIAL_KINDS)
    )
    issued = creds.issue(session, device, chosen, platform.clock.now())
    device.updated_at = platform.clock.now()
    audit.record(
        session,
        platform.clock,
        principal,
        action="device.rotate_credentials",
        entity_type="device",
        entity_id=device.device_id,
        before=before,
        after=device_view(device),
    )
    _publish(session, platform, device)
    return issued


# -- writes ----------------------------------------------------------------------------------


def create_device(
    session: Session,
    platform: Platform,
    principal: Principal,
    spec: DeviceCreate,
    *,
    located: tuple[str | None] | None = None,
) -> tuple[Device, creds.IssuedCredentials]:
    """Register a device, issue its credentials and write its Device entity.

    `located` holds the cell of its point when the caller looked it up already (bulk imports
    locate all their rows at once).
    """
    tenant_id = principal.tenant_id
    if spec.status == "retired":
        raise ValidationFailed("a new device cannot be retired", field="status")
    if find_device(session, tenant_id, spec.device_id) is not None:
        raise Conflict(f"device {spec.device_id} already exists", field="device_id")
    department = _department(session, tenant_id, spec.department)
    cell = located[0] if located else _locate(session, platform, tenant_id, spec.lon, spec.lat)
    now = platform.clock.now()
    device = Device(
        tenant_id=tenant_id,
        device_id=spec.device_id,
        name=spec.name,
        device_type=spec.type.value,
        model=spec.model,
        department=department,
        entity_id=spec.entity_id or default_entity_id(spec.type, spec.device_id),
        status=spec.status,
        created_at=now,
        updated_at=now,
    )
    _place(device, spec.lon, spec.lat, cell)
    issued = creds.issue(session, device, spec.credentials, now)
    session.add(device)
    try:
        session.flush()
    except IntegrityError:  # registered meanwhile by another request
        session.rollback()
        raise Conflict(f"device {spec.device_id} already exists", field="device_id") from None
    audit.record(
        session,
        platform.clock,
        principal,
        action="device.create",
        entity_type="device",
        entity_id=device.device_id,
        after=device_view(device),
    )
    _publish(session, platform, device)
    return device, issued


def _apply_changes(
    session: Session,
    platform: Platform,
    device: Device,
    changes: dict[str, Any],
    located: tuple[str | None] | None,
) -> None:
    tenant_id = device.tenant_id
    if "lon" in changes or "lat" in changes:
        if changes.get("lon") is None or changes.get("lat") is None:
            raise ValidationFailed("lon and lat change together", field="lon")
        lon, lat = changes["lon"], changes["lat"]
        if (lon, lat) != (device.lon, device.lat):
            cell = located[0] if located else _locate(session, platform, tenant_id, lon, lat)
            _place(device, lon, lat, cell)
    old_kind = DeviceKind(device.device_type)
    if changes.get("type") is not None:
        new_kind = DeviceKind(changes["type"])
        if "entity_id" not in changes and device.entity_id == default_entity_id(
            old_kind, device.device_id
        ):
            device.entity_id = default_entity_id(new_kind, device.device_id)
        device.device_type = new_kind.value
    if "entity_id" in changes:
        device.entity_id = changes["entity_id"] or default_entity_id(
            DeviceKind(device.device_type), device.device_id
        )
    for name in ("name", "model"):
        if changes.get(name) is not None:
            setattr(device, name, changes[name])
    if "department" in changes:
        device.department = _department(session, tenant_id, changes["department"])
    if changes.get("status") is not None:
        _set_status(device, changes["status"])


def _set_status(device: Device, status: str) -> None:
    _check_transition(device, status)
    if status == "retired":  # a retired device can no longer authenticate
        device.api_key_prefix = device.api_key_hash = None
        device.mqtt_username = device.mqtt_password_hash = None
        device.credentials_issued_at = None
    device.status = status


def update_device(
    session: Session,
    platform: Platform,
    principal: Principal,
    *,
    device_id: str,
    changes: dict[str, Any],
    located: tuple[str | None] | None = None,
    action: str = "device.update",
) -> tuple[Device, bool]:
    """Apply the given changes (absent keys stay as they are); (device, whether it changed).

    A device that ends up as it was is neither written nor audited. `located` holds the cell
    of the new point when the caller looked it up already (bulk imports).
    """
    device = get_device(session, principal.tenant_id, device_id)
    before = device_view(device)
    if any(changes.get(k, "") is None for k in ("type", "name", "model", "status")):
        raise ValidationFailed("type, name, model and status cannot be null", field="body")
    _apply_changes(session, platform, device, changes, located)
    after = device_view(device)
    if after == before:
        return device, False
    device.updated_at = platform.clock.now()
    audit.record(
        session,
        platform.clock,
        principal,
        action=action,
        entity_type="device",
        entity_id=device.device_id,
        before=before,
        after=after,
    )
    _publish(session, platform, device)
    return device, True


def retire_device(
    session: Session, platform: Platform, principal: Principal, *, device_id: str
) -> Device:
    """Take a device out of service: it keeps its record and entity, loses its credentials."""
    device, _ = update_device(
        session,
        platform,
        principal,
        device_id=device_id,
        changes={"status": "retired"},
        action="device.retire",
    )
    return device


def delete_device(
    session: Session, platform: Platform, principal: Principal, *, device_id: str
) -> None:
    """Remove a device (e.g. registered by mistake) and its Device entity."""
    device = get_device(session, principal.tenant_id, device_id)
    before = device_view(device)
    session.delete(device)
    audit.record(
        session,
        platform.clock,
        principal,
        action="device.delete",
        entity_type="device",
        entity_id=device_id,
        before=before,
    )
    try:
        context.delete_entity(
            session, principal.tenant_id, device_entity_id(device_id), platform.clock.now()
        )
    except ResourceNotFound:
        session.commit()


def record_report(
    session: Session,
    platform: Platform,
    tenant_id: int,
    device_id: str,
    *,
    seen_at: datetime,
    battery_level: float | None = None,
    rssi_dbm: float | None = None,
) -> Device:
    """What a device said about itself when it reported (for ingestion): when, battery, signal.

    A silent device that reports is active again. Not audited: devices are not operators.
    """
    device = get_device(session, tenant_id, device_id)
    if device.status == "retired":
        raise Conflict(f"device {device_id} is retired")
    if battery_level is not None and not 0.0 <= battery_level <= 1.0:
        raise ValidationFailed("battery_level must be between 0.0 and 1.0", field="battery_level")
    if rssi_dbm is not None and not -200.0 <= rssi_dbm <= 50.0:
        raise ValidationFailed("rssi_dbm must be between -200 and 50 dBm", field="rssi_dbm")
    if device.last_seen_at is None or seen_at > device.last_seen_at:
        device.last_seen_at = seen_at
    if battery_level is not None:
        device.battery_level = battery_level
    if rssi_dbm is not None:
        device.rssi_dbm = rssi_dbm
    if device.status == "silent":
        device.status = "active"
    device.updated_at = platform.clock.now()
    _publish(session, platform, device)
    return device
