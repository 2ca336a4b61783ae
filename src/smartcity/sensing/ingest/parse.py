"""Device payloads into readings: JSON measurements (`{"pm25": 35.2, "observedAt": "…"}`, or a
list of them) and NGSI-LD fragments (`{"pm25": {"type": "Property", "value": 35.2, …}}`).

Nothing here knows devices or models; what cannot be read becomes a dead letter draft. A reading
without a time of its own takes its item's `observedAt` (or `dateObserved`), else the time the
payload was received.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from smartcity.sensing.ingest.dead_letters import Letter, Reason

TIME_KEYS = ("observedAt", "dateObserved")
DEVICE_KEYS = ("device_id", "deviceId")
# Members of an item that are neither readings nor its time.
IGNORED = frozenset({"id", "type", "@context", *DEVICE_KEYS})
# What a device says about itself rather than about the city: it goes to the registry.
SELF_REPORTS = {"batteryLevel": "battery_level", "rssi": "rssi_dbm"}
MAX_NAME = 128


class Unparseable(ValueError):
    """The payload is not JSON at all."""


@dataclass(slots=True)
class Reading:
    attr: str
    value: Any
    observed_at: datetime
    unit_code: str | None = None


@dataclass(slots=True)
class Measurement:
    """One item of a payload: what one device reported, and what could not be read of it."""

    device_id: str | None
    item: Any
    index: int | None = None
    route: str | None = None
    raw: bytes | None = None  # the payload as received, shown in dead letters when given
    readings: list[Reading] = field(default_factory=list)
    self_report: dict[str, Any] = field(default_factory=dict)
    letters: list[Letter] = field(default_factory=list)

    def refuse(self, reason: Reason, message: str, attribute: str | None = None) -> None:
        self.letters.append(
            Letter(
                reason,
                message,
                self.device_id,
                attribute,
                self.item if self.raw is None else self.raw,
                self.index,
                self.route,
            )
        )


def decode(payload: bytes | str) -> Any:
    """JSON, also with the NaN and Infinity that sensor firmware writes (refused later, one
    reading at a time, instead of losing the whole payload)."""
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise Unparseable(f"not JSON: {str(exc)[:200]}") from None


class TimeParser:
    """ISO 8601 DateTimes with a timezone, each distinct string parsed once per batch."""

    def __init__(self) -> None:
        self._seen: dict[str, datetime | None] = {}

    def __call__(self, value: Any) -> datetime | None:
        if not isinstance(value, str):
            return None
        if value in self._seen:
            return self._seen[value]
        parsed: datetime | None = None
        if "T" in value and len(value) <= 64:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                moment = None
            if moment is not None and moment.tzinfo is not None:
                try:
                    parsed = moment.astimezone(UTC)
                except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00: before year 1 in UTC
                    parsed = None
        if len(self._seen) < 10_000:
            self._seen[value] = parsed
        return parsed


def item_device(item: Any) -> str | None:
    """The device an item names (`device_id` or `deviceId`), if it names one as a string."""
    if isinstance(item, dict):
        for key in DEVICE_KEYS:
            value = item.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def _property(name: str, value: Any) -> tuple[Any, Any, Any] | None:
    """(value, observedAt, unitCode) of an NGSI-LD Property fragment; None if `value` is not
    one (then it is a plain measurement)."""
    if isinstance(value, dict) and value.get("type") == "Property" and "value" in value:
        return value["value"], value.get("observedAt"), value.get("unitCode")
    return None


def read_item(
    item: Any,
    received_at: datetime,
    times: TimeParser,
    *,
    device_id: str | None = None,
    index: int | None = None,
    route: str | None = None,
    raw: bytes | None = None,
) -> Measurement:
    """The readings of one JSON object (a device's measurements at one time); `device_id` is
    the device the transport knows sent it (an MQTT topic's), which the item may only repeat."""
    found = Measurement(device_id or item_device(item), item, index, route, raw)
    if not isinstance(item, dict):
        found.refuse(Reason.INVALID_PAYLOAD, "each item must be a JSON object of measurements")
        return found
    named = item_device(item)
    if device_id is not None and named is not None and named != device_id:
        found.refuse(Reason.FOREIGN_DEVICE, f"the item names device {named}, sent as {device_id}")
        return found
    at = received_at
    for key in TIME_KEYS:
        if key in item:
            raw = item[key]
            raw = raw.get("value") if isinstance(raw, dict) else raw
            parsed = times(raw)
            if parsed is None:
                found.refuse(Reason.BAD_TIME, f"{key} must be a DateTime with a timezone")
                return found
            at = parsed
            break
    for name, raw in item.items():
        if name in IGNORED or name in TIME_KEYS:
            continue
        if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
            found.refuse(Reason.INVALID_PAYLOAD, "an attribute name is empty or too long")
            continue
        fragment = _property(name, raw)
        value, when, unit = fragment if fragment is not None else (raw, None, None)
        observed = at
        if when is not None:
            observed = times(when)
            if observed is None:
                found.refuse(Reason.BAD_TIME, f"{name}.observedAt is not a DateTime", name)
                continue
        if name in SELF_REPORTS:
            found.self_report[SELF_REPORTS[name]] = value
            continue
        if isinstance(value, dict) and value.get("type") in ("Relationship", "GeoProperty"):
            found.refuse(Reason.INVALID_PAYLOAD, f"{name}: only Property values are readings", name)
            continue
        found.readings.append(
            Reading(name, value, observed, unit if isinstance(unit, str) else None)
        )
    if not found.readings and not found.self_report and not found.letters:
        found.refuse(Reason.INVALID_PAYLOAD, "the item holds no measurement")
    return found


def read_payload(
    payload: Any,
    received_at: datetime,
    times: TimeParser,
    *,
    device_id: str | None = None,
    route: str | None = None,
    raw: bytes | None = None,
) -> list[Measurement]:
    """The measurements of one decoded payload: an object or a list of objects."""
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        empty = Measurement(device_id, payload, route=route, raw=raw)
        empty.refuse(Reason.INVALID_PAYLOAD, "the payload holds no measurement")
        return [empty]
    return [read_item(item, received_at, times, device_id=device_id, route=route) for item in items]
