"""A device as the NGSI-LD `Device` entity of the Smart Data Models (dataModel.Device).

Names are short terms, expanded against the core @context by the caller (so that
`GET /ngsi-ld/v1/entities?type=Device` finds them without a Link header). Credentials never
appear here. Besides the model's own attributes: `modelName` (the model's name, as the
DeviceModel entity would carry it), `unitGridCell` (the 15-digit cell code) and the relationship
`refObservedEntity` to the entity whose readings the device reports.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smartcity.sensing.device_types import DEVICE_TYPES, DeviceKind, device_entity_id
from smartcity.sensing.models import Device

# The protocol each kind of credential speaks (values of the model's supportedProtocol).
PROTOCOLS = {"api_key": "http", "mqtt": "mqtt"}


def _property(value: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value}


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _date(value: datetime) -> dict[str, Any]:
    return _property({"@type": "DateTime", "@value": _iso(value)})


def _observed(value: Any, at: datetime | None) -> dict[str, Any]:
    """A property with the time it held from, so that ingestion's later observations of it
    become current (an attribute without observedAt would stay current over them)."""
    prop = _property(value)
    if at is not None:
        prop["observedAt"] = _iso(at)
    return prop


def device_entity(device: Device) -> dict[str, Any]:
    """The normalized NGSI-LD entity (short names) describing `device`."""
    kind = DEVICE_TYPES[DeviceKind(device.device_type)]
    entity: dict[str, Any] = {
        "id": device_entity_id(device.device_id),
        "type": "Device",
        "name": _property(device.name or device.device_id),
        "deviceCategory": _property(list(kind.categories)),
        "controlledProperty": _property(list(kind.controlled)),
        "deviceState": _observed(device.status, device.updated_at),
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [device.lon, device.lat]},
        },
        "refObservedEntity": {"type": "Relationship", "object": device.entity_id},
        "dateCreated": _date(device.created_at),
    }
    if device.model:
        entity["modelName"] = _property(device.model)
    if device.department_code is not None:
        entity["owner"] = _property([device.department_code])
    if device.cell_code is not None:
        entity["unitGridCell"] = _property(device.cell_code)
    protocols = [PROTOCOLS[k] for k in device.credential_kinds]
    if protocols:
        entity["supportedProtocol"] = _property(protocols)
    if device.last_seen_at is not None:
        seen = device.last_seen_at
        entity["dateLastValueReported"] = {**_date(seen), "observedAt": _iso(seen)}
    if device.battery_level is not None:
        entity["batteryLevel"] = _observed(device.battery_level, device.last_seen_at)
    if device.rssi_dbm is not None:
        entity["rssi"] = _observed(device.rssi_dbm, device.last_seen_at)
    return entity
