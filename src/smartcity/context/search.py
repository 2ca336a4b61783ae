"""Finding entities (GET /entities, entityOperations/query): SQL decides what it can.

Types, ids, ``attrs``, literal ``idPattern``s and most of ``q`` are translated into SQL
(``query/sql.py``); each row is then known to match, known not to, or left *undecided* (a value
shape or literal SQL cannot read as the evaluator does, ``georel`` beyond its bounding box). Pages
are read in primary-key order; undecided rows are evaluated in Python as the scan meets them, so
pages stay stable and complete at any offset, and a query SQL fully decides costs one
``ORDER BY id LIMIT`` query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select, text
from sqlalchemy.orm import Session

from smartcity.context import store
from smartcity.context.errors import BadRequestData
from smartcity.context.models import ContextEntity
from smartcity.context.query import GeoQuery, QueryNode, evaluate, sql_plan, sql_run
from smartcity.context.query.sql import give_up
from smartcity.context.query.sql_plan import Plan
from smartcity.context.query.sql_run import EntityRow

MAX_LIMIT = 1000
# What a query answers: rows read by its statement, or ORM entities Python had to load.
Found = EntityRow | ContextEntity
CHUNK = 500
_PG_SETTINGS = (
    "SELECT set_config('jit', 'off', true), "
    "set_config('plan_cache_mode', 'force_generic_plan', true)"
)


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


_SCOPE_PATTERN = re.compile(r"^/(?:#|(?:[^/\s#+]+|\+)(?:/(?:[^/\s#+]+|\+))*(?:/#)?)$")


def parse_scope_q(text: str) -> TypeSelector:
    """`scopeQ` (clause 4.19): scopes joined by `,`/`|` (either) and `;` (both), with
    parentheses; `+` stands for one level, a final `#` for any number of them."""
    selector = parse_types(text)
    bad = next((p for p in sorted(selector.names()) if not _SCOPE_PATTERN.match(p)), None)
    if bad is not None:
        raise BadRequestData(f"scopeQ: {bad!r} is not a scope like /Madrid/+/Parks or /Madrid/#")
    return selector


@cache
def _scope_regex(pattern: str) -> re.Pattern[str]:
    levels = pattern[1:].split("/")
    tail = "(?:/[^/]+)*" if levels[-1] == "#" else ""
    if tail:
        levels = levels[:-1]
    body = "".join("/[^/]+" if level == "+" else "/" + re.escape(level) for level in levels)
    if not levels and tail:  # `/#`: any scope at all
        return re.compile("/[^/]+(?:/[^/]+)*")
    return re.compile(body + tail)


def scopes_match(selector: TypeSelector, scopes: list[str] | None) -> bool:
    """Whether an entity's scopes satisfy a scopeQ: every pattern of some clause meets a scope."""
    have = scopes or []
    return any(
        all(any(_scope_regex(p).fullmatch(s) for s in have) for p in clause)
        for clause in selector.clauses
    )


@dataclass(frozen=True)
class EntityQuery:
    types: TypeSelector | None = None
    ids: tuple[str, ...] = ()
    id_pattern: re.Pattern[str] | None = None
    q: QueryNode | None = None
    geo: GeoQuery | None = None
    # Stored attribute names: only entities having at least one of them (the `attrs` parameter).
    attrs: frozenset[str] | None = None
    scope: TypeSelector | None = None  # `scopeQ`, checked in Python
    limit: int = 20
    offset: int = 0


def _matches(row: Found, query: EntityQuery, now: datetime) -> bool:
    if query.types is not None and not query.types.accepts(row.types):
        return False
    if query.id_pattern is not None and not query.id_pattern.search(row.entity_id):
        return False
    if query.attrs and query.attrs.isdisjoint(row.attrs):
        return False
    if query.scope is not None and not scopes_match(query.scope, row.scope):
        return False
    if query.q is None and query.geo is None:
        return True
    document = store.entity_document(row)
    if query.q is not None and not evaluate(query.q, document, now=now):
        return False
    return query.geo is None or query.geo.matches_entity(document, now=now)


