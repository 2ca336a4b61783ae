"""/ngsi-ld/v1/entities: entity and attribute operations (clauses 6.4–6.7) and the entity query."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from smartcity.context import params, purge, render, search, service, store
from smartcity.context.edge import BASE, Call, ReadCall, WriteCall
from smartcity.context.errors import BadRequestData, ResourceNotFound
from smartcity.context.http import GEO_JSON
from smartcity.context.normalize import (
    ENTITY_MEMBERS,
    is_uri,
    normalize_attribute,
    normalize_entity,
    valid_name,
)
from smartcity.context.openapi import ATTRIBUTE as ATTRIBUTE_BODY
from smartcity.context.openapi import ENTITY, FRAGMENT, body
from smartcity.context.paging import page_links
from smartcity.context.params import (
    AttrsParam,
    DatasetIdParam,
    FormatParam,
    IdParam,
    IdPatternParam,
    JoinLevelParam,
    JoinParam,
    LangParam,
    LimitParam,
    LocalParam,
    OffsetParam,
    OmitParam,
    OptionsParam,
    PickParam,
    QParam,
    ScopeQParam,
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
    if not valid_name(name) or name.startswith("@"):
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


def _selector(call: Call, types: str | None) -> search.TypeSelector | None:
    """The `type` parameter of an entity operation: the entity must be of these types."""
    return search.parse_types(types).map(call.ctx.stored_name) if types is not None else None


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
    local: LocalParam = None,
    dataset_id: DatasetIdParam = None,
    scope_q: ScopeQParam = None,
    join: JoinParam = None,
    join_level: JoinLevelParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = None,
    count: bool = False,
) -> Response:
    media = call.accept(geo=True)
    if geometry_property is not None and media != GEO_JSON:
        raise BadRequestData("geometryProperty needs Accept: application/geo+json")
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
        local=local,
        scope_q=scope_q,
        limit=size,
        offset=start,
    )
    opts = params.parse_options(options, fmt)
    joining, depth = params.parse_join(join, join_level)
    view = params.make_view(
        ctx,
        options=opts,
        attrs=attrs,
        pick=pick,
        omit=omit,
        lang=lang,
        geometry_property=geometry_property,
        dataset_id=dataset_id,
    )
    rows, total = search.find_entities(
        call.session, call.tenant_id, query, now=call.now, count=count
    )
    documents = [store.entity_document(r, sys_attrs=view.sys_attrs) for r in rows]
    headers = {RESULTS_COUNT: str(total)} if total is not None else {}
    links = page_links(
        call.request, size=size, start=start, returned=len(rows), total=total, media=media
    )
    if media == GEO_JSON:
        body = render.feature_collection(documents, view, ctx)
        return call.respond(body, media=media, headers=headers, links=links)
    if joining is None:
        body = render.entities(documents, view, ctx)
        return call.respond(body, media=media, headers=headers, links=links)
    shown = [(d, render.entity(d, view, ctx)) for d in documents]
    shown = [(d, b) for d, b in shown if not render.empty(b)]
    body = _joined(call, [d for d, _ in shown], [b for _, b in shown], view, joining, depth)
    return call.respond(body, media=media, headers=headers, links=links)


@router.delete(BASE + "/entities", status_code=204, summary="Purge entities")
def purge_entities(
    call: WriteCall,
    ids: IdParam = None,
    types: TypeParam = None,
    id_pattern: IdPatternParam = None,
    q: QParam = None,
    scope_q: ScopeQParam = None,
    keep: Annotated[str | None, Query()] = None,
    drop: Annotated[str | None, Query()] = None,
) -> Response:
    """Delete the entities a query matches, or `drop` attributes from them, or `keep` only some
    (clause 5.6.21 of v1.9). Without a filter nothing is purged: 400, not every entity."""
    if keep is not None and drop is not None:
        raise BadRequestData("give keep or drop, not both")
    if not (ids or types or id_pattern or q or scope_q):
        raise BadRequestData("give at least one of id, type, idPattern, q or scopeQ to purge")
    ctx = call.ctx
    query = params.entity_query(
        ctx,
        ids=ids,
        types=None if types is not None and types.strip() == "*" else types,
        id_pattern=id_pattern,
        q=q,
        scope_q=scope_q,
        require_filter=False,
    )
    purge.purge(
        call.session,
        call.tenant_id,
        query,
        call.now,
        keep=params.names(ctx, keep, "keep"),
        drop=params.names(ctx, drop, "drop"),
    )
    return call.empty(204)


@router.api_route(BASE + "/entities", methods=["PUT", "PATCH"], include_in_schema=False)
@router.api_route(BASE + "/entities//attrs", methods=["POST", "PATCH"], include_in_schema=False)
@router.api_route(
    BASE + "/entities//attrs/{attrId}",
    methods=["PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def no_entity_id(call: ReadCall) -> Response:
    """An entity operation whose path leaves out the entity id (clause 6.5–6.7)."""
    raise BadRequestData("the entity id is missing from the path")


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
    dataset_id: DatasetIdParam = None,
    join: JoinParam = None,
    join_level: JoinLevelParam = None,
) -> Response:
    media = call.accept(geo=True)
    if geometry_property is not None and media != GEO_JSON:
        raise BadRequestData("geometryProperty needs Accept: application/geo+json")
    checked_id(entityId)
    joining, depth = params.parse_join(join, join_level)
    view = params.make_view(
        call.ctx,
        options=params.parse_options(options, fmt),
        attrs=attrs,
        pick=pick,
        omit=omit,
        lang=lang,
        geometry_property=geometry_property,
        dataset_id=dataset_id,
    )
    selector = _selector(call, types)
    row = store.get_entity(call.session, call.tenant_id, entityId)
    if selector is not None and not selector.accepts(row.types):
        raise ResourceNotFound(f"entity {entityId} is not of type {types}", instance=entityId)
    if attrs is not None and view.attrs is not None and view.attrs.isdisjoint(row.attrs):
        raise ResourceNotFound(f"entity {entityId} has none of the attributes {attrs}")
    document = store.entity_document(row, sys_attrs=view.sys_attrs)
    shown = (render.feature if media == GEO_JSON else render.entity)(document, view, call.ctx)
    if render.empty(shown):
        raise ResourceNotFound(f"the projection leaves nothing of entity {entityId}")
    if joining is not None and media != GEO_JSON:
        joined = _joined(call, [document], [shown], view, joining, depth)
        return call.respond(joined if joining == "flat" else joined[0], media=media)
    return call.respond(shown, media=media)


def _joined(
    call: Call,
    documents: list[dict[str, Any]],
    bodies: list[dict[str, Any]],
    view: params.View,
    join: str,
    depth: int,
) -> list[Any]:
    """Entities with the entities their relationships name, `depth` links deep (clause 4.5.23):
    `flat` lists those after them, `inline` puts each into the relationship naming it."""
    whole = replace(view, attrs=None, pick_members=None, omit=frozenset(), datasets=None)
    if join == "flat":
        out, seen = list(bodies), {d["id"] for d in documents}
        frontier = [(d, view) for d in documents]
        for _ in range(depth):
            found = []
            for document, shown_as in frontier:
                for target in render.relationship_targets(render.project(document, shown_as)):
                    linked = None if target in seen else _linked(call, target, view.sys_attrs)
                    seen.add(target)
                    if linked is not None:
                        out.append(render.entity(linked, whole, call.ctx))
                        found.append((linked, whole))
            frontier = found
        return out
    return [
        _inlined(call, d, b, view, whole, depth, {d["id"]})
        for d, b in zip(documents, bodies, strict=True)
    ]


def _inlined(
    call: Call,
    document: dict[str, Any],
    body: dict[str, Any],
    view: params.View,
    whole: params.View,
    depth: int,
    seen: set[str],
) -> dict[str, Any]:
    projected = render.project(document, view)
    linked: dict[str, Any] = {}
    for target in render.relationship_targets(projected):
        found = None if target in seen else _linked(call, target, view.sys_attrs)
        if found is not None:
            shown = render.entity(found, whole, call.ctx)
            if depth > 1:
                shown = _inlined(call, found, shown, whole, whole, depth - 1, seen | {target})
            linked[target] = shown
    return render.inline(body, projected, linked, view, call.ctx)


def _linked(call: Call, entity_id: str, sys_attrs: bool) -> dict[str, Any] | None:
    """A linked entity's stored document, if it exists here."""
    try:
        row = store.get_entity(call.session, call.tenant_id, entity_id)
    except ResourceNotFound:
        return None
    return store.entity_document(row, sys_attrs=sys_attrs)


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
    types: TypeParam = None,
) -> Response:
    flags = params.parse_options(options).flags
    selector = _selector(call, types)
    payload, _kind = await call.body()

    def work() -> Response:
        result = service.append_attributes(
            call.session,
            call.tenant_id,
            checked_id(entityId),
            _fragment_body(call, payload),
            call.now,
            no_overwrite="noOverwrite" in flags,
            types=selector,
        )
        return _update_answer(call, result)

    return await call.run(work)


@router.patch(
    ENTITY_PATH + "/attrs",
    status_code=204,
    summary="Update attributes",
    openapi_extra=body(FRAGMENT),
)
async def update_attributes(call: WriteCall, entityId: str, types: TypeParam = None) -> Response:
    selector = _selector(call, types)
    payload, _kind = await call.body()

    def work() -> Response:
        fragment = _fragment_body(call, payload)
        result = service.update_attributes(
            call.session, call.tenant_id, checked_id(entityId), fragment, call.now, types=selector
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
        if attrId in ENTITY_MEMBERS:
            raise BadRequestData(f"{attrId} is a member of the entity, not an attribute")
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
