"""The SQL side of finding entities: which rows may match a query, and which SQL knows do.

``plan(backend, tenant_id, query)`` builds the candidate rows of an ``EntityQuery`` as
``(id, sure)`` in id order, keyed by its *structure* (the query with its values left out) so
that ``sql_run`` compiles each statement once and then only binds new values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    false,
    func,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from smartcity.context import store
from smartcity.context.models import ContextEntity, ContextEntityType
from smartcity.context.query.geo import GeoQuery, GeoRel
from smartcity.context.query.sql import given_up, shape, translation_for
from smartcity.context.query.sql_json import dialect_for
from smartcity.context.query.sql_terms import literal_pattern, text_matches
from smartcity.context.query.sql_verdict import Untranslatable, conj

if TYPE_CHECKING:
    from smartcity.context.search import EntityQuery, TypeSelector

METRES_PER_DEGREE_LAT = 110_574.0


@dataclass(frozen=True)
class Plan:
    """What SQL reads for a query: ``key`` names its structure, ``params`` holds its values and
    ``build()`` makes the statement (only needed the first time a structure is seen): the
    candidate rows, ``(id, sure)`` in id order, every row that may match and whether SQL knows
    it does."""

    key: Hashable
    params: dict[str, Any]
    build: Callable[[bool], Select[Any]]  # True: ENTITY_COLUMNS follow (id, sure)


def plan(backend: str, tenant_id: int, query: EntityQuery, *, extent: bool = False) -> Plan:
    """The plan of ``query``; ``extent`` when the tenant's widest and tallest location boxes can
    be read from an index (``EXTENT_INDEXES``), which bounds a box search on both sides."""
    params: dict[str, Any] = {"tenant": tenant_id}
    if query.types is not None and len(query.types.clauses) == 1:
        params["type_name"] = min(query.types.clauses[0])
    params |= {f"id{i}": value for i, value in enumerate(query.ids)}
    if query.geo is not None:
        params |= _box_values(query.geo)
    pattern = _literal_id_pattern(query.id_pattern) if query.id_pattern is not None else None
    decided = query.geo is None and (query.id_pattern is None or pattern is not None)
    decided = decided and query.scope is None  # scopeQ is read in Python
    attrs = tuple(sorted(query.attrs or ()))
    key: tuple[Any, ...] = (_scan_key(query), attrs, len(query.ids), query.id_pattern is not None)
    key += (pattern, decided, extent)
    if query.q is not None:
        shape_key, literals = shape(query.q)
        params |= {f"q{i}": item.value for i, item in enumerate(literals)}
        key += (shape_key, given_up(query.q, backend, ContextEntity.attrs))
    return Plan(
        key, params, lambda full: _candidates(backend, query, pattern, decided, extent, full)
    )


def _candidates(
    backend: str,
    query: EntityQuery,
    pattern: tuple[bool, str] | None,
    decided: bool,
    extent: bool,
    full: bool,
) -> Select[Any]:
    json = dialect_for(backend)
    columns = [c.label(f"e_{c.key}") for c in ENTITY_COLUMNS] if full else []
    stmt, order = _scan(backend, query, extent)
    if query.ids:
        wanted = [bindparam(f"id{i}") for i in range(len(query.ids))]
        stmt = stmt.where(ContextEntity.entity_id.in_(wanted))
    if query.attrs:
        root = json.root(ContextEntity.attrs)
        names = sorted(query.attrs)
        stmt = stmt.where(or_(*(json.present(json.child(root, n)) for n in names)))
    if pattern is not None:
        stmt = stmt.where(text_matches(backend, ContextEntity.entity_id, pattern))
    if query.q is None:
        sure = true() if decided else false()
        return stmt.add_columns(sure.label("sure"), *columns).order_by(order)
    translation, _ = translation_for(query.q, backend, ContextEntity.attrs)
    terms = [term.label(f"t{i}") for i, term in enumerate(translation.terms)]
    inner = stmt.add_columns(*terms, *columns).subquery("c")
    verdict = translation.verdict([inner.c[f"t{i}"] for i in range(len(terms))])
    sure = verdict.sure if decided else false()
    passed = [inner.c[c.name] for c in columns]
    candidates = select(inner.c.id, conj(true(), sure).label("sure"), *passed)
    return candidates.where(verdict.maybe).order_by(inner.c.id)


ENTITY_COLUMNS = [c for c in ContextEntity.__table__.columns if c.key != "id"]


def _single_type(query: EntityQuery) -> bool:
    clauses = query.types.clauses if query.types is not None else ()
    box = query.geo is not None and _narrows(query.geo)
    return len(clauses) == 1 and len(clauses[0]) == 1 and not box and not query.ids


def _scan_key(query: EntityQuery) -> Hashable:
    if _single_type(query):
        return "type"
    clauses = query.types.clauses if query.types is not None else ()
    box = query.geo is not None and _narrows(query.geo)
    return "scan", box, tuple(sorted(tuple(sorted(c)) for c in clauses)), bool(query.ids)


def _scan(backend: str, query: EntityQuery, extent: bool) -> tuple[Select[Any], Any]:
    """The rows to look at (selecting their id), and the column that orders them.

    Each access path keeps ``ORDER BY id LIMIT`` cheap: a single type is read through the type
    index (already in id order), a location box through the box index, and anything else in
    primary-key order, so a scan stops as soon as the page is full.
    """
    tenant = bindparam("tenant")
    if _single_type(query):
        order = ContextEntityType.entity_pk
        stmt = select(order.label("id")).join(ContextEntity, ContextEntity.id == order)
        stmt = stmt.where(ContextEntityType.tenant_id == tenant)
        return stmt.where(ContextEntityType.type == bindparam("type_name")), order
    box = _within_box(query.geo, extent) if query.geo is not None else []
    stmt = select(ContextEntity.id.label("id")).where(*box)
    if query.types is not None:
        stmt = stmt.where(_of_types(query.types))
    if backend == "sqlite" and not box and not query.ids:
        # SQLite would read the tenant index and sort; the table itself is in id order.
        return stmt.where(ContextEntity.tenant_id + 0 == tenant), ContextEntity.id
    return stmt.where(ContextEntity.tenant_id == tenant), ContextEntity.id


def _of_types(types: TypeSelector) -> ColumnElement[bool]:
    def has(name: str) -> ColumnElement[bool]:
        return exists().where(
            ContextEntityType.entity_pk == ContextEntity.id, ContextEntityType.type == name
        )

    return or_(*(and_(*(has(t) for t in sorted(clause))) for clause in types.clauses))


def _literal_id_pattern(pattern: re.Pattern[str]) -> tuple[bool, str] | None:
    if pattern.flags & ~re.UNICODE:
        return None
    found = literal_pattern(pattern.pattern)
    return None if found is None or "\x00" in found[1] else found


def _narrows(geo: GeoQuery) -> bool:
    if geo.geoproperty != store.LOCATION or geo.georel is GeoRel.DISJOINT:
        return False
    return geo.georel is not GeoRel.NEAR or geo.max_distance is not None


def _within_box(geo: GeoQuery, extent: bool) -> list[ColumnElement[bool]]:
    """Rows whose location box meets the box ``x0 … y1`` (never drops a true match). With the
    extent indexes, no box starts further west (south) than the widest (tallest) box reaches, so
    the box index is read between two bounds instead of from the tenant's first row."""
    if not _narrows(geo):
        return []
    x0, y0 = bindparam("x0"), bindparam("y0")
    meets = [
        ContextEntity.min_lon <= bindparam("x1"),
        ContextEntity.max_lon >= x0,
        ContextEntity.min_lat <= bindparam("y1"),
        ContextEntity.max_lat >= y0,
    ]
    if not extent:
        return meets
    reach = [
        _widest(ContextEntity.max_lon, ContextEntity.min_lon),
        _widest(ContextEntity.max_lat, ContextEntity.min_lat),
    ]
    return [*meets, ContextEntity.min_lon >= x0 - reach[0], ContextEntity.min_lat >= y0 - reach[1]]


