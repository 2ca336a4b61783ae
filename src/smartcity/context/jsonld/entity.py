"""Entity expansion and compaction: names and vocab values change, NGSI-LD members stay short."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smartcity.context.jsonld.active import ActiveContext

# Entity members that are not attributes (GS CIM 009 clause 4.5.1 / 5.2.4).
ENTITY_MEMBERS = frozenset({"id", "scope", "createdAt", "modifiedAt", "deletedAt"})
# Attribute members that are NGSI-LD structure, not sub-attributes (clauses 4.5.2 ff., 5.2.5 ff.).
ATTRIBUTE_MEMBERS = frozenset(
    {
        "type",
        "value",
        "object",
        "objectList",
        "objectType",
        "valueList",
        "languageMap",
        "json",
        "vocab",
        "observedAt",
        "datasetId",
        "unitCode",
        "createdAt",
        "modifiedAt",
        "deletedAt",
        "instanceId",
        "lang",
        "previousValue",
        "previousObject",
        "previousObjectList",
        "previousValueList",
        "previousLanguageMap",
        "previousJson",
        "previousVocab",
        "entityIdSealed",
        "entityTypeSealed",
    }
)
# Members whose values are themselves vocabulary terms (`"@type": "@vocab"` in the core context).
VOCAB_MEMBERS = frozenset({"vocab", "objectType", "previousVocab", "entityTypeSealed"})
_Names = Callable[[str], str]


def expand_entity(ctx: ActiveContext, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of an entity given in normalized or concise form."""
    return _entity(payload, ctx.stored_name)


def compact_entity(ctx: ActiveContext, stored: Mapping[str, Any]) -> dict[str, Any]:
    """The client form of a stored entity, against `ctx`."""
    return _entity(stored, ctx.present_name)


def _entity(payload: Mapping[str, Any], name: _Names) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if key == "@context":
            continue
        if key == "type":
            out["type"] = _names(value, name)
        elif key in ENTITY_MEMBERS:
            out[key] = value
        else:
            out[name(key)] = _attribute(value, name)
    return out


def _attribute(value: Any, name: _Names) -> Any:
    if isinstance(value, list):
        return [_attribute(item, name) if isinstance(item, dict) else item for item in value]
    if not isinstance(value, dict):
        return value  # a concise attribute given by its bare value
    out: dict[str, Any] = {}
    for key, member in value.items():
        if key == "type" or key in VOCAB_MEMBERS:
            out[key] = _names(member, name)
        elif key in ATTRIBUTE_MEMBERS:
            out[key] = member
        else:
            out[name(key)] = _attribute(member, name)  # a sub-attribute
    return out


def _names(value: Any, name: _Names) -> Any:
    if isinstance(value, str):
        return name(value)
    if isinstance(value, list):
        return [name(v) if isinstance(v, str) else v for v in value]
    return value
