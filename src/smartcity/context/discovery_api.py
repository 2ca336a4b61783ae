"""/ngsi-ld/v1/types and /ngsi-ld/v1/attributes: the entity types and attributes in use
(clauses 6.25–6.28), named as the request's @context names them."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from smartcity.context import discovery
from smartcity.context.edge import BASE, Call, ReadCall
from smartcity.context.errors import BadRequestData, InvalidRequest
from smartcity.context.normalize import valid_name

router = APIRouter(tags=["NGSI-LD"])
TYPES, ATTRIBUTES = BASE + "/types", BASE + "/attributes"

DetailsParam = Annotated[str | None, Query(description="true: a detailed representation.")]
LocalParam = Annotated[
    str | None, Query(description="true: local information only (this broker has no other).")
]


def _flag(value: str | None, name: str) -> bool:
    if value is None or value in ("true", "false"):
        return value == "true"
    raise BadRequestData(f"{name} must be true or false, not {value!r}")


def _start(call: Call, *, allowed: tuple[str, ...], local: str | None) -> str:
    """Refuse parameters the resource does not define, check `local`, negotiate the answer."""
    unknown = sorted(set(call.request.query_params) - set(allowed))
    if unknown:
        raise InvalidRequest(f"this resource has no query parameter {', '.join(unknown)}")
    _flag(local, "local")
    return call.accept()


def _iri(call: Call, stored: str) -> str:
    """A stored name as a full IRI (stored names without a colon are core terms)."""
    return stored if ":" in stored else call.ctx.core.expand_term(stored)


def _stored(call: Call, name: str, what: str) -> str:
    if not valid_name(name):
        raise BadRequestData(f"{name!r} is not a valid {what} name")
    return call.ctx.stored_name(name)


def _by_name(call: Call, stored: list[str]) -> list[str]:
    return sorted(stored, key=call.ctx.present_name)


@router.get(TYPES, summary="Retrieve available entity types")
@router.get(TYPES + "/", include_in_schema=False)
def retrieve_entity_types(
    call: ReadCall, details: DetailsParam = None, local: LocalParam = None
) -> Response:
    media = _start(call, allowed=("details", "local"), local=local)
    present = call.ctx.present_name
    if not _flag(details, "details"):
        kinds = discovery.entity_types(call.session, call.tenant_id)
        body: Any = {
            "id": f"urn:ngsi-ld:EntityTypeList:{uuid.uuid4()}",
            "type": "EntityTypeList",
            "typeList": [present(k) for k in _by_name(call, kinds)],
        }
        return call.respond(body, media=media)
    found = discovery.entity_type_details(call.session, call.tenant_id)
    body = [
        {
            "id": _iri(call, kind),
            "type": "EntityType",
            "typeName": present(kind),
            "attributeNames": [present(a) for a in _by_name(call, found[kind])],
        }
        for kind in _by_name(call, list(found))
    ]
    return call.respond(body, media=media)


@router.get(TYPES + "/{entity_type:path}", summary="Retrieve available entity type information")
def retrieve_entity_type(call: ReadCall, entity_type: str, local: LocalParam = None) -> Response:
    media = _start(call, allowed=("local",), local=local)
    stored = _stored(call, entity_type, "entity type")
    info = discovery.entity_type_info(call.session, call.tenant_id, stored)
    present = call.ctx.present_name
    body = {
        "id": _iri(call, info.name),
        "type": "EntityTypeInfo",
        "typeName": present(info.name),
        "entityCount": info.entity_count,
        "attributeDetails": [
            {
                "id": _iri(call, name),
                "type": "Attribute",
                "attributeName": present(name),
                "attributeTypes": [present(k) for k in info.attributes[name]],
            }
            for name in _by_name(call, list(info.attributes))
        ],
    }
    return call.respond(body, media=media)


@router.get(ATTRIBUTES, summary="Retrieve available attributes")
@router.get(ATTRIBUTES + "/", include_in_schema=False)
def retrieve_attributes(
    call: ReadCall, details: DetailsParam = None, local: LocalParam = None
) -> Response:
    media = _start(call, allowed=("details", "local"), local=local)
    present = call.ctx.present_name
    if not _flag(details, "details"):
        names = discovery.attribute_names(call.session, call.tenant_id)
        body: Any = {
            "id": f"urn:ngsi-ld:AttributeList:{uuid.uuid4()}",
            "type": "AttributeList",
            "attributeList": [present(n) for n in _by_name(call, names)],
        }
        return call.respond(body, media=media)
    # Clause 5.7.9: only id, type, attributeName and typeNames in this list.
    found = discovery.attribute_details(call.session, call.tenant_id)
    body = [
        {
            "id": _iri(call, name),
            "type": "Attribute",
            "attributeName": present(name),
            "typeNames": [present(k) for k in _by_name(call, found[name])],
        }
        for name in _by_name(call, list(found))
    ]
    return call.respond(body, media=media)


@router.get(ATTRIBUTES + "/{attribute:path}", summary="Retrieve available attribute information")
def retrieve_attribute(call: ReadCall, attribute: str, local: LocalParam = None) -> Response:
    media = _start(call, allowed=("local",), local=local)
    stored = _stored(call, attribute, "attribute")
    info = discovery.attribute_info(call.session, call.tenant_id, stored)
    present = call.ctx.present_name
    body = {
        "id": _iri(call, info.name),
        "type": "Attribute",
        "attributeName": present(info.name),
        "attributeCount": info.attribute_count,
        "attributeTypes": [present(k) for k in info.attribute_types],
        "typeNames": [present(k) for k in _by_name(call, info.type_names)],
    }
    return call.respond(body, media=media)
