"""A client's Subscription (clause 5.2.12) checked and turned into its stored form.

Names (entity types, watched and notified attributes, q and geoQ paths) are expanded with the
request's @context; `q` and `csf` are kept as their expanded query text, which parses back to the
same tree. Members the system maintains (status, timesSent …) and unknown members are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from smartcity.context.errors import BadRequestData
from smartcity.context.jsonld import ActiveContext
from smartcity.context.normalize import is_uri, parse_datetime, valid_name
from smartcity.context.params import parse_lang
from smartcity.context.query import GeoQuerySyntaxError, QuerySyntaxError, parse_geoquery, parse_q
from smartcity.context.query.literals import LiteralError, check_pattern
from smartcity.context.search import parse_types
from smartcity.context.subscriptions.join import JOINS
from smartcity.context.subscriptions.targets import literal_refusal, split_endpoint

TRIGGERS = (
    "entityCreated",
    "entityUpdated",
    "entityDeleted",
    "attributeCreated",
    "attributeUpdated",
    "attributeDeleted",
)
DEFAULT_TRIGGERS = ("attributeCreated", "attributeUpdated")
FORMATS = {
    "normalized": "normalized",
    "concise": "concise",
    "keyValues": "keyValues",
    "simplified": "keyValues",
}
ACCEPTS = ("application/json", "application/ld+json", "application/geo+json")
MANDATORY = ("type", "notification")
MAX_SECONDS = 10 * 365 * 24 * 3600  # durations beyond ten years are surely mistakes
_TYPE_TOKENS = re.compile(r"[(),;|]|[^(),;|]+")


def fail(message: str) -> BadRequestData:
    return BadRequestData(message)


def map_type_expression(text: str, fn: Callable[[str], str]) -> str:
    """A type expression (`A|(B;C)`) with every type name passed through `fn`."""
    return "".join(t if t in "(),;|" else fn(t.strip()) for t in _TYPE_TOKENS.findall(text))


def _strings(value: Any, what: str, check: Callable[[str], bool] = bool) -> list[str]:
    if not isinstance(value, list) or not value:
        raise fail(f"{what} must be a non-empty array")
    if not all(isinstance(v, str) and check(v) for v in value):
        raise fail(f"{what} must hold valid strings")
    return value


def _number(value: Any, what: str, *, positive: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(f"{what} must be a number")
    if value < 0 or (positive and value == 0):
        raise fail(f"{what} must be {'greater than 0' if positive else 'at least 0'}")
    if value > MAX_SECONDS:
        raise fail(f"{what} must be at most {MAX_SECONDS}")
    return value


def _entities(value: Any, ctx: ActiveContext) -> list[dict[str, str]]:
    out = []
    for item in value if isinstance(value, list) and value else [None]:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise fail("entities must be a non-empty array of selectors, each with a type")
        selector = {"type": map_type_expression(item["type"], ctx.stored_name)}
        parse_types(item["type"])  # raises BadRequestData on a bad expression
        if "id" in item:
            if not is_uri(item["id"]):
                raise fail(f"entities: id {item['id']!r} is not a URI")
            selector["id"] = item["id"]
        if "idPattern" in item:
            try:
                selector["idPattern"] = check_pattern(item["idPattern"])
            except (LiteralError, TypeError) as exc:
                raise fail(f"entities: idPattern: {exc}") from None
        out.append(selector)
    return out


def _query(text: Any, ctx: ActiveContext, what: str) -> str:
    if not isinstance(text, str):
        raise fail(f"{what} must be a string")
    try:  # clients often send q percent-encoded, as they would in a URL
        return str(parse_q(unquote(text)).map_attributes(ctx.stored_name))
    except QuerySyntaxError as exc:
        raise fail(f"{what}: {exc}") from None


def _geo(value: Any, ctx: ActiveContext) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail("geoQ must be an object")
    try:
        geo = parse_geoquery(
            *[value.get(k) for k in ("georel", "geometry", "coordinates", "geoproperty")]
        )
    except (GeoQuerySyntaxError, TypeError, ValueError) as exc:
        raise fail(f"geoQ: {exc}") from None
    out = {k: value[k] for k in ("geometry", "coordinates", "georel") if k in value}
    if "geoproperty" in value:
        out["geoproperty"] = ctx.stored_name(geo.geoproperty)
    return out


def _pairs(value: Any, what: str) -> list[dict[str, str]]:
    if not isinstance(value, list) or not all(
        isinstance(p, dict) and isinstance(p.get("key"), str) and isinstance(p.get("value"), str)
        for p in value
    ):
        raise fail(f"{what} must be an array of {{key, value}} strings")
    return [{"key": p["key"], "value": p["value"]} for p in value]


def _endpoint(value: Any, allow_private: bool) -> dict[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("uri"), str):
        raise fail("notification.endpoint.uri is required")
    uri = value["uri"]
    try:
        split_endpoint(uri)
    except ValueError as exc:
        raise fail(f"notification.endpoint.uri {uri!r}: {exc}") from None
    if not is_uri(uri):
        raise fail(f"notification.endpoint.uri {uri!r} is not a URI")
    refusal = literal_refusal(uri, allow_private=allow_private)
    if refusal:
        raise fail(refusal)
    out: dict[str, Any] = {"uri": uri}
    if "accept" in value:
        if value["accept"] not in ACCEPTS:
            raise fail(f"notification.endpoint.accept must be one of {', '.join(ACCEPTS)}")
        out["accept"] = value["accept"]
    for key in ("timeout", "cooldown"):
        if key in value:
            out[key] = _number(value[key], f"endpoint.{key}", positive=False)
    for key in ("receiverInfo", "notifierInfo"):
        if key in value:
            out[key] = _pairs(value[key], f"endpoint.{key}")
    return out


def _notification(value: Any, ctx: ActiveContext, allow_private: bool) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail("notification must be an object")
    out: dict[str, Any] = {"endpoint": _endpoint(value.get("endpoint"), allow_private)}
    if "attributes" in value:
        out["attributes"] = [
            ctx.stored_name(n) for n in _strings(value["attributes"], "attributes", valid_name)
        ]
    for key in ("pick", "omit"):
        if key in value:
            names = _strings(value[key], key, valid_name)
            out[key] = [n if n in ("id", "type") else ctx.stored_name(n) for n in names]
    if "attributes" in out and ("pick" in out or "omit" in out):
        raise fail("notification.attributes cannot be combined with pick or omit")
    if set(out.get("pick", ())) & set(out.get("omit", ())):
        raise fail("notification.pick and notification.omit name the same member")
    if "format" in value:
        if value["format"] not in FORMATS:
            raise fail(f"notification.format must be one of {', '.join(FORMATS)}")
        out["format"] = value["format"]
    for key in ("sysAttrs", "showChanges"):
        if key in value:
            if not isinstance(value[key], bool):
                raise fail(f"notification.{key} must be true or false")
            out[key] = value[key]
    if "join" in value:
        if value["join"] not in JOINS:
            raise fail(f"notification.join must be one of {', '.join(JOINS)}")
        out["join"] = value["join"]
    if "joinLevel" in value:
        level = value["joinLevel"]
        if isinstance(level, bool) or not isinstance(level, int) or level < 1:
            raise fail("notification.joinLevel must be a positive integer")
        out["joinLevel"] = level
    if out.get("showChanges") and FORMATS.get(out.get("format", "")) == "keyValues":
        raise fail("notification.showChanges cannot be true with the keyValues format")
    return out


def parse_subscription(
    payload: Any,
    ctx: ActiveContext,
    now: datetime,
    *,
    allow_private: bool,
    check_context: Callable[[str], object],
) -> dict[str, Any]:
    """The stored form of a whole Subscription; BadRequestData on what the spec forbids."""
    if not isinstance(payload, dict):
        raise fail("a subscription must be a JSON object")
    if payload.get("type") != "Subscription":
        raise fail('a subscription must have "type": "Subscription"')
    if "notification" not in payload:
        raise fail("a subscription needs notification parameters")
    doc: dict[str, Any] = {"type": "Subscription"}
    if "id" in payload:
        if not is_uri(payload["id"]):
            raise fail(f"subscription id {payload['id']!r} is not a URI")
        doc["id"] = payload["id"]
    for key in ("subscriptionName", "description", "scopeQ"):
        if key in payload:
            if not isinstance(payload[key], str):
                raise fail(f"{key} must be a string")
            doc[key] = payload[key]
    if "entities" in payload:
        doc["entities"] = _entities(payload["entities"], ctx)
    if "watchedAttributes" in payload:
        names = _strings(payload["watchedAttributes"], "watchedAttributes", valid_name)
        doc["watchedAttributes"] = [ctx.stored_name(n) for n in names]
    if "entities" not in doc and "watchedAttributes" not in doc:
        raise fail("a subscription needs entities or watchedAttributes (or both)")
    if "notificationTrigger" in payload:
        triggers = _strings(payload["notificationTrigger"], "notificationTrigger")
        unknown = [t for t in triggers if t not in TRIGGERS]
        if unknown:
            raise fail(f"notificationTrigger {unknown[0]!r} is not one of {', '.join(TRIGGERS)}")
        doc["notificationTrigger"] = list(dict.fromkeys(triggers))
    for key, positive in (("timeInterval", True), ("throttling", True)):
        if key in payload:
            doc[key] = _number(payload[key], key, positive=positive)
    if "timeInterval" in doc and ("watchedAttributes" in doc or "throttling" in doc):
        raise fail("timeInterval cannot be combined with watchedAttributes or throttling")
    for key in ("q", "csf"):
        if key in payload:
            doc[key] = _query(payload[key], ctx, key)
    if "geoQ" in payload:
        doc["geoQ"] = _geo(payload["geoQ"], ctx)
    if "isActive" in payload:
        if not isinstance(payload["isActive"], bool):
            raise fail("isActive must be true or false")
        doc["isActive"] = payload["isActive"]
    doc["notification"] = _notification(payload["notification"], ctx, allow_private)
    if "expiresAt" in payload:
        expires = parse_datetime(payload["expiresAt"], "expiresAt")
        if expires <= now:
            raise fail("expiresAt must be in the future")
        doc["expiresAt"] = payload["expiresAt"]
    if "lang" in payload:
        if not isinstance(payload["lang"], str):
            raise fail("lang must be a string")
        parse_lang(payload["lang"])
        doc["lang"] = payload["lang"]
    if "datasetId" in payload:
        doc["datasetId"] = _strings(
            payload["datasetId"], "datasetId", lambda d: d == "@none" or is_uri(d)
        )
    if "temporalQ" in payload:
        if not isinstance(payload["temporalQ"], dict):
            raise fail("temporalQ must be an object")
        doc["temporalQ"] = payload["temporalQ"]
    if "jsonldContext" in payload:
        if not is_uri(payload["jsonldContext"]):
            raise fail("jsonldContext must be a URI")
        check_context(payload["jsonldContext"])  # LdContextNotAvailable when it cannot be had
        doc["jsonldContext"] = payload["jsonldContext"]
    return doc
