"""Translating an NGSI-LD query (GS CIM 009 clause 4.9) into SQL over stored ``attrs``.

``translate(node, backend, attrs)`` gives a :class:`Translation`: one three-valued SQL integer
per term (0 false, 1 unknown, 2 true; see ``sql_verdict``) and the query's :class:`Verdict` over
them. Rows the verdict leaves unknown are for :func:`evaluate` to decide; everywhere else the SQL
answer is the evaluator's. ``translation_for`` caches translations by the query's *shape* (its
text with the literal values left out), so a query seen again only binds new values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlalchemy import ColumnElement, Text, bindparam

from smartcity.context.query.ast import (
    And,
    Comparison,
    Exists,
    Literal,
    NotExists,
    Or,
    PatternMatch,
    QueryNode,
    Range,
    ValueList,
)
from smartcity.context.query.sql_json import dialect_for
from smartcity.context.query.sql_terms import Bind, TermTranslator, bind_value, exact_literal
from smartcity.context.query.sql_verdict import Tri, Verdict, all_of, any_of

Columns = Sequence[ColumnElement[Any]]
MAX_SHAPES = 512


@dataclass(frozen=True)
class Translation:
    """The SQL of a query's terms, and how their values combine into the query's verdict."""

    terms: tuple[ColumnElement[Any], ...]
    combine: Callable[[Columns], Verdict]

    def verdict(self, columns: Columns | None = None) -> Verdict:
        """The verdict over ``columns`` (references to the terms, e.g. in a subquery)."""
        return self.combine(self.terms if columns is None else columns)


def translate(
    node: QueryNode, backend: str, attrs: ColumnElement[Any], *, bind: Bind = bind_value
) -> Translation:
    """The translation of ``node`` on the ``attrs`` column of the given backend."""
    json = dialect_for(backend)
    terms = TermTranslator(json, bind)
    root = json.root(attrs)
    found: list[ColumnElement[Any]] = []

    def build(node: QueryNode) -> Callable[[Columns], Verdict]:
        match node:
            case And(items) | Or(items):
                parts = [build(item) for item in items]
                join = all_of if isinstance(node, And) else any_of
                return lambda columns: join(part(columns) for part in parts)
            case NotExists(path):
                positive = build(Exists(path))
                return lambda columns: ~positive(columns)
        value = terms.term(node, root)
        if value.expr is None:
            fixed = value.verdict()
            return lambda _: fixed
        index = len(found)
        found.append(value.expr)
        return lambda columns: Tri(columns[index]).verdict()

    combine = build(node)
    return Translation(tuple(found), combine)


def shape(node: QueryNode) -> tuple[Hashable, list[Literal]]:
    """The query with its literal values left out (what its SQL depends on), and the literals in
    the order :func:`translation_for` numbers them."""
    literals: list[Literal] = []

    def of_literal(item: Literal) -> Hashable:
        literals.append(item)
        return item.kind, exact_literal(item)

    def walk(node: QueryNode) -> Hashable:
        match node:
            case And(items) | Or(items):
                return type(node).__name__, tuple(walk(item) for item in items)
            case Comparison(path, op, Range(low, high)):
                return "range", str(path), op, of_literal(low), of_literal(high)
            case Comparison(path, op, ValueList(items)):
                return "list", str(path), op, tuple(of_literal(item) for item in items)
            case Comparison(path, op, Literal() as item):
                return "compare", str(path), op, of_literal(item)
            case PatternMatch():
                return "pattern", str(node)
        return type(node).__name__, str(node.path)

    return walk(node), literals


_cache: dict[Hashable, Translation] = {}
_lock = Lock()
UNTRANSLATED = Translation((), lambda _: Verdict.unknown())


def give_up(node: QueryNode, backend: str, attrs: ColumnElement[Any]) -> None:
    """Leave queries of ``node``'s shape to the evaluator (e.g. SQL too deep for the backend)."""
    with _lock:
        _cache[(backend, attrs, shape(node)[0])] = UNTRANSLATED


def given_up(node: QueryNode, backend: str, attrs: ColumnElement[Any]) -> bool:
    with _lock:
        return _cache.get((backend, attrs, shape(node)[0])) is UNTRANSLATED


def translation_for(
    node: QueryNode, backend: str, attrs: ColumnElement[Any]
) -> tuple[Translation, dict[str, Any]]:
    """The translation of ``node``'s shape (cached) and the values to bind for ``node``."""
    key, literals = shape(node)
    values = {f"q{i}": item.value for i, item in enumerate(literals)}
    cache_key = (backend, attrs, key)
    with _lock:
        cached = _cache.get(cache_key)
    if cached is None:
        names = {id(item): f"q{i}" for i, item in enumerate(literals)}

        def bind(item: Literal, value: Any) -> ColumnElement[Any]:
            name = names[id(item)]
            return bindparam(name, type_=Text) if isinstance(value, str) else bindparam(name)

        cached = translate(node, backend, attrs, bind=bind)
        with _lock:
            if len(_cache) >= MAX_SHAPES:
                _cache.pop(next(iter(_cache)))
            _cache[cache_key] = cached
    return cached, values
