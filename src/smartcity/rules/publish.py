"""Alerts as NGSI-LD entities of the Smart Data Models `Alert` type (dataModel.Alert: category,
subCategory, severity, alertSource, dateIssued, validFrom, validTo, description), written into
the context broker inside the caller's transaction, so that subscriptions on type Alert are
notified when it commits, and never for a change that rolled back.

Besides the model's attributes: `alertStatus` (raised, acknowledged, resolved), `refDevice`,
`refRule` (as a URN), and `data` with the rule's kind, method, attribute, value, count and
evidence. Also the registry's side of silence: a device's own `Device` entity follows its status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from smartcity.context import events, store
from smartcity.platform import Platform
from smartcity.rules.models import Alert
from smartcity.sensing.device_types import DeviceKind, device_entity_id
from smartcity.sensing.entity import device_entity
from smartcity.sensing.models import Device

# The model's category (and subCategory, where its enumeration has one) of each kind of device.
CATEGORIES: dict[str, tuple[str, str | None]] = {
    DeviceKind.AIR_QUALITY_STATION: ("environment", "airPollution"),
    DeviceKind.WATER_QUALITY_BUOY: ("environment", "waterPollution"),
    DeviceKind.NOISE_MONITOR: ("environment", None),
    DeviceKind.STREETLIGHT: ("security", None),
    DeviceKind.TRAFFIC_COUNTER: ("traffic", "trafficJam"),
    DeviceKind.SMOKE_DETECTOR: ("security", "buildingFire"),
    DeviceKind.MANHOLE_COVER: ("traffic", "hazardOnRoad"),
    DeviceKind.PIPE_PRESSURE_SENSOR: ("security", None),
    DeviceKind.WIFI_ACCESS_POINT: ("security", None),
    DeviceKind.PARKING_SPOT: ("traffic", None),
}


def alert_entity_id(alert_id: int) -> str:
    return f"urn:ngsi-ld:Alert:{alert_id}"


def _property(value: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value}


def _date(value: datetime) -> dict[str, Any]:
    return _property({"@type": "DateTime", "@value": value.isoformat().replace("+00:00", "Z")})


def describe(alert: Alert) -> str:
    what = alert.attribute or "readings"
    value = f" = {alert.last_value:g}" if alert.last_value is not None else ""
    return f"{alert.name_en}: {alert.device_id} {what}{value}"


def alert_entity(alert: Alert, device_type: str) -> dict[str, Any]:
    """The normalized NGSI-LD entity (short names) of an alert."""
    category, sub = CATEGORIES.get(device_type, ("security", None))
    entity: dict[str, Any] = {
        "id": alert_entity_id(alert.id),
        "type": "Alert",
        "name": _property(alert.name_zh),
        "description": _property(describe(alert)),
        "category": _property(category),
        "severity": _property(alert.severity),
        "alertSource": _property(alert.entity_id),
        "alertStatus": _property(alert.status),
        "dateIssued": _date(alert.raised_at),
        "validFrom": _date(alert.raised_at),
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [alert.lon, alert.lat]},
        },
        "refDevice": {"type": "Relationship", "object": device_entity_id(alert.device_id)},
        "data": _property(
            {
                "kind": alert.kind,
                "method": alert.method,
                "attribute": alert.attribute,
                "value": alert.last_value,
                "count": alert.count,
                "evidence": alert.evidence,
                "caseCategory": alert.case_category,
            }
        ),
    }
    if sub is not None:
        entity["subCategory"] = _property(sub)
    if alert.rule_id is not None:
        entity["refRule"] = _property(f"urn:ngsi-ld:AlertRule:{alert.rule_id}")
    if alert.resolved_at is not None:
        entity["validTo"] = _date(alert.resolved_at)
    return entity


def _write(
    session: Session, platform: Platform, tenant_id: int, docs: list[dict[str, Any]]
) -> None:
    assert platform.contexts is not None
    core = platform.contexts.core
    stored = [core.expand_entity(d) for d in docs]
    result = store.upsert_entities(session, tenant_id, stored, platform.clock.now(), replace=True)
    events.emit(session, result.changes)


def publish_alerts(session: Session, platform: Platform, alerts: list[tuple[Alert, str]]) -> None:
    """Write each (alert, device type) as its Alert entity (not committed here)."""
    by_tenant: dict[int, list[dict[str, Any]]] = {}
    for alert, device_type in alerts:
        by_tenant.setdefault(alert.tenant_id, []).append(alert_entity(alert, device_type))
    for tenant_id, docs in by_tenant.items():
        _write(session, platform, tenant_id, docs)


def publish_devices(session: Session, platform: Platform, devices: list[Device]) -> None:
    """Write the devices' own Device entities after a status change (not committed here)."""
    by_tenant: dict[int, list[dict[str, Any]]] = {}
    for device in devices:
        by_tenant.setdefault(device.tenant_id, []).append(device_entity(device))
    for tenant_id, docs in by_tenant.items():
        _write(session, platform, tenant_id, docs)
