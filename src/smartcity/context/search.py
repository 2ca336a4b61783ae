"""Finding entities (GET /entities, entityOperations/query): SQL narrows, the query tree decides.

Type, id and the `location` bounding box filter in SQL; `q`, `idPattern` and exact geo-relations
are evaluated on the remaining rows, which are read in primary-key order so that pages stay
stable at any offset.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from smartcity.context import store
from smartcity.context.errors import BadRequestData
from smartcity.context.models import ContextEntity, ContextEntityType
from smartcity.context.query import GeoQuery, GeoRel, QueryNode, evaluate

MAX_LIMIT = 1000
CHUNK = 500
METRES_PER_DEGREE_LAT = 110_574.0


@dataclass(frozen=True)
class TypeSelector:
    """A type expression in disjunctive normal form: any clause whose types all apply."""

    clauses: tuple[frozenset[str], ...]

    def names(self) -> set[str]:
        return set().union(*self.clauses)

    def accepts(self, types: list[str]) -> bool:
        have = set(types)
        return any(clause <= have for clause in self.clauses)

    def map(self, fn: Any) -> TypeSelector:
        return TypeSelector(tuple(frozenset(fn(t) for t in c) for c in self.clauses))


def parse_types(text: str) -> TypeSelector:
    """`A,B` or `A|B` (either), `A;B` (both), with parentheses (clause 4.17)."""
    tokens = re.findall(r"[(),;|]|[^(),;|]+", text.replace(" ", ""))
    position = 0

    def expression() -> list[frozenset[str]]:
        nonlocal position
        clauses = conjunction()
        while position < len(tokens) and tokens[position] in (",", "|"):
            position += 1
            clauses = clauses + conjunction()
        return clauses

    def conjunction() -> list[frozenset[str]]:
        nonlocal position
        clauses = atom()
        while position < len(tokens) and tokens[position] == ";":
            position += 1
            right = atom()
            clauses = [a | b for a in clauses for b in right]
        return clauses

    def atom() -> list[frozenset[str]]:
        nonlocal position
        if position >= len(tokens):
            raise BadRequestData(f"type {text!r} ends too early")
        token = tokens[position]
        position += 1
        if token == "(":
            inner = expression()
            if position >= len(tokens) or tokens[position] != ")":
                raise BadRequestData(f"type {text!r} has an unclosed parenthesis")
            position += 1
            return inner
        if token in "),;|":
            raise BadRequestData(f"type {text!r} has {token!r} where a type name belongs")
        return [frozenset([token])]

    clauses = expression()
    if position != len(tokens):
        raise BadRequestData(f"type {text!r} has something unexpected after position {position}")
    return TypeSelector(tuple(clauses))


@dataclass(frozen=True)
class EntityQuery:
    types: TypeSelector | None = None
    ids: tuple[str, ...] = ()
    id_pattern: re.Pattern[str] | None = None
    q: QueryNode | None = None
    geo: GeoQuery | None = None
    # Stored attribute names: only entities having at least one of them (the `attrs` parameter).
    attrs: frozenset[str] | None = None
    limit: int = 20
    offset: int = 0


def _narrowed(tenant_id: int, query: EntityQuery) -> Select[tuple[ContextEntity]]:
    stmt = select(ContextEntity).where(ContextEntity.tenant_id == tenant_id)
    if query.types is not None:
        typed = select(ContextEntityType.entity_pk).where(
            ContextEntityType.tenant_id == tenant_id,
            ContextEntityType.type.in_(sorted(query.types.names())),
        )
        stmt = stmt.where(ContextEntity.id.in_(typed))
    if query.ids:
        stmt = stmt.where(ContextEntity.entity_id.in_(query.ids))
    if query.geo is not None and query.geo.geoproperty == store.LOCATION:
        stmt = _within_box(stmt, query.geo)
    return stmt.order_by(ContextEntity.id)


def _within_box(stmt: Select[tuple[ContextEntity]], geo: GeoQuery) -> Select[tuple[ContextEntity]]:
    """Keep rows whose location box can satisfy the relation (never drops a true match)."""
    if geo.georel is GeoRel.DISJOINT or (geo.georel is GeoRel.NEAR and geo.max_distance is None):
        return stmt
    x0, y0, x1, y1 = geo.reference.bounds
    if geo.georel is GeoRel.NEAR:
        margin_lat = geo.max_distance / METRES_PER_DEGREE_LAT
        margin_lon = margin_lat / max(math.cos(math.radians(max(abs(y0), abs(y1)))), 0.01)
        x0, x1, y0, y1 = x0 - margin_lon, x1 + margin_lon, y0 - margin_lat, y1 + margin_lat
    return stmt.where(
        ContextEntity.min_lon <= x1,
        ContextEntity.max_lon >= x0,
        ContextEntity.min_lat <= y1,
        ContextEntity.max_lat >= y0,
    )


def _exact(query: EntityQuery) -> bool:
    return (
        query.q is None
        and query.id_pattern is None
        and query.geo is None
        and not query.attrs
        and (query.types is None or all(len(c) == 1 for c in query.types.clauses))
    )


def _matches(row: ContextEntity, query: EntityQuery, now: datetime) -> bool:
    if query.types is not None and not query.types.accepts(row.types):
        return False
    if query.id_pattern is not None and not query.id_pattern.search(row.entity_id):
        return False
    if query.attrs and query.attrs.isdisjoint(row.attrs):
        return False
    if query.q is None and query.geo is None:
        return True
    document = store.entity_document(row)
    if query.q is not None and not evaluate(query.q, document, now=now):
        return False
    return query.geo is None or query.geo.matches_entity(document, now=now)


def _scan(session: Session, stmt: Select[tuple[ContextEntity]]) -> Iterator[ContextEntity]:
    last = 0
    while True:
        rows = session.scalars(stmt.where(ContextEntity.id > last).limit(CHUNK)).all()
        yield from rows
        if len(rows) < CHUNK:
            return
        last = rows[-1].id


def find_entities(
    session: Session, tenant_id: int, query: EntityQuery, *, now: datetime, count: bool = False
) -> tuple[list[ContextEntity], int | None]:
    """One page of matching entities in a stable order, and the total when asked."""
    if not 0 <= query.limit <= MAX_LIMIT:
        raise BadRequestData(f"limit must be between 0 and {MAX_LIMIT}")
    if query.offset < 0:
        raise BadRequestData("offset must not be negative")
    stmt = _narrowed(tenant_id, query)
    if _exact(query):
        page = list(session.scalars(stmt.limit(query.limit).offset(query.offset)).all())
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) if count else None
        return page, total
    page, seen = [], 0
    for row in _scan(session, stmt):
        if not _matches(row, query, now):
            continue
        if query.offset <= seen < query.offset + query.limit:
            page.append(row)
        seen += 1
        if not count and seen >= query.offset + query.limit:
            break
    return page, seen if count else None
