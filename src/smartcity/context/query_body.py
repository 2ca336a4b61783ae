"""The members of an NGSI-LD Query body (clause 5.2.23), shared by POST /entityOperations/query
and POST /temporal/entityOperations/query."""

from __future__ import annotations

from typing import Any

from smartcity.context.errors import BadRequestData


def selectors(value: Any, *, require_type: bool = False) -> list[dict[str, Any]]:
    """The EntitySelectors of a Query body (none given: an empty list). `id` may be an array of
    ids (clause 5.2.33); `require_type`: each must say its type, as the selector is defined."""
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        raise BadRequestData("entities must be a non-empty array of EntitySelectors")
    for selector in value:
        if not isinstance(selector, dict) or not set(selector) <= {"id", "idPattern", "type"}:
            raise BadRequestData("an EntitySelector has only id, idPattern and type")
        if require_type and "type" not in selector:
            raise BadRequestData("an EntitySelector needs a type")
        members = {k: v for k, v in selector.items() if k != "id"}
        if not all(isinstance(v, str) for v in members.values()):
            raise BadRequestData("EntitySelector members are strings")
        if "id" in selector and selector_ids(selector) is None:
            raise BadRequestData("an EntitySelector's id is a string or an array of strings")
    return value


def selector_ids(selector: dict[str, Any]) -> list[str] | None:
    """The ids an EntitySelector names (`id` as a string or a non-empty array)."""
    ids = selector.get("id")
    if isinstance(ids, str):
        return [ids]
    if isinstance(ids, list) and ids and all(isinstance(i, str) for i in ids):
        return ids
    return None


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
