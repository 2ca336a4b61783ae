"""Temporal request bodies (clause 5.6.11–5.6.14): entities and fragments whose attributes are
arrays of instances, validated instance by instance and expanded to stored names."""

from __future__ import annotations

from typing import Any

from smartcity.context.errors import BadRequestData
from smartcity.context.jsonld import ActiveContext
from smartcity.context.normalize import (
    ENTITY_MEMBERS,
    is_uri,
    normalize_attribute,
    normalize_entity,
    valid_name,
)
from smartcity.context.temporal.service import Instances

_HEAD = ("id", "type", "scope")


def _instances(name: str, raw: Any) -> list[dict[str, Any]]:
    if not valid_name(name):
        raise BadRequestData(f"attribute name {name!r} is not valid")
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise BadRequestData(f"{name}: give at least one instance")
    out = []
    for position, item in enumerate(items):
        instance = normalize_attribute(name, item, path=f"{name}[{position}]")
        if not isinstance(instance, dict):
            raise BadRequestData(f"{name}[{position}]: an instance is one attribute object")
        out.append(instance)
    return out


def _split(ctx: ActiveContext, head: dict[str, Any], attributes: dict[str, Any]) -> Instances:
    """Expand names; the entity head is expanded with them so types compact consistently."""
    expanded = ctx.expand_entity({**head, **attributes})
    return {k: v for k, v in expanded.items() if k not in _HEAD}


def temporal_entity(payload: Any, ctx: ActiveContext) -> tuple[dict[str, Any], Instances]:
    """POST /temporal/entities: the entity head (stored names) and its instances."""
    if not isinstance(payload, dict):
        raise BadRequestData("a temporal entity must be a JSON object")
    head = normalize_entity({k: payload[k] for k in _HEAD if k in payload})
    attributes = {
        name: _instances(name, raw) for name, raw in payload.items() if name not in ENTITY_MEMBERS
    }
    stored_head = ctx.expand_entity(head)
    return stored_head, _split(ctx, head, attributes)


def fragment(payload: Any, ctx: ActiveContext) -> Instances:
    """POST /temporal/entities/{id}/attrs: attributes with their instances."""
    if not isinstance(payload, dict):
        raise BadRequestData("the body must be a JSON object of attributes")
    attributes = {
        name: _instances(name, raw) for name, raw in payload.items() if name not in ENTITY_MEMBERS
    }
    if not attributes:
        raise BadRequestData("the request names no attribute")
    return _split(ctx, {}, attributes)


def instance_fragment(payload: Any, ctx: ActiveContext, name: str) -> dict[str, Any]:
    """PATCH …/{attrId}/{instanceId}: the members to merge into one instance (stored names);
    the merged instance is validated where it is merged."""
    if not isinstance(payload, dict) or not payload:
        raise BadRequestData("the body must be a JSON object with the instance's new members")
    members = {k: v for k, v in payload.items() if k != "@context"}
    stored = ctx.expand_entity({name: members})
    return next(iter(stored.values()))


def checked_uri(value: str, what: str) -> str:
    if not is_uri(value):
        raise BadRequestData(f"{what} {value!r} is not a URI", instance=value)
    return value
