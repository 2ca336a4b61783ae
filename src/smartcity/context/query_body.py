"""The members of an NGSI-LD Query body (clause 5.2.23), shared by POST /entityOperations/query
and POST /temporal/entityOperations/query."""

from __future__ import annotations

from typing import Any

from smartcity.context.errors import BadRequestData


def selectors(value: Any) -> list[dict[str, str]]:
    """The EntitySelectors of a Query body (none given: an empty list)."""
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        raise BadRequestData("entities must be a non-empty array of EntitySelectors")
    for selector in value:
        if not isinstance(selector, dict) or not set(selector) <= {"id", "idPattern", "type"}:
            raise BadRequestData("an EntitySelector has only id, idPattern and type")
        if not all(isinstance(v, str) for v in selector.values()):
            raise BadRequestData("EntitySelector members are strings")
    return value


def text_member(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise BadRequestData(f"{what} must be a string")
    return value


def joined(value: Any, what: str) -> str | None:
    """A list of names given as an array or a comma-separated string."""
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise BadRequestData(f"{what} must be a non-empty array of names")
    return ",".join(value)


def geo_q(value: Any) -> dict[str, Any]:
    """A geoQ member as the keyword arguments of `params.entity_query`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequestData("geoQ must be an object")
    return {
        "georel": text_member(value.get("georel"), "geoQ.georel"),
        "geometry": text_member(value.get("geometry"), "geoQ.geometry"),
        "coordinates": value.get("coordinates"),
        "geoproperty": text_member(value.get("geoproperty"), "geoQ.geoproperty"),
    }