def _matching(
    session: Session,
    plan: Plan,
    query: EntityQuery,
    now: datetime,
    want: int | None,
    *,
    after: int = 0,
    full: bool = True,
    undecided_only: bool = False,
) -> Iterator[tuple[int, Found | None]]:
    """Matching ids after ``after`` in id order, ``want`` at most, with their entity (``full``, or
    when Python had to read it)."""

    def chunk() -> Select[Any]:
        candidates = plan.build(full)
        id_, sure = candidates.selected_columns[:2]
        if undecided_only:
            candidates = candidates.where(~sure)
        return candidates.where(id_ > bindparam("last")).limit(bindparam("size"))

    key = (plan.key, "chunk", full, undecided_only)
    dialect = session.get_bind().dialect
    last, found = after, 0
    while want is None or found < want:
        size = CHUNK if want is None else want - found
        rows = sql_run.run(session, key, chunk, plan.params | {"last": last, "size": size})
        loaded = {}
        if full:
            loaded = {row[0]: sql_run.entity_of(row, dialect) for row in rows}
        elif undecided := [row[0] for row in rows if not row[1]]:
            stmt = select(ContextEntity).where(ContextEntity.id.in_(undecided))
            loaded = {entity.id: entity for entity in session.scalars(stmt)}
        for pk, sure, *_ in rows:
            entity = loaded.get(pk)
            if sure or (entity is not None and _matches(entity, query, now)):
                yield pk, entity
                found += 1
                if found == want:
                    return
        if len(rows) < size:
            return
        last = rows[-1][0]


def _count(session: Session, plan: Plan, query: EntityQuery, now: datetime) -> int:
    """Rows SQL knows to match, and those of the undecided ones Python accepts."""

    def tally() -> Select[Any]:
        candidates = plan.build(False).subquery()
        sure = candidates.c.sure
        return select(func.count().filter(sure), func.count().filter(~sure)).select_from(candidates)

    ((known, unknown),) = sql_run.run(session, (plan.key, "count"), tally, plan.params)
    if unknown:
        known += sum(1 for _ in _matching(session, plan, query, now, None, undecided_only=True))
    return known


def find_entities(
    session: Session, tenant_id: int, query: EntityQuery, *, now: datetime, count: bool = False
) -> tuple[list[Found], int | None]:
    """One page of matching entities in a stable order, and the total when asked."""
    if not 0 <= query.limit <= MAX_LIMIT:
        raise BadRequestData(f"limit must be between 0 and {MAX_LIMIT}")
    if query.offset < 0:
        raise BadRequestData("offset must not be negative")
    session.flush()  # the statements below read the database directly
    backend = session.get_bind().dialect.name
    if backend == "postgresql" and query.q is not None:
        # Large JSON predicates: compiling them to machine code, or planning them again for each
        # set of values, costs more than running them.
        session.execute(text(_PG_SETTINGS))
    try:
        return _find(session, backend, tenant_id, query, now, count)
    except sql_run.TooComplex:
        give_up(query.q, backend, ContextEntity.attrs)  # type: ignore[arg-type]
        return _find(session, backend, tenant_id, query, now, count)


def _find(
    session: Session, backend: str, tenant_id: int, query: EntityQuery, now: datetime, count: bool
) -> tuple[list[Found], int | None]:
    extent = query.geo is not None and sql_plan.extent_indexed(session)
    plan = sql_plan.plan(backend, tenant_id, query, extent=extent)
    total = _count(session, plan, query, now) if count else None
    if query.limit == 0:
        return [], total
    after = 0
    if query.offset:  # skip by ids only, then read whole entities from there
        skipped = list(_matching(session, plan, query, now, query.offset, full=False))
        if len(skipped) < query.offset:
            return [], total
        after = skipped[-1][0]
    page = _matching(session, plan, query, now, query.limit, after=after)
    return [entity for _, entity in page if entity is not None], total
