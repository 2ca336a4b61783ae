"""Reading temporal evolutions (clauses 6.18.3.1, 6.19.3.1, 6.24): retrieve one entity's, query
many by GET or POST, as full instances, simplified [value, time] pairs or aggregated periods."""

from __future__ import annotations

import re
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
        items = params.projection(value, what)
        if items is None:
            return None
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


def _checked_projection(attrs: str | None, pick: str | None, omit: str | None) -> None:
    """Clause 4.21 as for entities: no linked-entity projection, attrs excludes pick and omit,
    nothing both picked and omitted."""
    picked = params.projection(pick, "pick")
    left_out = params.projection(omit, "omit") or []
    if attrs is not None and (picked is not None or omit is not None):
        raise BadRequestData("attrs cannot be combined with pick or omit")
    if picked is not None and not set(picked).isdisjoint(left_out):
        raise BadRequestData("a member cannot be both in pick and in omit")


_SYSTEM_ATTRIBUTES = frozenset({"createdAt", "modifiedAt", "deletedAt", "observedAt"})
_QUOTED = re.compile(r'"[^"]*"')


def _checked_filters(*, selected: bool, attrs: str | None, q: str | None, geo: str | None) -> None:
    """Clause 5.7.4.4: Linked Entity filters (`owner{name}`) need join, which is not offered,
    and attrs naming only system attributes do not narrow a query that has no other filter."""
    if q is not None and "{" in _QUOTED.sub("", q):
        raise BadRequestData("q: linked-entity filters ({…}) need join, which is not offered")
    names = params.split(attrs, "attrs") if attrs else []
    if names and set(names) <= _SYSTEM_ATTRIBUTES and not (selected or q or geo):
        raise BadRequestData("attrs naming only system attributes is too wide a query")


def _picked_attributes(pick: str | None) -> str | None:
    """The attributes `pick` names (not the members id and type), as an `attrs` value."""
    names = [n for n in params.projection(pick, "pick") or [] if n not in ("id", "type")]
    return ",".join(names) or None


def _names(call: Call, attrs: str | None, pick: str | None) -> frozenset[str] | None:
    """The attributes to read: `attrs`, or the attributes `pick` names."""
    if attrs is not None:
        chosen = params.split(attrs, "attrs")
    else:
        chosen = params.projection(pick, "pick") or []
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
    _checked_projection(attrs, pick, omit)
    _checked_filters(selected=bool(ids or types or id_pattern), attrs=attrs, q=q, geo=georel)
    size, start = params.page(limit, offset, count)
    names = _names(call, attrs, pick)
    entity_query = params.entity_query(
        call.ctx,
        ids=ids,
        types=types,
        id_pattern=id_pattern,
        attrs=attrs if attrs is not None else _picked_attributes(pick),
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
    _checked_projection(attrs, pick, omit)
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
    pick = query_body.joined(body.get("pick"), "pick")
    omit = query_body.joined(body.get("omit"), "omit")
    _checked_projection(attrs, pick, omit)
    shape = _shape(
        call,
        temporal,
        pick=pick,
        omit=omit,
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
