"""Reading normalized NGSI-LD entities for queries: attribute instances, their kinds and values.

Entities may be compacted (``"value"``, ``"object"``, ``"observedAt"``) or carry the core members
as expanded IRIs (``https://uri.etsi.org/ngsi-ld/hasValue``) with JSON-LD value objects
(``{"@value": …}``, ``{"@id": …}``, ``{"@list": …}``). Attribute names are matched exactly as
given: expand the query's names with the same @context as the entity's before reading.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from smartcity.context.query.literals import read_datetime

CORE: Final = "https://uri.etsi.org/ngsi-ld/"
NGSI_LD_NULL: Final = "urn:ngsi-ld:null"
MISSING: Final = object()

TIMESTAMPS = frozenset({"observedAt", "createdAt", "modifiedAt", "deletedAt"})
META_MEMBERS = TIMESTAMPS | {"unitCode", "datasetId"}
_TEMPORAL_TYPES = frozenset({"DateTime", "Date", "Time"})


class AttributeKind(StrEnum):
    """The attribute types of GS CIM 009 clause 4.5."""

    PROPERTY = "Property"
    RELATIONSHIP = "Relationship"
    GEO_PROPERTY = "GeoProperty"
    LANGUAGE_PROPERTY = "LanguageProperty"
    LIST_PROPERTY = "ListProperty"
    LIST_RELATIONSHIP = "ListRelationship"
    JSON_PROPERTY = "JsonProperty"
    VOCAB_PROPERTY = "VocabProperty"


# The member holding each kind's value, and which member betrays the kind when "type" is absent.
VALUE_MEMBER = {
    AttributeKind.PROPERTY: "value",
    AttributeKind.GEO_PROPERTY: "value",
    AttributeKind.RELATIONSHIP: "object",
    AttributeKind.LANGUAGE_PROPERTY: "languageMap",
    AttributeKind.LIST_PROPERTY: "valueList",
    AttributeKind.LIST_RELATIONSHIP: "objectList",
    AttributeKind.JSON_PROPERTY: "json",
    AttributeKind.VOCAB_PROPERTY: "vocab",
}
_KIND_BY_MEMBER = [(m, k) for k, m in VALUE_MEMBER.items() if m != "value"]
_EXPANDED = {
    "value": CORE + "hasValue",
    "object": CORE + "hasObject",
    "objectList": CORE + "hasObjectList",
    "languageMap": CORE + "hasLanguageMap",
    "valueList": CORE + "hasValueList",
    "json": CORE + "hasJSON",
    "vocab": CORE + "hasVocab",
    "type": "@type",
} | {name: CORE + name for name in META_MEMBERS}


def meta_member(name: str) -> str | None:
    """The short name of a core attribute member (``observedAt``, ``datasetId`` …), else None."""
    short = name.removeprefix(CORE)
    return short if short in META_MEMBERS else None


def member(obj: Mapping[str, Any], short: str) -> Any:
    """A core member of an attribute by its short name, compacted or expanded; else MISSING."""
    if short in obj:
        return obj[short]
    return obj.get(_EXPANDED.get(short, short), MISSING)


def plain(value: Any) -> Any:
    """The JSON value behind JSON-LD value objects; temporal typed values stay typed dicts."""
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], Mapping) and "@list" in value[0]:
            return plain(value[0]["@list"])  # an expanded ListProperty: [{"@list": [...]}]
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        if "@value" in value:
            kind = value.get("@type")
            if isinstance(kind, str) and kind.removeprefix(CORE) in _TEMPORAL_TYPES:
                return value
            return value["@value"]
        if "@id" in value and len(value) == 1:
            return value["@id"]
        if "@list" in value:
            return plain(value["@list"])
    return value


def attribute_kind(instance: Mapping[str, Any]) -> AttributeKind:
    """The kind of an attribute instance, from its ``type`` or, failing that, its members."""
    declared = plain(member(instance, "type"))
    if isinstance(declared, list) and declared:
        declared = declared[0]
    if isinstance(declared, str):
        try:
            return AttributeKind(declared.removeprefix(CORE))
        except ValueError:
            pass
    for name, kind in _KIND_BY_MEMBER:
        if member(instance, name) is not MISSING:
            return kind
    return AttributeKind.PROPERTY


def _is_null(value: Any) -> bool:
    value = plain(value)
    if isinstance(value, list):
        return len(value) == 1 and value[0] == NGSI_LD_NULL
    if isinstance(value, Mapping):
        return value.get("@none") == NGSI_LD_NULL
    return value == NGSI_LD_NULL


def is_live(instance: Mapping[str, Any], now: datetime | None) -> bool:
    """Whether an instance still exists: not the NGSI-LD Null, not deleted by ``now``.

    With no ``now`` every instance that carries ``deletedAt`` counts as deleted.
    """
    value = member(instance, VALUE_MEMBER[attribute_kind(instance)])
    if value is not MISSING and _is_null(value):
        return False
    deleted = plain(member(instance, "deletedAt"))
    if deleted is MISSING:
        return True
    if isinstance(deleted, Mapping):
        deleted = deleted.get("@value")
    when = read_datetime(deleted) if isinstance(deleted, str) else None
    return when is not None and now is not None and when > now


def instances(container: Mapping[str, Any], name: str, now: datetime | None) -> list[Mapping]:
    """The live instances of attribute ``name`` (several when it has datasetIds)."""
    raw = container.get(name, MISSING)
    items = raw if isinstance(raw, list) else [raw]
    return [item for item in items if isinstance(item, Mapping) and is_live(item, now)]


def entity_instances(entity: Mapping[str, Any], name: str, now: datetime | None) -> list[Mapping]:
    """Like :func:`instances`, also reading the entity's own ``createdAt``/``modifiedAt``."""
    if meta_member(name) in TIMESTAMPS:
        value = plain(entity.get(name))
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, str) or (isinstance(value, Mapping) and "@value" in value):
            return [{"type": "Property", "value": value}]
    return instances(entity, name, now)


