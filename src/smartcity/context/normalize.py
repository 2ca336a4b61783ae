"""Validate an NGSI-LD entity payload (normalized or concise) and return its normalized form.

Names stay as the client wrote them; expanding them against an @context is a separate step.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any

import shapely
from shapely.geometry import shape

from smartcity.context.errors import BadRequestData

ATTRIBUTE_TYPES = {
    "Property": "value",
    "GeoProperty": "value",
    "Relationship": "object",
    "LanguageProperty": "languageMap",
    "ListProperty": "valueList",
    "ListRelationship": "objectList",
    "JsonProperty": "json",
    "VocabProperty": "vocab",
}
# In concise form the member that carries the value tells the attribute's type.
TYPE_BY_MEMBER = {
    "object": "Relationship",
    "languageMap": "LanguageProperty",
    "valueList": "ListProperty",
    "objectList": "ListRelationship",
    "json": "JsonProperty",
    "vocab": "VocabProperty",
    "value": "Property",
}
GEO_ATTRIBUTES = {"location", "observationSpace", "operationSpace"}
GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
SYSTEM_MEMBERS = {"createdAt", "modifiedAt", "deletedAt", "instanceId"}
ATTRIBUTE_MEMBERS = {
    "type",
    "observedAt",
    "datasetId",
    "unitCode",
    "objectType",
    "lang",
    *ATTRIBUTE_TYPES.values(),
    *SYSTEM_MEMBERS,
}
ENTITY_MEMBERS = {"id", "type", "@context", "scope", *SYSTEM_MEMBERS}
# Core terms that are members of an attribute, never attributes themselves (clause 4.5.1).
RESERVED_NAMES = {"datasetId", "instanceId", "observedAt", "unitCode", "objectType"}
# Members a broker writes into notifications and temporal answers; never accepted as input.
OUTPUT_ONLY = {
    "previousValue",
    "previousObject",
    "previousLanguageMap",
    "previousValueList",
    "previousObjectList",
    "previousJson",
    "previousVocab",
}
# The members each attribute type may carry besides its value (clauses 4.5.2–4.5.24).
_ALLOWED = {
    "Property": {"observedAt", "datasetId", "unitCode"},
    "GeoProperty": {"observedAt", "datasetId"},
    "Relationship": {"observedAt", "datasetId", "objectType"},
    "ListRelationship": {"observedAt", "datasetId", "objectType"},
    "ListProperty": {"observedAt", "datasetId", "unitCode"},
}
_LANG_STRING = {
    "langString",
    "rdf:langString",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
}
_KEYWORD_ALIASES = {"id", "type", "value", "object", "languageMap"}
PROOF = "ngsildproof"
_PROOF_SEALS = {"entityIdSealed", "entityTypeSealed"}

NULL = "urn:ngsi-ld:null"  # NGSI-LD Null (clause 4.5.21)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_FORBIDDEN_NAME = re.compile(r"[<>\"'=;()\s\x00-\x1f\x7f]")
_LANGUAGE_TAG = re.compile(r"^(?:[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*|@none)$")
_SCOPE = re.compile(r"^/[^\s/#+]+(?:/[^\s/#+]+)*$")
MAX_DEPTH = 8


def is_uri(value: Any) -> bool:
    """A URI, or an IRI whose non-ASCII characters are all visible (RFC 3987 `ucschar`)."""
    if not (isinstance(value, str) and len(value) <= 2048 and _URI.match(value)):
        return False
    return value.isascii() or all(_visible(c) for c in value if not c.isascii())


# Characters that render as nothing: fillers, blanks and variation selectors.
_INVISIBLE = {0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800}


def _visible(char: str) -> bool:
    code = ord(char)
    if code in _INVISIBLE or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return False
    return unicodedata.category(char)[0] not in "CZ"  # control, format, unassigned, separators


def valid_name(value: Any) -> bool:
    """An attribute or type name: a term, compact IRI or IRI without the forbidden characters."""
    return isinstance(value, str) and 0 < len(value) <= 512 and not _FORBIDDEN_NAME.search(value)


def valid_type_name(value: Any) -> bool:
    """An entity type: a name that is an IRI or compact IRI, or a term starting with a letter
    or '_' (clause 4.6.2: `9Vehicle` is not a type); not a keyword or its alias (`type`)."""
    if not valid_name(value) or value in _KEYWORD_ALIASES:
        return False
    return ":" in value or value[0].isalpha() or value[0] == "_"


def parse_datetime(value: Any, where: str) -> datetime:
    if isinstance(value, str) and "T" in value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                return parsed
    raise BadRequestData(f"{where} must be a DateTime with a timezone, e.g. 2026-01-05T09:00:00Z")


def null_attribute(entity: dict[str, Any]) -> str | None:
    """The path of the first attribute, sub-attribute or Property value part that is NGSI-LD
    Null (refused on create and replace)."""
    for name, attribute in entity.items():
        if name in ENTITY_MEMBERS:
            continue
        found = _null_in(attribute, name)
        if found is not None:
            return found
    return None


def _null_in(attribute: Any, path: str) -> str | None:
    for instance in attribute if isinstance(attribute, list) else [attribute]:
        if not isinstance(instance, dict):
            continue
        if NULL in (instance.get(m) for m in ATTRIBUTE_TYPES.values()):
            return path
        if instance.get("type") == "Property" and _holds_null(instance.get("value")):
            return path
        for key, sub in instance.items():
            if key not in ATTRIBUTE_MEMBERS and isinstance(sub, dict | list):
                found = _null_in(sub, f"{path}.{key}")
                if found is not None:
                    return found
    return None


def _holds_null(value: Any) -> bool:
    if isinstance(value, dict):
        return any(v == NULL or _holds_null(v) for v in value.values())
    if isinstance(value, list):
        return any(v == NULL or _holds_null(v) for v in value)
    return False


def normalize_entity(
    payload: Any, *, require_id: bool = True, require_type: bool | None = None
) -> dict[str, Any]:
    """The entity in normalized form, or BadRequestData naming what is wrong."""
    if not isinstance(payload, dict):
        raise BadRequestData("an entity must be a JSON object")
    payload = _without_keywords(payload)
    entity: dict[str, Any] = {}
    if "id" in payload or require_id:
        if not is_uri(payload.get("id")) or payload["id"] == NULL:
            raise BadRequestData("the entity id must be a URI, e.g. urn:ngsi-ld:Streetlight:001")
        entity["id"] = payload["id"]
    if "type" in payload or (require_id if require_type is None else require_type):
        entity["type"] = _entity_type(payload.get("type"))
    if "scope" in payload:
        entity["scope"] = _scope(payload["scope"])
    for name, raw in payload.items():
        if name in RESERVED_NAMES:
            raise BadRequestData(f"{name!r} is a member of attributes, not an attribute name")
        if name in ENTITY_MEMBERS:
            continue
        if not valid_name(name) or name.startswith("@"):
            raise BadRequestData(f"attribute name {name!r} is not valid")
        entity[name] = normalize_attribute(name, raw, path=name)
    return entity


def _without_keywords(payload: dict[str, Any]) -> dict[str, Any]:
    """The JSON-LD keywords `@id` and `@type` read as the entity's id and type (clause 4.4)."""
    if "@id" not in payload and "@type" not in payload:
        return payload
    out = dict(payload)
    for keyword, member in (("@id", "id"), ("@type", "type")):
        if keyword in out:
            if member in out:
                raise BadRequestData(f"give either {keyword} or {member}, not both")
            out[member] = out.pop(keyword)
    return out


