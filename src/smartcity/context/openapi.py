"""Request bodies of the NGSI-LD routes as OpenAPI describes them (the routes read the raw body
themselves, to answer bad JSON and media types as the specification asks)."""

from __future__ import annotations

from typing import Any

_ATTRIBUTE = {
    "description": "An attribute: normalized ({type, value|object|languageMap|…}) or concise.",
}
ENTITY: dict[str, Any] = {
    "type": "object",
    "required": ["id", "type"],
    "properties": {
        "id": {"type": "string", "format": "uri", "example": "urn:ngsi-ld:Streetlight:001"},
        "type": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "scope": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "@context": {"description": "Only with application/ld+json."},
    },
    "additionalProperties": _ATTRIBUTE,
}
FRAGMENT: dict[str, Any] = {
    "type": "object",
    "description": "Attributes by name (and, with application/ld+json, the @context).",
    "additionalProperties": _ATTRIBUTE,
}
ATTRIBUTE: dict[str, Any] = {"type": "object", **_ATTRIBUTE}
ENTITIES: dict[str, Any] = {"type": "array", "minItems": 1, "items": ENTITY}
FRAGMENTS: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {**FRAGMENT, "required": ["id"]},
}
IDS: dict[str, Any] = {"type": "array", "minItems": 1, "items": {"type": "string", "format": "uri"}}
QUERY: dict[str, Any] = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"const": "Query"},
        "entities": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "idPattern": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
        "attrs": {"type": "array", "items": {"type": "string"}},
        "q": {"type": "string"},
        "geoQ": {"type": "object"},
        "lang": {"type": "string"},
    },
}


def body(schema: dict[str, Any]) -> dict[str, Any]:
    """`openapi_extra` for a route that takes `schema` as JSON or JSON-LD."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "application/ld+json": {"schema": schema},
            },
        }
    }
