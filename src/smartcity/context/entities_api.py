"""/ngsi-ld/v1/entities: entity and attribute operations (clauses 6.4–6.7) and the entity query."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from smartcity.context import params, render, search, service, store
from smartcity.context.edge import BASE, Call, ReadCall, WriteCall
from smartcity.context.errors import BadRequestData, ResourceNotFound
from smartcity.context.http import GEO_JSON
from smartcity.context.normalize import is_uri, normalize_attribute, normalize_entity, valid_name
from smartcity.context.openapi import ATTRIBUTE as ATTRIBUTE_BODY
from smartcity.context.openapi import ENTITY, FRAGMENT, body
from smartcity.context.params import (
    AttrsParam,
    FormatParam,
    IdParam,
    IdPatternParam,
    LangParam,
    LimitParam,
    OffsetParam,
    OmitParam,
    OptionsParam,
    PickParam,
    QParam,
    TypeParam,
)

router = APIRouter(tags=["NGSI-LD"])
ENTITY_PATH = BASE + "/entities/{entityId}"
ATTRIBUTE = ENTITY_PATH + "/attrs/{attrId}"
GeoParam = Annotated[str | None, Query()]
RESULTS_COUNT = "NGSILD-Results-Count"


def location(entity_id: str) -> str:
    """The entity's path for a Location header: IRIs percent-encoded into ASCII (RFC 3987)."""
    return f"{BASE}/entities/{quote(entity_id, safe=_PCHAR)}"


_PCHAR = ":@!$&'()*+,;=-._~/?#[]"


def checked_id(entity_id: str) -> str:
    if not is_uri(entity_id):
        raise BadRequestData(f"entity id {entity_id!r} is not a URI", instance=entity_id)
    return entity_id


def checked_attribute(call: Call, name: str) -> str:
    if not valid_name(name):
        raise BadRequestData(f"attribute name {name!r} is not valid")
    return call.ctx.stored_name(name)


def _entity_body(call: Call, payload: Any, *, require_id: bool) -> dict[str, Any]:
    return call.ctx.expand_entity(normalize_entity(payload, require_id=require_id))