def _entity_type(value: Any) -> str | list[str]:
    types = value if isinstance(value, list) else [value]
    if not types or not all(valid_type_name(t) for t in types):
        raise BadRequestData("the entity type must be a name or a non-empty list of names")
    return types[0] if len(types) == 1 else list(dict.fromkeys(types))


def _scope(value: Any) -> list[str]:
    scopes = value if isinstance(value, list) else [value]
    if not scopes or not all(isinstance(s, str) and _SCOPE.match(s) for s in scopes):
        raise BadRequestData("scope must be like /Shanghai/Huangpu (or a list of such)")
    return scopes


def normalize_attribute(name: str, raw: Any, *, path: str, depth: int = 0) -> Any:
    """One attribute (or a list of its instances, one per datasetId) in normalized form."""
    if depth > MAX_DEPTH:
        raise BadRequestData(f"{path}: sub-attributes nest deeper than {MAX_DEPTH} levels")
    if isinstance(raw, list) and raw and all(_is_attribute_object(item) for item in raw):
        instances = [_normalize_one(name, item, path, depth) for item in raw]
        _check_datasets(instances, path)
        return instances if len(instances) > 1 else instances[0]
    return _normalize_one(name, raw, path, depth)


def _is_attribute_object(item: Any) -> bool:
    return isinstance(item, dict) and (
        item.get("type") in ATTRIBUTE_TYPES or any(m in item for m in TYPE_BY_MEMBER)
    )