def _widest(high: Any, low: Any) -> ColumnElement[Any]:
    table = ContextEntity.__table__.alias("extent")
    size = table.c[high.key] - table.c[low.key]
    return select(func.max(size)).where(table.c.tenant_id == bindparam("tenant")).scalar_subquery()


EXTENT_INDEXES = {
    "ix_ngsi_entities_tenant_width": "(tenant_id, (max_lon - min_lon))",
    "ix_ngsi_entities_tenant_height": "(tenant_id, (max_lat - min_lat))",
}
_extent_known: dict[str, bool] = {}


def forget_indexes() -> None:
    """Look the ``EXTENT_INDEXES`` up again (after creating them in a running process)."""
    _extent_known.clear()


def extent_indexed(session: Session) -> bool:
    """Whether this database has the ``EXTENT_INDEXES`` (looked up once per database)."""
    bind = session.get_bind()
    url = str(bind.engine.url)
    if url not in _extent_known:
        catalog = (
            "SELECT name FROM sqlite_master WHERE type = 'index'"
            if bind.dialect.name == "sqlite"
            else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        )
        names = set(session.execute(text(catalog)).scalars())
        _extent_known[url] = set(EXTENT_INDEXES) <= names
    return _extent_known[url]


def _box_values(geo: GeoQuery) -> dict[str, float]:
    if not _narrows(geo):
        return {}
    x0, y0, x1, y1 = geo.reference.bounds
    if geo.georel is GeoRel.NEAR:
        margin_lat = geo.max_distance / METRES_PER_DEGREE_LAT  # type: ignore[operator]
        margin_lon = margin_lat / max(math.cos(math.radians(max(abs(y0), abs(y1)))), 0.01)
        x0, x1, y0, y1 = x0 - margin_lon, x1 + margin_lon, y0 - margin_lat, y1 + margin_lat
    return {"x0": x0, "y0": y0, "x1": x1, "y1": y1}


__all__ = ["ENTITY_COLUMNS", "Plan", "Untranslatable", "plan"]
