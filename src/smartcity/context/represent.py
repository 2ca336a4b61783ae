"""The simplified representations of a normalized entity: concise and keyValues (clause 4.5)."""

from __future__ import annotations

from typing import Any

from smartcity.context.normalize import ATTRIBUTE_TYPES, ENTITY_MEMBERS

_VALUE_MEMBERS = set(ATTRIBUTE_TYPES.values())
_INFERABLE = {
    "Property",
    "Relationship",
    "LanguageProperty",
    "ListProperty",
    "ListRelationship",
    "JsonProperty",
    "VocabProperty",
    "GeoProperty",
}


def _attributes(entity: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in entity.items() if k not in ENTITY_MEMBERS]


def to_key_values(entity: dict[str, Any]) -> dict[str, Any]:
    """Each attribute by its value alone; a multi-attribute becomes the list of its values."""
    out = {k: v for k, v in entity.items() if k in ("id", "type", "scope")}
    for name, attribute in _attributes(entity):
        if isinstance(attribute, list):
            out[name] = [_key_value(a) for a in attribute]
        else:
            out[name] = _key_value(attribute)
    return out


def _key_value(attribute: dict[str, Any]) -> Any:
    member = ATTRIBUTE_TYPES.get(attribute.get("type", "Property"), "value")
    value = attribute.get(member)
    if attribute.get("type") == "VocabProperty":
        return {"vocab": value}
    if attribute.get("type") == "LanguageProperty":
        return {"languageMap": value}
    if attribute.get("type") == "JsonProperty":
        return {"json": value}
    return value


def to_concise(entity: dict[str, Any]) -> dict[str, Any]:
    """Types dropped where the value member implies them; bare values where nothing else is left."""
    out = {k: v for k, v in entity.items() if k in ENTITY_MEMBERS and k != "@context"}
    for name, attribute in _attributes(entity):
        if isinstance(attribute, list):
            out[name] = [_concise(a, keep_object=True) for a in attribute]
        else:
            out[name] = _concise(attribute)
    return out


def _concise(attribute: dict[str, Any], *, keep_object: bool = False) -> Any:
    kind = attribute.get("type")
    result: dict[str, Any] = {}
    for key, value in attribute.items():
        if key == "type" and kind in _INFERABLE:
            continue
        if isinstance(value, dict) and "type" in value and key not in _VALUE_MEMBERS:
            value = _concise(value)  # a sub-attribute
        elif (
            isinstance(value, list)
            and key not in _VALUE_MEMBERS
            and value
            and all(isinstance(v, dict) and "type" in v for v in value)
        ):
            value = [_concise(v, keep_object=True) for v in value]
        result[key] = value
    only_value = set(result) == {"value"}
    plain = not isinstance(result.get("value"), dict | list)
    if only_value and plain and kind == "Property" and not keep_object:
        return result["value"]
    return result