def _check_datasets(instances: list[dict[str, Any]], path: str) -> None:
    seen: set[str | None] = set()
    for instance in instances:
        dataset = instance.get("datasetId")
        if dataset in seen:
            which = "without datasetId" if dataset is None else f"with datasetId {dataset}"
            raise BadRequestData(f"{path}: more than one instance {which}")
        seen.add(dataset)


def _normalize_one(name: str, raw: Any, path: str, depth: int) -> dict[str, Any]:
    if raw is None:
        raise BadRequestData(f"{path}: an attribute cannot be null")
    if not isinstance(raw, dict):
        raw = {"value": raw}
    elif raw.get("type") not in ATTRIBUTE_TYPES and not any(m in raw for m in TYPE_BY_MEMBER):
        if "type" in raw and raw["type"] not in GEOMETRY_TYPES:
            raise BadRequestData(f"{path}: unknown attribute type {raw['type']!r}")
        raw = {"value": raw}  # a bare JSON object (or GeoJSON geometry) is the value itself
    kind = raw.get("type") or _infer_type(name, raw)
    if kind == "Property" and name in GEO_ATTRIBUTES and _is_geometry(raw.get("value")):
        kind = "GeoProperty"  # published payloads (e.g. DeviceMeasurement) type location Property
    if kind not in ATTRIBUTE_TYPES:
        raise BadRequestData(f"{path}: unknown attribute type {kind!r}")
    member = ATTRIBUTE_TYPES[kind]
    if name in GEO_ATTRIBUTES and kind != "GeoProperty":
        raise BadRequestData(f"{path}: {name} must be a GeoProperty")
    if member not in raw:
        raise BadRequestData(f"{path}: a {kind} needs {member!r}")
    attribute: dict[str, Any] = {"type": kind, member: _check_value(kind, raw[member], path)}
    if name == PROOF and not isinstance(attribute[member], dict):
        raise BadRequestData(f"{path}: an ngsildproof's value is a proof object (clause 4.5.25)")
    allowed = _ALLOWED.get(kind, {"observedAt", "datasetId"})
    for key, value in raw.items():
        if key in ("type", member) or key in SYSTEM_MEMBERS:
            continue
        if key in ATTRIBUTE_MEMBERS and key not in allowed:
            raise BadRequestData(f"{path}: {key!r} does not belong in a {kind}")
        if key == "observedAt":
            _check_observed_at(value, path)
        elif key == "datasetId":
            if value == "@none":  # the default instance, said explicitly
                continue
            if not is_uri(value):
                raise BadRequestData(f"{path}.datasetId must be a URI")
        elif key == "unitCode" and not (isinstance(value, str) and 0 < len(value) <= 64):
            raise BadRequestData(f"{path}.unitCode must be a short string (UN/CEFACT code)")
        elif key == "objectType":
            _check_object_type(value, path)
        elif key in _PROOF_SEALS:
            _check_seal(key, value, name, path)
        elif key not in ATTRIBUTE_MEMBERS:
            _check_sub_attribute_name(kind, key, value, name, path)
            value = normalize_attribute(key, value, path=f"{path}.{key}", depth=depth + 1)
        attribute[key] = value
    return attribute


def _check_observed_at(value: Any, path: str) -> None:
    """observedAt is a UTC DateTime (clause 4.8): `Z` or a zero offset."""
    parsed = parse_datetime(value, f"{path}.observedAt")
    if parsed.utcoffset():
        raise BadRequestData(f"{path}.observedAt must be in UTC, e.g. 2026-01-05T09:00:00Z")


def _check_object_type(value: Any, path: str) -> None:
    types = value if isinstance(value, list) else [value]
    if not types or not all(valid_type_name(t) for t in types):
        raise BadRequestData(f"{path}.objectType must be an entity type or a list of them")


