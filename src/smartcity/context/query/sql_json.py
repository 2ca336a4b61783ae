"""Reading stored JSON in SQL, one small vocabulary for both backends.

A :class:`JsonNode` addresses one JSON value inside a row: on SQLite a document (the ``attrs``
text) and a JSON path into it, on PostgreSQL a ``jsonb`` expression. Every predicate built here is
two-valued (never SQL NULL), so that callers may negate it; typed readers (``number``, ``text``)
are only meaningful where the matching ``is_type`` holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Numeric,
    String,
    Text,
    and_,
    case,
    cast,
    column,
    exists,
    false,
    func,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB

from smartcity.context.query.sql_verdict import Untranslatable, const

# The JSON types of RFC 8259 as this module names them.
OBJECT, ARRAY, STRING, NUMBER, TRUE, FALSE, NULL = (
    "object",
    "array",
    "string",
    "number",
    "true",
    "false",
    "null",
)
_SQLITE_TYPES = {
    OBJECT: ("object",),
    ARRAY: ("array",),
    STRING: ("text",),
    NUMBER: ("integer", "real"),
    TRUE: ("true",),
    FALSE: ("false",),
    NULL: ("null",),
}

Predicate = ColumnElement[bool]


class JsonNode(Protocol):
    def child(self, key: str) -> JsonNode: ...


class JsonDialect(Protocol):
    """What the translation needs from a backend's JSON support."""

    name: str

    def root(self, document: ColumnElement[Any]) -> JsonNode: ...
    def child(self, node: JsonNode, key: str) -> JsonNode: ...
    def type_name(self, node: JsonNode) -> ColumnElement[str]: ...
    def is_type(self, node: JsonNode, *kinds: str) -> Predicate: ...
    def present(self, node: JsonNode) -> Predicate: ...
    def number(self, node: JsonNode) -> ColumnElement[Any]: ...
    def text(self, node: JsonNode) -> ColumnElement[str]: ...
    def length(self, node: JsonNode) -> ColumnElement[int]: ...
    def any_item(self, node: JsonNode, test: Callable[[JsonNode], Predicate]) -> Predicate: ...
    def any_member(self, node: JsonNode, test: Callable[[JsonNode], Predicate]) -> Predicate: ...
    def best_object(
        self, node: JsonNode, score: Callable[[JsonNode], ColumnElement[Any]]
    ) -> ColumnElement[Any]: ...
    def pick(self, node: JsonNode, choices: dict[str, str]) -> JsonNode: ...


@dataclass(frozen=True)
class SqliteNode:
    document: ColumnElement[Any]
    path: str | ColumnElement[str]  # a JSON path, known in Python or computed by the row

    def child(self, key: str) -> SqliteNode:
        if '"' in key or "\\" in key:
            raise Untranslatable(f"a JSON path cannot name {key!r}")
        step = f'."{key}"'
        path = self.path + step if isinstance(self.path, str) else self.path.concat(const(step))
        return SqliteNode(self.document, path)

    @property
    def sql_path(self) -> ColumnElement[str]:
        return const(self.path) if isinstance(self.path, str) else self.path


class SqliteJson:
    """SQLite's JSON1 functions: ``json_type`` and ``json_extract`` on a path, ``json_each``."""

    name = "sqlite"

    def root(self, document: ColumnElement[Any]) -> SqliteNode:
        return SqliteNode(document, "$")

    def child(self, node: SqliteNode, key: str) -> SqliteNode:  # type: ignore[override]
        return node.child(key)

    def type_name(self, node: SqliteNode) -> ColumnElement[str]:  # type: ignore[override]
        """ "object", "array", or another name for a scalar (or NULL when missing)."""
        return func.json_type(node.document, node.sql_path, type_=String)

    def is_type(self, node: SqliteNode, *kinds: str) -> Predicate:  # type: ignore[override]
        names = [name for kind in kinds for name in _SQLITE_TYPES[kind]]
        return func.coalesce(self.type_name(node), const("")).in_([const(n) for n in names])

    def present(self, node: SqliteNode) -> Predicate:  # type: ignore[override]
        return self.type_name(node).is_not(None)

    def number(self, node: SqliteNode) -> ColumnElement[Any]:  # type: ignore[override]
        return func.json_extract(node.document, node.sql_path, type_=Numeric)

    def text(self, node: SqliteNode) -> ColumnElement[str]:  # type: ignore[override]
        return func.json_extract(node.document, node.sql_path, type_=Text)

    def length(self, node: SqliteNode) -> ColumnElement[int]:  # type: ignore[override]
        return func.json_array_length(node.document, node.sql_path)

    def _each(
        self, node: SqliteNode, kind: str, test: Callable[[SqliteNode], Predicate]
    ) -> Predicate:
        each = func.json_each(node.document, node.sql_path).table_valued(column("fullkey", String))
        inner = test(SqliteNode(node.document, each.c.fullkey))
        found = select(const(1)).select_from(each).where(inner).correlate_except(each)
        return and_(self.is_type(node, kind), exists(found))

    def any_item(self, node: SqliteNode, test: Callable[[SqliteNode], Predicate]) -> Predicate:  # type: ignore[override]
        return self._each(node, ARRAY, test)

    def any_member(self, node: SqliteNode, test: Callable[[SqliteNode], Predicate]) -> Predicate:  # type: ignore[override]
        return self._each(node, OBJECT, test)

    def best_object(  # type: ignore[override]
        self, node: SqliteNode, score: Callable[[SqliteNode], ColumnElement[Any]]
    ) -> ColumnElement[Any]:
        """The highest ``score`` among the objects in the array at ``node``, else 0."""
        each = func.json_each(node.document, node.sql_path).table_valued(
            column("fullkey", String), column("type", String)
        )
        best = select(func.max(score(SqliteNode(node.document, each.c.fullkey))))
        best = best.select_from(each).where(each.c.type == const(OBJECT)).correlate_except(each)
        return func.coalesce(best.scalar_subquery(), const(0))

    def pick(self, node: SqliteNode, choices: dict[str, str]) -> SqliteNode:  # type: ignore[override]
        """The member named by ``choices[<node's "type" string>]`` (no member for other types)."""
        kind = self.text(node.child("type"))
        suffix = case({const(k): const(f'."{m}"') for k, m in choices.items()}, value=kind)
        return SqliteNode(node.document, node.sql_path.concat(suffix))


