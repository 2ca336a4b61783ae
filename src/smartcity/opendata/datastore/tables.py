"""Datastore tables: their typed fields, creation with indexes, and writing records.

Each tabular resource gets a table `datastore_<resource uuid hex>` with an `_id` key and one
column per field; the register (DatastoreTable) keeps the fields in order, the primary key and
the indexed fields.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from smartcity.core.db import Json
from smartcity.opendata.models import DatastoreTable, Resource
from smartcity.opendata.schemas import Errors, invalid

FIELD_ID = re.compile(r"^[^\W\d_]\w{0,62}$")
RESERVED = frozenset({"_id", "_full_text"})
MAX_FIELDS = 200
MAX_RECORDS = 50_000  # per call
TYPE_NAMES = {
    "text": "text",
    "int": "int",
    "int4": "int",
    "int8": "int",
    "integer": "int",
    "bigint": "int",
    "float": "float",
    "float8": "float",
    "numeric": "float",
    "double precision": "float",
    "bool": "bool",
    "boolean": "bool",
    "timestamp": "timestamp",
    "date": "date",
    "json": "json",
}
_SQL_TYPES: dict[str, Any] = {
    "text": Text,
    "int": BigInteger,
    "float": Double,
    "bool": Boolean,
    "timestamp": DateTime,
    "date": Date,
    "json": Json,
}
_ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")


def table_name(resource: Resource) -> str:
    return "datastore_" + resource.uid.replace("-", "").lower()[:40]


def read_fields(value: Any) -> list[dict[str, str]]:
    """[{id, type}] checked: safe unique names, known types (text when none is given)."""
    errors = Errors()
    if not isinstance(value, list) or not value or len(value) > MAX_FIELDS:
        raise invalid("fields", f"give 1-{MAX_FIELDS} fields as [{{id, type}}]")
    fields: list[dict[str, str]] = []
    for item in value:
        name = item.get("id") if isinstance(item, dict) else None
        kind = str(item.get("type") or "text").lower() if isinstance(item, dict) else ""
        if not isinstance(name, str) or not FIELD_ID.match(name) or name in RESERVED:
            errors.add("fields", f"{str(name)[:70]!r} is not a valid field name")
        elif any(f["id"] == name for f in fields):
            errors.add("fields", f"field {name!r} is given twice")
        elif kind not in TYPE_NAMES:
            errors.add("fields", f"field {name!r} has an unknown type {kind!r}")
        else:
            fields.append({"id": name, "type": TYPE_NAMES[kind]})
    errors.raise_any()
    return fields


def names_in(value: Any, field: str, known: list[str]) -> list[str]:
    """A field name or a list of them (or a comma-separated string), all of them known."""
    if value in (None, "", []):
        return []
    names = value if isinstance(value, list) else str(value).split(",")
    names = [str(n).strip() for n in names]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise invalid(field, f"unknown fields: {', '.join(unknown)[:200]}")
    return names


def read_indexes(value: Any, known: list[str]) -> list[list[str]]:
    """Indexes as lists of fields: a field name, a list of them (one index each), or a list whose
    items are themselves lists (a composite index, e.g. ["district", "aqi"] for filter + sort)."""
    if value in (None, "", []):
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    indexes: list[list[str]] = []
    for item in items:
        columns = item if isinstance(item, list) else [item]
        indexes.append(names_in(columns, "indexes", known))
    if len(indexes) > 20:
        raise invalid("indexes", "at most 20 indexes")
    return indexes


_BUILT: dict[tuple[str, str, str], Table] = {}
_BUILT_MAX = 256


def cached_table(register: DatastoreTable, backend: str) -> Table:
    """The table, built once per definition: one Table object keeps SQLAlchemy's compiled-statement
    cache warm across requests."""
    key = (
        register.table_name,
        backend,
        repr((register.fields, register.primary_key, register.indexes)),
    )
    table = _BUILT.get(key)
    if table is None:
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
        table = _BUILT[key] = build_table(register, backend)
    return table


def build_table(register: DatastoreTable, backend: str = "sqlite") -> Table:
    """The SQLAlchemy table of a registered datastore (not bound to the app's metadata).

    Empty values sort first, as SQLite has them; on PostgreSQL the indexes are built that way
    (ASC NULLS FIRST, with `_id` last, which SQLite's rowid gives implicitly), so that a sort in
    either direction, after an equality filter on the leading fields, is read from the index."""
    columns = [Column("_id", _ID_TYPE, primary_key=True, autoincrement=True)]
    columns += [Column(f["id"], _SQL_TYPES[f["type"]]) for f in register.fields]
    table = Table(register.table_name, MetaData(), *columns)
    name = register.table_name
    if register.primary_key:
        Index(f"{name}_pk", *(table.c[k] for k in register.primary_key), unique=True)
    for i, fields in enumerate(register.indexes):
        fields = [fields] if isinstance(fields, str) else fields
        if backend == "postgresql":
            terms = [table.c[f].asc().nulls_first() for f in fields] + [table.c._id]
            Index(f"{name}_ix{i}", *terms)
        else:
            Index(f"{name}_ix{i}", *(table.c[f] for f in fields))
    return table


def create_table(session: Session, register: DatastoreTable) -> Table:
    table = build_table(register, session.get_bind().dialect.name)
    table.create(session.connection())
    return table


def drop_table(session: Session, register: DatastoreTable) -> None:
    build_table(register).drop(session.connection(), checkfirst=True)


def get_register(session: Session, resource: Resource) -> DatastoreTable | None:
    return session.scalars(
        select(DatastoreTable).where(DatastoreTable.resource_id == resource.id)
    ).first()


def coerce(value: Any, kind: str) -> Any:
    """A JSON value as the field's type; ValueError when it is not one."""
    if value is None or (value == "" and kind != "text"):
        return None
    if kind == "text":
        if isinstance(value, dict | list):
            raise ValueError("expected text")
        text = str(value)
        if "\x00" in text:
            raise ValueError("text with a NUL character")
        return text
    if kind == "int":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError("expected an integer")
        number = int(value) if not isinstance(value, str) else int(value.strip())
        if not -(2**63) <= number < 2**63:
            raise ValueError("integer out of range")
        return number
    if kind == "float":
        if isinstance(value, bool):
            raise ValueError("expected a number")
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("expected a finite number")
        return number
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "t", "1", "yes"):
            return True
        if text in ("false", "f", "0", "no"):
            return False
        raise ValueError("expected true or false")
    if kind == "timestamp":
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return moment.replace(tzinfo=None) if moment.tzinfo is None else moment
    if kind == "date":
        return date.fromisoformat(str(value)[:10])
    return value  # json


def read_records(value: Any, register: DatastoreTable) -> list[dict[str, Any]]:
    """Records as rows of the table, every value of its field's type."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_RECORDS:
        raise invalid("records", f"give at most {MAX_RECORDS} records as a list of objects")
    types = {f["id"]: f["type"] for f in register.fields}
    rows: list[dict[str, Any]] = []
    errors = Errors()
    for index, record in enumerate(value):
        if not isinstance(record, dict):
            errors.add("records", f"record {index} is not an object")
            continue
        row: dict[str, Any] = {}
        for key, item in record.items():
            if key not in types:
                errors.add("records", f"record {index}: unknown field {str(key)[:70]!r}")
                continue
            try:
                row[key] = coerce(item, types[key])
            except (TypeError, ValueError, OverflowError) as exc:
                errors.add("records", f"record {index}: {key}: {exc}"[:300])
        rows.append(row)
        if len(errors.by_field.get("records", [])) >= 20:
            break
    errors.raise_any()
    return rows


def write_records(
    session: Session, register: DatastoreTable, rows: list[dict[str, Any]], method: str
) -> None:
    """insert, update (every key must exist) or upsert (needs a primary key) the rows."""
    if not rows:
        return
    table = build_table(register)
    key = register.primary_key
    if method != "insert" and not key:
        raise invalid("method", f"{method} needs the table's primary_key")
    if method != "insert" and any(any(row.get(k) is None for k in key) for row in rows):
        raise invalid("records", f"every record needs its primary key {', '.join(key)}")
    if method == "insert":
        session.execute(table.insert(), _complete(rows, register))
    elif method == "upsert":
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        for row in rows:
            stmt = dialect.insert(table).values(**row)
            updates = {c: stmt.excluded[c] for c in row if c not in key}
            stmt = (
                stmt.on_conflict_do_update(index_elements=key, set_=updates)
                if updates
                else stmt.on_conflict_do_nothing(index_elements=key)
            )
            session.execute(stmt)
    elif method == "update":
        for row in rows:
            values = {c: v for c, v in row.items() if c not in key}
            where = [table.c[k] == row[k] for k in key]
            if values:
                result = session.execute(table.update().where(*where).values(**values))
                found = result.rowcount
            else:
                found = len(session.execute(select(table.c._id).where(*where)).all())
            if not found:
                raise invalid("records", f"key {[row[k] for k in key]} not found")
    else:
        raise invalid("method", "must be upsert, insert or update")


def _complete(rows: list[dict[str, Any]], register: DatastoreTable) -> list[dict[str, Any]]:
    """Every row with every field, so one executemany statement fits them all."""
    names = [f["id"] for f in register.fields]
    return [{n: row.get(n) for n in names} for row in rows]
