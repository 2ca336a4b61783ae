"""Running the statements of ``sql_plan``: compiled once per structure, executed with values only.

Building and compiling the SQL of a ``q`` costs far more than running it, so statements are
cached by the plan's key; rows come back through the driver directly and are turned into
entities as the ORM would decode them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from contextlib import nullcontext
from threading import Lock
from typing import Any

from sqlalchemy import Double, Row, Select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from smartcity.context.query.sql_plan import ENTITY_COLUMNS

MAX_STATEMENTS = 512


_compiled: dict[Hashable, tuple[str, Sequence[str] | None, dict[str, Any]]] = {}
_lock = Lock()


class TooComplex(Exception):
    """The database refused a statement as too deeply nested (SQLite's parser stack)."""


_TOO_DEEP = ("parser stack overflow", "stack depth limit exceeded", "too many levels")


def run(
    session: Session, key: Hashable, build: Callable[[], Select[Any]], params: dict[str, Any]
) -> Sequence[Row[Any]]:
    """Rows of the statement ``build()`` makes, compiled once per ``key`` and per backend."""
    connection = session.connection()
    full_key = (connection.dialect.name, key)
    with _lock:
        entry = _compiled.get(full_key)
    if entry is not None:
        return _execute(connection, entry, params)
    compiled = build().compile(dialect=connection.dialect)
    entry = (compiled.string, compiled.positiontup, dict(compiled.params))
    try:  # a savepoint, so that PostgreSQL's transaction survives a refused statement
        with session.begin_nested() if connection.dialect.name == "postgresql" else nullcontext():
            rows = _execute(session.connection(), entry, params)
    except DBAPIError as error:
        if any(reason in str(error.orig) for reason in _TOO_DEEP):
            raise TooComplex(str(error.orig)) from error
        raise
    with _lock:
        if len(_compiled) >= MAX_STATEMENTS:
            _compiled.pop(next(iter(_compiled)))
        _compiled[full_key] = entry
    return rows


def _execute(
    connection: Connection,
    entry: tuple[str, Sequence[str] | None, dict[str, Any]],
    params: dict[str, Any],
) -> Sequence[Row[Any]]:
    sql, order, fixed = entry
    values = fixed | params
    arguments = tuple(values[name] for name in order) if order is not None else values
    return connection.exec_driver_sql(sql, arguments).all()


_processors: dict[Dialect, list[Callable[[Any], Any] | None]] = {}
_KEYS = tuple(c.key for c in ENTITY_COLUMNS)


class EntityRow:
    """A matching entity as a query reads it: the columns of `ngsi_entities` as attributes, as
    the ORM would decode them, but about ten times cheaper to build than an ORM instance (a page
    holds up to 1,000) and never attached to a session. Read it; write through `store`."""

    __slots__ = ("id", *_KEYS)

    def __repr__(self) -> str:
        return f"EntityRow({getattr(self, 'entity_id', '?')!r})"


def entity_of(row: Sequence[Any], dialect: Dialect) -> EntityRow:
    """The entity in a candidate row read with ``build(True)``: ``(id, sure, *ENTITY_COLUMNS)``."""
    processors = _processors.get(dialect)
    if processors is None:
        processors = [  # floats come as floats from both drivers
            None
            if isinstance(c.type, Double)
            else c.type.dialect_impl(dialect).result_processor(dialect, None)
            for c in ENTITY_COLUMNS
        ]
        _processors[dialect] = processors
    entity = EntityRow()
    entity.id = row[0]
    for key, process, value in zip(_KEYS, processors, row[2:], strict=True):
        setattr(entity, key, process(value) if process is not None and value is not None else value)
    return entity
