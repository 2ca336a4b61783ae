"""Choosing the entities of a temporal query (clause 5.7.4.4): type, id and idPattern narrow as
for GET /entities (`search.find_entities`); then an entity qualifies only if it has instances in
the time window (of the `attrs` asked for, when given), and `q` and the geo-query are judged on
those windowed instances: a term holds when some instance in the window satisfies it.

An attribute that is not observed over time (its current value carries no observedAt, e.g. a
brand name) has no windowed instances; `q` then judges it by its current value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from smartcity.context import search
from smartcity.context.models import ContextEntity
from smartcity.context.query import evaluate, iter_paths
from smartcity.context.search import EntityQuery
from smartcity.context.temporal import history
from smartcity.context.temporal.params import Window

CHUNK = search.MAX_LIMIT


@dataclass(frozen=True)
class Selection:
    """Which entities a temporal query asks for (selectors are alternatives)."""

    queries: tuple[EntityQuery, ...]
    names: frozenset[str] | None  # stored `attrs`
    window: Window
    limit: int
    offset: int


def _candidates(
    session: Session, tenant_id: int, queries: tuple[EntityQuery, ...], now: datetime
) -> Iterator[list[ContextEntity]]:
    """Entities matching the selectors' type/id/idPattern, in primary key order, by chunks."""
    bases = [replace(q, q=None, geo=None, attrs=None, limit=CHUNK, offset=0) for q in queries]
    if len(bases) == 1:
        base = bases[0]
        while True:
            rows, _ = search.find_entities(session, tenant_id, base, now=now)
            if rows:
                yield rows
            if len(rows) < CHUNK:
                return
            base = replace(base, offset=base.offset + CHUNK)
    found: dict[int, ContextEntity] = {}
    for base in bases:
        while True:
            rows, _ = search.find_entities(session, tenant_id, base, now=now)
            found.update((row.id, row) for row in rows)
            if len(rows) < CHUNK:
                break
            base = replace(base, offset=base.offset + CHUNK)
    ordered = [found[pk] for pk in sorted(found)]
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _judged_names(query: EntityQuery) -> set[str]:
    names = {path.attribute for path in iter_paths(query.q)} if query.q is not None else set()
    if query.geo is not None:
        names.add(query.geo.geoproperty)
    return names


def _documents(
    session: Session, tenant_id: int, rows: list[ContextEntity], names: set[str], window: Window
) -> dict[str, dict[str, Any]]:
    """Per entity, the windowed instances of `names` (static attributes by their current value)."""
    windowed = history.read(
        session, tenant_id, [r.entity_id for r in rows], names, window, limit=10**9
    ).instances
    documents = {}
    for row in rows:
        found = windowed.get(row.entity_id, {})
        document: dict[str, Any] = {"id": row.entity_id, "type": list(row.types), **found}
        for name in names - set(found):
            current = row.attrs.get(name)
            instances = current if isinstance(current, list) else [current]
            static = [i for i in instances if isinstance(i, dict) and "observedAt" not in i]
            if static:
                document[name] = static
        documents[row.entity_id] = document
    return documents


def _qualified(
    session: Session, tenant_id: int, rows: list[ContextEntity], selection: Selection, now: datetime
) -> list[ContextEntity]:
    ids = [r.entity_id for r in rows]
    having = history.entities_with_instances(
        session, tenant_id, ids, selection.names, selection.window
    )
    rows = [r for r in rows if r.entity_id in having]
    query = selection.queries[0]  # every selector carries the same q and geo-query
    if (query.q is None and query.geo is None) or not rows:
        return rows
    documents = _documents(session, tenant_id, rows, _judged_names(query), selection.window)
    return [r for r in rows if _holds(query, documents[r.entity_id], now)]


def _holds(query: EntityQuery, document: dict[str, Any], now: datetime) -> bool:
    if query.q is not None and not evaluate(query.q, document, now=now):
        return False
    return query.geo is None or query.geo.matches_entity(document, now=now)


def select_entities(
    session: Session, tenant_id: int, selection: Selection, *, now: datetime, count: bool = False
) -> tuple[list[ContextEntity], int | None]:
    """One page of qualifying entities in a stable order, and their number when asked."""
    page: list[ContextEntity] = []
    seen = 0
    end = selection.offset + selection.limit
    for chunk in _candidates(session, tenant_id, selection.queries, now):
        for row in _qualified(session, tenant_id, chunk, selection, now):
            if selection.offset <= seen < end:
                page.append(row)
            seen += 1
        if not count and seen >= end:
            break
    return page, seen if count else None


def few_candidates(
    session: Session, tenant_id: int, selection: Selection, *, now: datetime
) -> list[ContextEntity] | None:
    """Every candidate, when they all fit on the first page and only instances decide who
    qualifies (no q, no geo-query): then the caller's own read of the instances tells, and the
    separate check can be skipped. None otherwise."""
    query = selection.queries[0]
    if selection.offset or query.q is not None or query.geo is not None:
        return None
    if selection.window.timeproperty != "observedAt":
        return None
    chunks = _candidates(session, tenant_id, selection.queries, now)
    first = next(chunks, [])
    if len(first) > selection.limit or len(first) == CHUNK:
        return None
    return first