def _fragment_body(call: Call, payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise BadRequestData("the body must be a JSON object of attributes")
    cleaned = {k: v for k, v in payload.items() if k not in ("id", "type")}
    fragment = call.ctx.expand_entity(normalize_entity(cleaned, require_id=False))
    if "type" in payload and not isinstance(payload["type"], dict):
        fragment["type"] = normalize_entity({"type": payload["type"]}, require_id=False)["type"]
        fragment["type"] = call.ctx.expand_entity({"type": fragment["type"]})["type"]
    if "id" in payload:
        fragment["id"] = payload["id"]
    return fragment


def _update_answer(call: Call, result: service.UpdateResult) -> Response:
    if result.complete:
        return call.empty(204)
    return call.respond(result.body(call.ctx.present_name), status=207)


@router.post(
    BASE + "/entities", status_code=201, summary="Create entity", openapi_extra=body(ENTITY)
)
async def create_entity(call: WriteCall) -> Response:
    payload, _kind = await call.body()

    def work() -> Response:
        entity = _entity_body(call, payload, require_id=True)
        service.create_entity(call.session, call.tenant_id, entity, call.now)
        return call.empty(201, {"Location": location(entity["id"])})

    return await call.run(work)


@router.get(BASE + "/entities", summary="Query entities")
def query_entities(
    call: ReadCall,
    ids: IdParam = None,
    types: TypeParam = None,
    id_pattern: IdPatternParam = None,
    attrs: AttrsParam = None,
    pick: PickParam = None,
    omit: OmitParam = None,
    q: QParam = None,
    georel: GeoParam = None,
    geometry: GeoParam = None,
    coordinates: GeoParam = None,
    geoproperty: GeoParam = None,
    geometry_property: Annotated[str | None, Query(alias="geometryProperty")] = None,
    lang: LangParam = None,
    options: OptionsParam = None,
    fmt: FormatParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = None,
    count: bool = False,
) -> Response:
    media = call.accept(geo=True)
    ctx = call.ctx
    size, start = params.page(limit, offset, count)
    query = params.entity_query(
        ctx,
        ids=ids,
        types=types,
        id_pattern=id_pattern,
        attrs=attrs,
        q=q,
        georel=georel,
        geometry=geometry,
        coordinates=coordinates,
        geoproperty=geoproperty,
        limit=size,
        offset=start,
    )
    opts = params.parse_options(options, fmt)
    view = params.make_view(
        ctx,
        options=opts,
        attrs=attrs,
        pick=pick,
        omit=omit,
        lang=lang,
        geometry_property=geometry_property,
    )
    rows, total = search.find_entities(
        call.session, call.tenant_id, query, now=call.now, count=count
    )
    documents = [store.entity_document(r, sys_attrs=view.sys_attrs) for r in rows]
    headers = {RESULTS_COUNT: str(total)} if total is not None else {}
    if media == GEO_JSON:
        return call.respond(
            render.feature_collection(documents, view, ctx), media=media, headers=headers
        )
    body = [render.entity(d, view, ctx) for d in documents]
    return call.respond(body, media=media, headers=headers)


@router.get(ENTITY_PATH, summary="Retrieve entity")
def retrieve_entity(
    call: ReadCall,
    entityId: str,
    types: TypeParam = None,
    attrs: AttrsParam = None,
    pick: PickParam = None,
    omit: OmitParam = None,
    geometry_property: Annotated[str | None, Query(alias="geometryProperty")] = None,
    lang: LangParam = None,
    options: OptionsParam = None,
    fmt: FormatParam = None,
) -> Response:
    media = call.accept(geo=True)
    checked_id(entityId)
    view = params.make_view(
        call.ctx,
        options=params.parse_options(options, fmt),
        attrs=attrs,
        pick=pick,
        omit=omit,
        lang=lang,
        geometry_property=geometry_property,
    )
    selector = search.parse_types(types).map(call.ctx.stored_name) if types is not None else None
    row = store.get_entity(call.session, call.tenant_id, entityId)
    if selector is not None and not selector.accepts(row.types):
        raise ResourceNotFound(f"entity {entityId} is not of type {types}", instance=entityId)
    if attrs is not None and view.attrs is not None and view.attrs.isdisjoint(row.attrs):
        raise ResourceNotFound(f"entity {entityId} has none of the attributes {attrs}")
    document = store.entity_document(row, sys_attrs=view.sys_attrs)
    if media == GEO_JSON:
        return call.respond(render.feature(document, view, call.ctx), media=media)
    return call.respond(render.entity(document, view, call.ctx), media=media)


@router.put(ENTITY_PATH, status_code=204, summary="Replace entity", openapi_extra=body(FRAGMENT))
async def replace_entity(call: WriteCall, entityId: str) -> Response:
    payload, _kind = await call.body()

    def work() -> Response:
        entity = _entity_body(call, payload, require_id=False)
        service.replace_entity(call.session, call.tenant_id, checked_id(entityId), entity, call.now)
        return call.empty(204)

    return await call.run(work)


@router.patch(ENTITY_PATH, status_code=204, summary="Merge entity", openapi_extra=body(FRAGMENT))
async def merge_entity(call: WriteCall, entityId: str) -> Response:
    payload, _kind = await call.body()

    def work() -> Response:
        fragment = _fragment_body(call, payload)
        service.merge_entity(call.session, call.tenant_id, checked_id(entityId), fragment, call.now)
        return call.empty(204)

    return await call.run(work)


@router.delete(ENTITY_PATH, status_code=204, summary="Delete entity")
def delete_entity(call: WriteCall, entityId: str) -> Response:
    service.delete_entity(call.session, call.tenant_id, checked_id(entityId), call.now)
    return call.empty(204)


@router.post(
    ENTITY_PATH + "/attrs",
    status_code=204,
    summary="Append attributes",
    openapi_extra=body(FRAGMENT),
)
async def append_attributes(
    call: WriteCall,
    entityId: str,
    options: OptionsParam = None,
) -> Response:
    flags = params.parse_options(options).flags
    payload, _kind = await call.body()

    def work() -> Response:
        result = service.append_attributes(
            call.session,
            call.tenant_id,
            checked_id(entityId),
            _fragment_body(call, payload),
            call.now,
            no_overwrite="noOverwrite" in flags,
        )
        return _update_answer(call, result)

    return await call.run(work)


@router.patch(
    ENTITY_PATH + "/attrs",
    status_code=204,
    summary="Update attributes",
    openapi_extra=body(FRAGMENT),
)
async def update_attributes(call: WriteCall, entityId: str) -> Response:
    payload, _kind = await call.body()

    def work() -> Response:
        fragment = _fragment_body(call, payload)
        result = service.update_attributes(
            call.session, call.tenant_id, checked_id(entityId), fragment, call.now
        )
        return _update_answer(call, result)

    return await call.run(work)


@router.patch(
    ATTRIBUTE,
    status_code=204,
    summary="Partial attribute update",
    openapi_extra=body(ATTRIBUTE_BODY),
)
async def partial_attribute_update(
    call: WriteCall,
    entityId: str,
    attrId: str,
) -> Response:
    payload, _kind = await call.body()
    if not isinstance(payload, dict) or not {k for k in payload if k != "@context"}:
        raise BadRequestData("the body must be a JSON object with the members to change")

    def work() -> Response:
        name = checked_attribute(call, attrId)
        members = {k: v for k, v in payload.items() if k != "@context"}
        expanded = call.ctx.expand_entity({attrId: members})[name]
        service.partial_update_attribute(
            call.session, call.tenant_id, checked_id(entityId), name, expanded, call.now
        )
        return call.empty(204)

    return await call.run(work)


@router.put(
    ATTRIBUTE, status_code=204, summary="Replace attribute", openapi_extra=body(ATTRIBUTE_BODY)
)
async def replace_attribute(
    call: WriteCall,
    entityId: str,
    attrId: str,
) -> Response:
    payload, _kind = await call.body()
    if isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if k != "@context"}

    def work() -> Response:
        name = checked_attribute(call, attrId)
        attribute = normalize_attribute(attrId, payload, path=attrId)
        expanded = call.ctx.expand_entity({attrId: attribute})[name]
        service.replace_attribute(
            call.session, call.tenant_id, checked_id(entityId), name, expanded, call.now
        )
        return call.empty(204)

    return await call.run(work)


@router.delete(ATTRIBUTE, status_code=204, summary="Delete attribute")
def delete_attribute(
    call: WriteCall,
    entityId: str,
    attrId: str,
    dataset_id: Annotated[str | None, Query(alias="datasetId")] = None,
    delete_all: Annotated[bool, Query(alias="deleteAll")] = False,
) -> Response:
    if dataset_id is not None and not is_uri(dataset_id):
        raise BadRequestData(f"datasetId {dataset_id!r} is not a URI")
    service.delete_attribute(
        call.session,
        call.tenant_id,
        checked_id(entityId),
        checked_attribute(call, attrId),
        call.now,
        dataset_id=dataset_id,
        delete_all=delete_all,
    )
    return call.empty(204)
