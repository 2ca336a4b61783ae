"""Writing temporal evolutions (clauses 6.18.3.2, 6.19.3.2, 6.20–6.22): create or add to an
entity's history, delete it, delete an attribute's instances, modify or delete one instance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from smartcity.context.edge import BASE, Call, WriteCall
from smartcity.context.errors import BadRequestData
from smartcity.context.normalize import valid_name
from smartcity.context.temporal import instances, payload, service

router = APIRouter(tags=["NGSI-LD temporal"])
ENTITIES = BASE + "/temporal/entities"
ENTITY = ENTITIES + "/{entityId}"
ATTRIBUTE = ENTITY + "/attrs/{attrId}"
INSTANCE = ATTRIBUTE + "/{instanceId}"


def _attribute(call: Call, name: str) -> str:
    """A path's attribute name in stored form; dot segments and bad names are BadRequestData."""
    if not valid_name(name) or name.strip(".") == "" or "%" in name:
        raise BadRequestData(f"attribute name {name!r} is not valid")
    return call.ctx.stored_name(name)


@router.post(ENTITIES, status_code=201, summary="Create or update temporal evolution of an entity")
async def upsert_temporal_entity(call: WriteCall) -> Response:
    body, _kind = await call.body()
    head, instances = payload.temporal_entity(body, call.ctx)
    created = service.upsert_temporal_entity(
        call.session, call.tenant_id, head, instances, call.now
    )
    if created:
        return call.empty(201, {"Location": f"{ENTITIES}/{head['id']}"})
    return call.empty(204)


@router.delete(ENTITY, status_code=204, summary="Delete temporal evolution of an entity")
def delete_temporal_entity(call: WriteCall, entityId: str) -> Response:
    payload.checked_uri(entityId, "entity id")
    service.delete_temporal_entity(call.session, call.tenant_id, entityId, call.now)
    return call.empty(204)


@router.post(ENTITY + "/attrs", status_code=204, summary="Add attributes to temporal evolution")
async def append_temporal_attributes(call: WriteCall, entityId: str) -> Response:
    payload.checked_uri(entityId, "entity id")
    body, _kind = await call.body()
    added = payload.fragment(body, call.ctx)
    service.append_instances(call.session, call.tenant_id, entityId, added, call.now)
    return call.empty(204)


@router.delete(ATTRIBUTE, status_code=204, summary="Delete attribute from temporal evolution")
def delete_temporal_attribute(
    call: WriteCall,
    entityId: str,
    attrId: str,
    dataset_id: Annotated[str | None, Query(alias="datasetId")] = None,
    delete_all: Annotated[bool, Query(alias="deleteAll")] = False,
) -> Response:
    payload.checked_uri(entityId, "entity id")
    name = _attribute(call, attrId)
    if dataset_id is not None:
        payload.checked_uri(dataset_id, "datasetId")
    service.delete_attribute(
        call.session,
        call.tenant_id,
        entityId,
        name,
        call.now,
        dataset_id=dataset_id,
        delete_all=delete_all,
    )
    return call.empty(204)


@router.patch(INSTANCE, status_code=204, summary="Modify an attribute instance")
async def modify_attribute_instance(
    call: WriteCall, entityId: str, attrId: str, instanceId: str
) -> Response:
    payload.checked_uri(entityId, "entity id")
    payload.checked_uri(instanceId, "instanceId")
    body, _kind = await call.body()
    name = _attribute(call, attrId)
    members = payload.instance_fragment(body, call.ctx, name)
    instances.modify_instance(
        call.session, call.tenant_id, entityId, name, instanceId, members, call.now
    )
    return call.empty(204)


@router.delete(INSTANCE, status_code=204, summary="Delete an attribute instance")
def delete_attribute_instance(
    call: WriteCall, entityId: str, attrId: str, instanceId: str
) -> Response:
    payload.checked_uri(entityId, "entity id")
    payload.checked_uri(instanceId, "instanceId")
    name = _attribute(call, attrId)
    instances.delete_instance(call.session, call.tenant_id, entityId, name, instanceId, call.now)
    return call.empty(204)


def _missing_segment() -> Response:
    raise BadRequestData("the path lacks an entity id or attribute name")


# Empty path segments (`/temporal/entities//attrs`) are bad requests, not unknown resources.
for _path, _methods in (
    (ENTITIES + "//attrs", ["POST"]),
    (ENTITIES + "//attrs/{attrId}", ["DELETE"]),
    (ENTITIES + "//attrs/{attrId}/{instanceId}", ["PATCH", "DELETE"]),
    (ENTITY + "/attrs//{instanceId}", ["DELETE"]),
):
    router.add_api_route(_path, _missing_segment, methods=_methods, include_in_schema=False)
