"""Reading temporal evolutions (clauses 6.18.3.1, 6.19.3.1, 6.24): retrieve one entity's, query
many by GET or POST, as full instances, simplified [value, time] pairs or aggregated periods."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from smartcity.context import params, query_body
from smartcity.context.edge import BASE, Call, ReadCall
from smartcity.context.errors import BadRequestData
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
from smartcity.context.temporal import params as tparams
from smartcity.context.temporal import payload, query
from smartcity.context.temporal.represent import Shape
from smartcity.context.temporal.select import Selection

router = APIRouter(tags=["NGSI-LD temporal"])
ENTITIES = BASE + "/temporal/entities"
ENTITY = ENTITIES + "/{entityId}"
RESULTS_COUNT = "NGSILD-Results-Count"
Text = Annotated[str | None, Query()]
TimeAtParam = Annotated[str | None, Query(alias="timeAt")]
EndTimeAtParam = Annotated[str | None, Query(alias="endTimeAt")]
LastNParam = Annotated[str | None, Query(alias="lastN")]
AggrMethodsParam = Annotated[str | None, Query(alias="aggrMethods")]
AggrPeriodParam = Annotated[str | None, Query(alias="aggrPeriodDuration")]
DatasetIdParam = Annotated[str | None, Query(alias="datasetId")]


def _shape(
    call: Call,
    temporal: tparams.TemporalQuery,
    *,
    pick: str | None = None,
    omit: str | None = None,
    lang: str | None = None,
    dataset_ids: str | None = None,
) -> Shape:
    ctx = call.ctx

    def stored(value: str | None, what: str) -> frozenset[str] | None:
        if value is None:
            return None
        items = params.split(value, what)
        return frozenset(i if i in ("id", "type") else ctx.stored_name(i) for i in items)

    datasets = None
    if dataset_ids is not None:
        datasets = frozenset(
            None if d == "@none" else d for d in params.split(dataset_ids, "datasetId")
        )
    return Shape(
        representation=temporal.representation,
        timeproperty=temporal.window.timeproperty,
        sys_attrs=temporal.sys_attrs,
        lang=params.parse_lang(lang),
        pick=stored(pick, "pick"),
        omit=stored(omit, "omit") or frozenset(),
        datasets=datasets,
    )


def _answer(call: Call, answer: query.Answer, media: str) -> Response:
    headers = {RESULTS_COUNT: str(answer.total)} if answer.total is not None else {}
    if answer.content_range is not None:
        headers["Content-Range"] = answer.content_range
    status = 206 if answer.content_range is not None else 200
    return call.respond(answer.body, media=media, status=status, headers=headers)


def _names(call: Call, attrs: str | None, pick: str | None) -> frozenset[str] | None:
    """The attributes to read: `attrs`, or the attributes `pick` names."""
    if attrs is not None and pick is not None:
        raise BadRequestData("use either attrs or pick, not both")
    chosen = params.split(attrs if attrs is not None else pick, "attrs")
    names = [call.ctx.stored_name(n) for n in chosen if n not in ("id", "type")]
    if pick is not None and not names:
        return None
    return frozenset(names) if chosen else None


@router.get(ENTITIES, summary="Query temporal evolution of entities")
def query_temporal_entities(
    call: ReadCall,
    ids: IdParam = None,
    types: TypeParam = None,
    id_pattern: IdPatternParam = None,
    attrs: AttrsParam = None,
    pick: PickParam = None,
    omit: OmitParam = None,
    q: QParam = None,
    georel: Text = None,
    geometry: Text = None,
    coordinates: Text = None,
    geoproperty: Text = None,
    timerel: Text = None,
    time_at: TimeAtParam = None,
    end_time_at: EndTimeAtParam = None,
    timeproperty: Text = None,
    last_n: LastNParam = None,
    aggr_methods: AggrMethodsParam = None,
    aggr_period: AggrPeriodParam = None,
    dataset_id: DatasetIdParam = None,
    lang: LangParam = None,
    options: OptionsParam = None,
    fmt: FormatParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = None,
    count: bool = False,
) -> Response:
    media = call.accept()
    size, start = params.page(limit, offset, count)
    names = _names(call, attrs, pick)
    entity_query = params.entity_query(
        call.ctx,
        ids=ids,
        types=types,
        id_pattern=id_pattern,
        attrs=attrs or pick,
        q=q,
        georel=georel,
        geometry=geometry,
        coordinates=coordinates,
        geoproperty=geoproperty,
        limit=size,
        offset=start,
    )
    temporal = tparams.temporal_query(
        timerel=timerel,
        time_at=time_at,
        end_time_at=end_time_at,
        timeproperty=timeproperty,
        last_n=last_n,
        options=options,
        fmt=fmt,
        aggr_methods=aggr_methods,
        aggr_period=aggr_period,
    )
    shape = _shape(call, temporal, pick=pick, omit=omit, lang=lang, dataset_ids=dataset_id)
    selection = Selection((entity_query,), names, temporal.window, size, start)
    answer = query.query_entities(
        call.session,
        call.tenant_id,
        selection,
        temporal,
        shape,
        call.ctx,
        now=call.now,
        count=count,
    )
    return _answer(call, answer, media)


@router.get(ENTITY, summary="Retrieve temporal evolution of an entity")
def retrieve_temporal_entity(
    call: ReadCall,
    entityId: str,
    attrs: AttrsParam = None,
    pick: PickParam = None,
    omit: OmitParam = None,
    timerel: Text = None,
    time_at: TimeAtParam = None,
    end_time_at: EndTimeAtParam = None,
    timeproperty: Text = None,
    last_n: LastNParam = None,
    aggr_methods: AggrMethodsParam = None,
    aggr_period: AggrPeriodParam = None,
    dataset_id: DatasetIdParam = None,
    lang: LangParam = None,
    options: OptionsParam = None,
    fmt: FormatParam = None,
) -> Response:
    media = call.accept()
    payload.checked_uri(entityId, "entity id")
    temporal = tparams.temporal_query(
        timerel=timerel,
        time_at=time_at,
        end_time_at=end_time_at,
        timeproperty=timeproperty,
        last_n=last_n,
        options=options,
        fmt=fmt,
        aggr_methods=aggr_methods,
        aggr_period=aggr_period,
    )
    shape = _shape(call, temporal, pick=pick, omit=omit, lang=lang, dataset_ids=dataset_id)
    names = _names(call, attrs, pick)
    answer = query.retrieve_entity(
        call.session, call.tenant_id, entityId, names, temporal, shape, call.ctx
    )
    return _answer(call, answer, media)


@router.post(BASE + "/temporal/entityOperations/query", summary="Query temporal evolution (POST)")
async def query_temporal_entities_post(
    call: ReadCall,
    options: OptionsParam = None,
    fmt: FormatParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = None,
    count: bool = False,
) -> Response:
    body, _kind = await call.body()
    media = call.accept()
    if not isinstance(body, dict) or body.get("type") != "Query":
        raise BadRequestData('the body must be a Query object ("type": "Query")')
    size, start = params.page(limit, offset, count)
    selectors = query_body.selectors(body.get("entities"))
    attrs = query_body.joined(body.get("attrs"), "attrs")
    q = query_body.text_member(body.get("q"), "q")
    geo = query_body.geo_q(body.get("geoQ"))
    if not (selectors or attrs or q or geo):
        raise BadRequestData("give at least one of entities, attrs, q or geoQ")
    queries = tuple(
        params.entity_query(
            call.ctx,
            ids=[s["id"]] if "id" in s else None,
            types=s.get("type"),
            id_pattern=s.get("idPattern"),
            attrs=attrs,
            q=q,
            **geo,
            limit=size,
            offset=start,
            require_filter=False,
        )
        for s in selectors or [{}]
    )
    temporal = tparams.from_body(body, options, fmt)
    shape = _shape(
        call,
        temporal,
        pick=query_body.joined(body.get("pick"), "pick"),
        omit=query_body.joined(body.get("omit"), "omit"),
        lang=query_body.text_member(body.get("lang"), "lang"),
    )
    names = _names(call, attrs, None)
    selection = Selection(queries, names, temporal.window, size, start)
    answer = query.query_entities(
        call.session,
        call.tenant_id,
        selection,
        temporal,
        shape,
        call.ctx,
        now=call.now,
        count=count,
    )
    return _answer(call, answer, media)