@dataclass(frozen=True)
class PostgresNode:
    value: ColumnElement[Any]

    def child(self, key: str) -> PostgresNode:
        return PostgresNode(self.value.op("->", return_type=JSONB)(const(key)))


class PostgresJson:
    """PostgreSQL's ``jsonb``: ``->``, ``jsonb_typeof``, ``jsonb_array_elements``."""

    name = "postgresql"

    def root(self, document: ColumnElement[Any]) -> PostgresNode:
        return PostgresNode(type_coerce(document, JSONB))

    def child(self, node: PostgresNode, key: str) -> PostgresNode:  # type: ignore[override]
        return node.child(key)

    def type_name(self, node: PostgresNode) -> ColumnElement[str]:  # type: ignore[override]
        return func.jsonb_typeof(node.value, type_=String)

    def is_type(self, node: PostgresNode, *kinds: str) -> Predicate:  # type: ignore[override]
        if kinds in ((TRUE,), (FALSE,)):
            return func.coalesce(node.value == cast(const(kinds[0]), JSONB), false())
        return func.coalesce(self.type_name(node), const("")).in_([const(k) for k in kinds])

    def present(self, node: PostgresNode) -> Predicate:  # type: ignore[override]
        return node.value.is_not(None)

    def number(self, node: PostgresNode) -> ColumnElement[Any]:  # type: ignore[override]
        return case((self.is_type(node, NUMBER), cast(node.value, Numeric)))

    def text(self, node: PostgresNode) -> ColumnElement[str]:  # type: ignore[override]
        """The text of a JSON string (callers test ``is_type(node, STRING)`` beside it)."""
        extracted = node.value.op("#>>", return_type=Text)(literal_column("'{}'::text[]"))
        return extracted.collate("C")

    def length(self, node: PostgresNode) -> ColumnElement[int]:  # type: ignore[override]
        return case((self.is_type(node, ARRAY), func.jsonb_array_length(node.value)))

    def any_item(self, node: PostgresNode, test: Callable[[PostgresNode], Predicate]) -> Predicate:  # type: ignore[override]
        array = case((self.is_type(node, ARRAY), node.value))
        items = func.jsonb_array_elements(array).table_valued(column("value", JSONB))
        return exists(select(const(1)).select_from(items).where(test(PostgresNode(items.c.value))))

    def any_member(
        self, node: PostgresNode, test: Callable[[PostgresNode], Predicate]
    ) -> Predicate:  # type: ignore[override]
        obj = case((self.is_type(node, OBJECT), node.value))
        members = func.jsonb_each(obj).table_valued(column("key", Text), column("value", JSONB))
        inner = test(PostgresNode(members.c.value))
        return exists(select(const(1)).select_from(members).where(inner).correlate_except(members))

    def best_object(  # type: ignore[override]
        self, node: PostgresNode, score: Callable[[PostgresNode], ColumnElement[Any]]
    ) -> ColumnElement[Any]:
        array = case((self.is_type(node, ARRAY), node.value))
        items = func.jsonb_array_elements(array).table_valued(column("value", JSONB))
        item = PostgresNode(items.c.value)
        best = select(func.max(score(item))).select_from(items)
        best = best.where(self.is_type(item, OBJECT)).correlate_except(items)
        return func.coalesce(best.scalar_subquery(), const(0))

    def pick(self, node: PostgresNode, choices: dict[str, str]) -> PostgresNode:  # type: ignore[override]
        """The value member present (stored instances hold exactly one of them)."""
        members = dict.fromkeys(choices.values())
        return PostgresNode(func.coalesce(*(node.child(m).value for m in members), type_=JSONB))


def dialect_for(name: str) -> JsonDialect:
    if name == "sqlite":
        return SqliteJson()  # type: ignore[return-value]
    if name == "postgresql":
        return PostgresJson()  # type: ignore[return-value]
    raise Untranslatable(f"no JSON translation for the {name} backend")