def _check_sub_attribute_name(kind: str, key: str, value: Any, name: str, path: str) -> None:
    if not valid_name(key) or key.startswith("@"):
        raise BadRequestData(f"{path}: sub-attribute name {key!r} is not valid")
    if key in OUTPUT_ONLY:
        raise BadRequestData(f"{path}: {key!r} is written by the broker, not accepted as input")
    given = value.get("value") if isinstance(value, dict) else value
    if key == "valueType" and kind == "LanguageProperty" and given not in _LANG_STRING:
        raise BadRequestData(f"{path}: a LanguageProperty's valueType is langString")


def _check_seal(key: str, value: Any, name: str, path: str) -> None:
    """entityIdSealed/entityTypeSealed: plain members of an ngsildproof (clause 4.5.25)."""
    if name != PROOF:
        raise BadRequestData(f"{path}: {key} belongs only in an ngsildproof")
    if key == "entityIdSealed" and not is_uri(value):
        raise BadRequestData(f"{path}: entityIdSealed is the entity's id")
    types = value if isinstance(value, list) else [value]
    if key == "entityTypeSealed" and not (types and all(valid_type_name(t) for t in types)):
        raise BadRequestData(f"{path}: entityTypeSealed is an entity type or a list of them")


def _infer_type(name: str, raw: dict[str, Any]) -> str:
    for member, kind in TYPE_BY_MEMBER.items():
        if member in raw:
            if kind == "Property" and (name in GEO_ATTRIBUTES or _is_geometry(raw[member])):
                return "GeoProperty"
            return kind
    return "Property"


def _is_geometry(value: Any) -> bool:
    return (
        isinstance(value, dict) and value.get("type") in GEOMETRY_TYPES and "coordinates" in value
    )


def _check_value(kind: str, value: Any, path: str) -> Any:
    if value is None:
        raise BadRequestData(f"{path}: the value of a {kind} cannot be null")
    if value == NULL or value == {"@none": NULL}:
        return NULL  # NGSI-LD Null: the operation decides (deletes in merge and update)
    if kind == "GeoProperty":
        return _check_geometry(value, path)
    if kind == "Relationship" and not (
        is_uri(value) or (isinstance(value, list) and value and all(is_uri(v) for v in value))
    ):
        raise BadRequestData(f"{path}: a Relationship's object must be a URI")
    if kind == "ListRelationship" and not (
        isinstance(value, list)
        and all(is_uri(v) or (isinstance(v, dict) and is_uri(v.get("object"))) for v in value)
    ):
        raise BadRequestData(f"{path}: objectList must be a list of URIs")
    if kind == "ListRelationship":  # stored as bare URIs; answered as {"object": URI} items
        return [v["object"] if isinstance(v, dict) and set(v) == {"object"} else v for v in value]
    if kind == "LanguageProperty":
        _check_language_map(value, path)
    if kind == "ListProperty" and not isinstance(value, list):
        raise BadRequestData(f"{path}: valueList must be a list")
    if kind == "JsonProperty" and not isinstance(value, dict | list):
        raise BadRequestData(f"{path}: json must be a JSON object or array")
    if kind == "VocabProperty":
        terms = value if isinstance(value, list) else [value]
        if not terms or not all(valid_name(t) for t in terms):
            raise BadRequestData(f"{path}: vocab must be a name or a list of names")
    return value


def _check_language_map(value: Any, path: str) -> None:
    if not isinstance(value, dict) or not value:
        raise BadRequestData(f"{path}: languageMap must be an object of language tag → string")
    for tag, text in value.items():
        texts = text if isinstance(text, list) else [text]
        if not _LANGUAGE_TAG.match(tag) or not all(isinstance(t, str) for t in texts):
            raise BadRequestData(f"{path}: languageMap entry {tag!r} is not tag → string")


def _check_geometry(value: Any, path: str) -> dict[str, Any]:
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:  # a geometry sent JSON-encoded in a string (clause 4.7)
            value = json.loads(value)
        except ValueError:
            raise BadRequestData(f"{path}: the GeoJSON string is not JSON") from None
    if not _is_geometry(value):
        raise BadRequestData(f"{path}: a GeoProperty's value must be a GeoJSON geometry")
    try:
        geometry = shape(value)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError):
        raise BadRequestData(f"{path}: the GeoJSON coordinates are malformed") from None
    x0, y0, x1, y1 = geometry.bounds
    if geometry.is_empty or not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        raise BadRequestData(f"{path}: coordinates must be [longitude, latitude] in range")
    return value
