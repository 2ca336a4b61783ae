"""Temporal reads end to end, without HTTP: choose the entities, read or aggregate their
instances, shape them. Answers cut at the instance limit say so (clause 6.3.10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from smartcity.context import store
from smartcity.context.errors import ResourceNotFound
from smartcity.context.jsonld import ActiveContext
from smartcity.context.models import ContextEntity
from smartcity.context.temporal import aggregate, history
from smartcity.context.temporal.params import AGGREGATED, TemporalQuery, format_datetime
from smartcity.context.temporal.represent import Names, Shape, entity_answer
from smartcity.context.temporal.select import Selection, few_candidates, select_entities


@dataclass
class Answer:
    body: Any
    total: int | None = None
    content_range: str | None = None  # set when the instances were cut (206 Partial Content)


def _shaped(
    session: Session,
    tenant_id: int,
    rows: list[ContextEntity],
    names: frozenset[str] | None,
    temporal: TemporalQuery,
    shape: Shape,
    ctx: ActiveContext,
    *,
    only_found: bool = False,
) -> tuple[list[dict[str, Any]], str | None]:
    """The rows in the representation asked for; with `only_found`, the rows without any
    instance in the window are left out (aggregation only)."""
    ids = [r.entity_id for r in rows]
    names_shown = Names(ctx)
    if temporal.representation == AGGREGATED:
        assert temporal.aggregation is not None
        result = aggregate.aggregate(
            session, tenant_id, ids, names, temporal.window, temporal.aggregation
        )
        shown = [r for r in rows if r.entity_id in result] if only_found else rows
        return [entity_answer(r, None, {}, result, shape, names_shown) for r in shown], None
    read = history.read(session, tenant_id, ids, names, temporal.window, last_n=temporal.last_n)
    body = [
        entity_answer(
            r, read.instances.get(r.entity_id, {}), read.recorded, None, shape, names_shown
        )
        for r in rows
    ]
    return body, _content_range(read, temporal)


def _content_range(read: history.History, temporal: TemporalQuery) -> str | None:
    """`date-time <start>-<end>/<size>`: from the query's bound (or the first instance given)
    towards the cut; newest first when lastN asks for the last instances."""
    if read.cut is None or read.first is None or read.last is None:
        return None
    window = temporal.window
    if temporal.last_n is not None:
        start: datetime = window.upper or read.last
        end, size = read.first, str(temporal.last_n)
    else:
        start, end, size = window.lower or read.first, read.last, "*"
    return f"date-time {format_datetime(start)}-{format_datetime(end)}/{size}"


def query_entities(
    session: Session,
    tenant_id: int,
    selection: Selection,
    temporal: TemporalQuery,
    shape: Shape,
    ctx: ActiveContext,
    *,
    now: datetime,
    count: bool = False,
) -> Answer:
    """GET /temporal/entities and POST /temporal/entityOperations/query."""
    if temporal.representation == AGGREGATED and not count:
        # Aggregation reads every candidate's instances once; entities without any drop out.
        candidates = few_candidates(session, tenant_id, selection, now=now)
        if candidates is not None:
            body, _ = _shaped(
                session,
                tenant_id,
                candidates,
                selection.names,
                temporal,
                shape,
                ctx,
                only_found=True,
            )
            return Answer(body)
    rows, total = select_entities(session, tenant_id, selection, now=now, count=count)
    body, content_range = _shaped(session, tenant_id, rows, selection.names, temporal, shape, ctx)
    return Answer(body, total, content_range)


def retrieve_entity(
    session: Session,
    tenant_id: int,
    entity_id: str,
    names: frozenset[str] | None,
    temporal: TemporalQuery,
    shape: Shape,
    ctx: ActiveContext,
) -> Answer:
    """GET /temporal/entities/{id}: 404 when the entity, or every attribute asked for, is
    unknown; an entity without instances in the window answers with its id and type."""
    row = store.get_entity(session, tenant_id, entity_id)
    if names and not history.has_attributes(session, tenant_id, entity_id, names):
        raise ResourceNotFound(f"entity {entity_id} has none of the attributes asked for")
    body, content_range = _shaped(session, tenant_id, [row], names, temporal, shape, ctx)
    if not body[0]:  # pick/omit left no member (clause 4.21)
        raise ResourceNotFound(f"no member of entity {entity_id} is left by pick and omit")
    return Answer(body[0], None, content_range)