def language_map(instance: Mapping[str, Any]) -> dict[str, list[Any]]:
    """A LanguageProperty's strings by language tag, compacted or expanded form alike."""
    raw = member(instance, "languageMap")
    result: dict[str, list[Any]] = {}
    if isinstance(raw, Mapping):
        for tag, text in raw.items():
            result.setdefault(tag, []).extend(text if isinstance(text, list) else [text])
    elif isinstance(raw, list):  # expanded: [{"@value": "red", "@language": "en"}, …]
        for item in raw:
            if isinstance(item, Mapping) and "@value" in item:
                result.setdefault(item.get("@language", "@none"), []).append(item["@value"])
    return result


def relationship_objects(instance: Mapping[str, Any]) -> list[Any]:
    """The objects of a Relationship or ListRelationship instance, flattened."""
    kind = attribute_kind(instance)
    raw = plain(member(instance, VALUE_MEMBER[kind]))
    if raw is MISSING:
        return []
    items = raw if isinstance(raw, list) else [raw]
    return [plain(member(item, "object")) if isinstance(item, Mapping) else item for item in items]


def dig(value: Any, names: tuple[str, ...]) -> Any:
    """``value.a.b`` as an ECMA 262 member expression; arrays are searched element by element.

    MISSING when the member is undefined (the target then counts as non-existent).
    """
    for name in names:
        if isinstance(value, Mapping):
            value = value.get(name, MISSING)
        elif isinstance(value, list):
            found = [item[name] for item in value if isinstance(item, Mapping) and name in item]
            value = found if found else MISSING
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def entity_types(entity: Mapping[str, Any]) -> Iterator[str]:
    """The type names of an entity (``type`` or ``@type``, one or many)."""
    raw = entity.get("type", entity.get("@type"))
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, str):
            yield item
