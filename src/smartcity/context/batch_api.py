"""/ngsi-ld/v1/entityOperations: batch create, upsert, update, merge, delete and query."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from smartcity.context import batch, params, query_body, render, search, service, store
from smartcity.context.batch import BatchOutcome
from smartcity.context.edge import BASE, Call, ReadCall, WriteCall
from smartcity.context.entities_api import RESULTS_COUNT
from smartcity.context.errors import BadRequestData, NgsiLdError
from smartcity.context.http import GEO_JSON, JSON
from smartcity.context.normalize import is_uri, normalize_entity
from smartcity.context.openapi import ENTITIES, FRAGMENTS, IDS, QUERY, body
from smartcity.context.params import FormatParam, LimitParam, OffsetParam, OptionsParam

router = APIRouter(tags=["NGSI-LD"])
OPERATIONS = BASE + "/entityOperations"
MAX_BATCH = 10_000


async def _array(call: Call) -> tuple[list[Any], str]:
    payload, kind = await call.body()
    if not isinstance(payload, list) or not payload:
        raise BadRequestData("the body must be a non-empty JSON array")
    if len(payload) > MAX_BATCH:
        raise BadRequestData(f"a batch holds at most {MAX_BATCH} items")
    return payload, kind


def _entities(
    call: Call, body: tuple[list[Any], str], outcome: BatchOutcome, *, require_type: bool = True
) -> list[dict[str, Any]]:
    """The valid entities of the body in stored form; each invalid one becomes an error."""
    payload, kind = body
    valid = []
    for item in payload:
        entity_id = item.get("id") if isinstance(item, dict) else None
        try:
            if kind == JSON and isinstance(item, dict) and "@context" in item:
                raise BadRequestData("with application/json, send the @context in a Link header")
            ctx = call.entity_context(item, kind)
            entity = ctx.expand_entity(normalize_entity(item, require_type=require_type))
            if require_type:  # create and upsert store whole entities: no NGSI-LD Null in them
                service.refuse_nulls(entity)
            valid.append(entity)
        except NgsiLdError as exc:
            outcome.fail(entity_id, exc)
    return valid


def _merge(outcome: BatchOutcome, result: BatchOutcome) -> BatchOutcome:
    result.errors = [*outcome.errors, *result.errors]
    return result


def _answer(call: Call, outcome: BatchOutcome, *, created: bool) -> Response:
    if outcome.errors:
        return call.respond(outcome.body(), status=207)
    if created:
        return call.respond(outcome.created, status=201)
    return call.empty(204)


@router.post(OPERATIONS + "/create", summary="Batch entity creation", openapi_extra=body(ENTITIES))
async def batch_create(call: WriteCall) -> Response:
    body = await _array(call)

    def work() -> Response:
        invalid = BatchOutcome()
        entities = _entities(call, body, invalid)
        result = batch.create_many(call.session, call.tenant_id, entities, call.now)
        return _answer(call, _merge(invalid, result), created=True)

    return await call.run(work)


@router.post(
    OPERATIONS + "/upsert",
    summary="Batch entity create or update (upsert)",
    openapi_extra=body(ENTITIES),
)
async def batch_upsert(call: WriteCall, options: OptionsParam = None) -> Response:
    flags = params.parse_options(options).flags
    if {"replace", "update"} <= flags:
        raise BadRequestData("options may name replace or update, not both")
    body = await _array(call)

    def work() -> Response:
        invalid = BatchOutcome()
        entities = _entities(call, body, invalid)
        result = batch.upsert_many(
            call.session, call.tenant_id, entities, call.now, replace="update" not in flags
        )
        outcome = _merge(invalid, result)
        return _answer(call, outcome, created=bool(outcome.created))

    return await call.run(work)


@router.post(OPERATIONS + "/update", summary="Batch entity update", openapi_extra=body(FRAGMENTS))
async def batch_update(call: WriteCall, options: OptionsParam = None) -> Response:
    flags = params.parse_options(options).flags
    body = await _array(call)

    def work() -> Response:
        invalid = BatchOutcome()
        entities = _entities(call, body, invalid, require_type=False)
        result = batch.update_many(
            call.session, call.tenant_id, entities, call.now, no_overwrite="noOverwrite" in flags
        )
        return _answer(call, _merge(invalid, result), created=False)

    return await call.run(work)


@router.post(OPERATIONS + "/merge", summary="Batch entity merge", openapi_extra=body(FRAGMENTS))
async def batch_merge(call: WriteCall) -> Response:
    body = await _array(call)

    def work() -> Response:
        invalid = BatchOutcome()
        entities = _entities(call, body, invalid, require_type=False)
        result = batch.merge_many(call.session, call.tenant_id, entities, call.now)
        return _answer(call, _merge(invalid, result), created=False)

    return await call.run(work)


@router.post(OPERATIONS + "/delete", summary="Batch entity delete", openapi_extra=body(IDS))
async def batch_delete(call: WriteCall) -> Response:
    payload, _kind = await _array(call)
    invalid, ids = BatchOutcome(), []
    for item in payload:
        if is_uri(item):
            ids.append(item)
        else:
            invalid.fail(item, BadRequestData(f"{item!r} is not an entity id"))

    def work() -> Response:
        result = batch.delete_many(call.session, call.tenant_id, ids, call.now)
        return _answer(call, _merge(invalid, result), created=False)

    return await call.run(work)


@router.post(OPERATIONS + "/query", summary="Query entities (POST)", openapi_extra=body(QUERY))
async def batch_query(
    call: ReadCall,
    options: OptionsParam = None,
    fmt: FormatParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = None,
    count: bool = False,
) -> Response:
    payload, _kind = await call.body()
    media = call.accept(geo=True)
    if not isinstance(payload, dict) or payload.get("type") != "Query":
        raise BadRequestData('the body must be a Query object ("type": "Query")')
    return await call.run(_query, call, payload, media, options, fmt, limit, offset, count)


def _query(
    call: Call,
    payload: dict[str, Any],
    media: str,
    options: str | None,
    fmt: str | None,
    limit: int | None,
    offset: int | None,
    count: bool,
) -> Response:
    size, start = params.page(limit, offset, count)
    if "temporalQ" in payload:
        raise BadRequestData("temporalQ belongs to /temporal/entityOperations/query")
    level = payload.get("joinLevel")
    if level is not None and (isinstance(level, bool) or not isinstance(level, int) or level < 1):
        raise BadRequestData("joinLevel must be a positive integer")
    selectors = query_body.selectors(payload.get("entities"), require_type=True) or [{}]
    geo = query_body.geo_q(payload.get("geoQ"))
    attrs = query_body.joined(payload.get("attrs"), "attrs")
    ctx = call.ctx
    queries = [
        params.entity_query(
            ctx,
            ids=query_body.selector_ids(s),
            types=s.get("type"),
            id_pattern=None if "id" in s else s.get("idPattern"),  # id takes precedence
            attrs=attrs,
            q=query_body.text_member(payload.get("q"), "q"),
            **geo,
            scope_q=query_body.text_member(payload.get("scopeQ"), "scopeQ"),
            limit=size,
            offset=start,
            require_filter=payload.get("entities") is None,
        )
        for s in selectors
    ]
    view = params.make_view(
        ctx,
        options=params.parse_options(options, fmt),
        attrs=attrs,
        pick=query_body.joined(payload.get("pick"), "pick"),
        omit=query_body.joined(payload.get("omit"), "omit"),
        lang=query_body.text_member(payload.get("lang"), "lang"),
    )
    rows, total = _run(call, queries, size, start, count)
    documents = [store.entity_document(r, sys_attrs=view.sys_attrs) for r in rows]
    headers = {RESULTS_COUNT: str(total)} if total is not None else {}
    if media == GEO_JSON:
        body: Any = render.feature_collection(documents, view, ctx)
    else:
        body = render.entities(documents, view, ctx)
    return call.respond(body, media=media, headers=headers)


def _run(
    call: Call, queries: list[search.EntityQuery], size: int, start: int, count: bool
) -> tuple[list[Any], int | None]:
    if len(queries) == 1:
        return search.find_entities(
            call.session, call.tenant_id, queries[0], now=call.now, count=count
        )
    # Several selectors: their union, in the same stable (primary key) order.
    found: dict[int, Any] = {}
    for query in queries:
        everything = replace(query, limit=search.MAX_LIMIT, offset=0)
        while True:
            rows, _ = search.find_entities(call.session, call.tenant_id, everything, now=call.now)
            found.update((row.id, row) for row in rows)
            if len(rows) < search.MAX_LIMIT:
                break
            everything = replace(everything, offset=everything.offset + search.MAX_LIMIT)
    ordered = [found[pk] for pk in sorted(found)]
    return ordered[start : start + size], len(ordered) if count else None
