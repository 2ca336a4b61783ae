"""datastore_search: filters, q, fields, sort, limit and offset over one datastore table."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, func, or_, select
from sqlalchemy.orm import Session

from smartcity.opendata.datastore import tables
from smartcity.opendata.models import DatastoreTable
from smartcity.opendata.schemas import as_bool, as_int, invalid

MAX_LIMIT = 32_000
MAX_FILTER_VALUES = 1000


def _json_param(value: Any, field: str) -> Any:
    if isinstance(value, str) and value.strip().startswith(("{", "[")):
        try:
            return json.loads(value)
        except ValueError:
            raise invalid(field, "is not valid JSON") from None
    return value


def _filters(table: Table, register: DatastoreTable, value: Any) -> list[ColumnElement[bool]]:
    value = _json_param(value, "filters")
    if value in (None, "", {}):
        return []
    if not isinstance(value, dict):
        raise invalid("filters", "must be an object of field: value or [values]")
    types = {"_id": "int", **{f["id"]: f["type"] for f in register.fields}}
    conditions = []
    for name, wanted in value.items():
        if name not in types:
            raise invalid("filters", f"field {str(name)[:70]!r} not in the table")
        values = wanted if isinstance(wanted, list) else [wanted]
        if not values or len(values) > MAX_FILTER_VALUES:
            raise invalid("filters", f"give 1-{MAX_FILTER_VALUES} values for {name!r}")
        try:
            typed = [tables.coerce(v, types[name]) for v in values]
        except (TypeError, ValueError, OverflowError):
            raise invalid("filters", f"a value of {name!r} is not a {types[name]}") from None
        column = table.c[name]
        conditions.append(column == typed[0] if len(typed) == 1 else column.in_(typed))
    return conditions


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _q(table: Table, register: DatastoreTable, value: Any) -> list[ColumnElement[bool]]:
    """A word search over the text fields, or {field: text} for one field each."""
    value = _json_param(value, "q")
    if value in (None, ""):
        return []
    text_fields = [f["id"] for f in register.fields if f["type"] == "text"]
    if isinstance(value, dict):
        out = []
        for name, text in value.items():
            if name not in text_fields or not isinstance(text, str):
                raise invalid("q", f"{str(name)[:70]!r} is not a text field of the table")
            out.append(table.c[name].ilike(_like(text), escape="\\"))
        return out
    if not isinstance(value, str):
        raise invalid("q", "must be text or an object of field: text")
    words = value.split()
    if not text_fields:
        return []
    return [
        or_(*(table.c[n].ilike(_like(word), escape="\\") for n in text_fields)) for word in words
    ]


def _sort(table: Table, value: Any, known: list[str], backend: str) -> list[Any]:
    """ORDER BY terms, then `_id` in the direction of the last one (so an index on the sorted
    field serves the whole order). Empty values sort first ascending, last descending, on every
    backend (SQLite's order; PostgreSQL is told so)."""
    if value in (None, ""):
        return [table.c._id.asc()]
    parts = value if isinstance(value, list) else str(value).split(",")
    order: list[Any] = []
    descending = False
    for part in parts:
        words = str(part).split()
        if not words or len(words) > 2 or words[0].strip('"') not in known:
            raise invalid("sort", f"cannot sort by {str(part)[:70]!r}")
        if len(words) == 2 and words[1].lower() not in ("asc", "desc"):
            raise invalid("sort", f"cannot sort by {str(part)[:70]!r}")
        column = table.c[words[0].strip('"')]
        descending = words[-1].lower() == "desc"
        term = column.desc() if descending else column.asc()
        if backend == "postgresql":
            term = term.nulls_last() if descending else term.nulls_first()
        order.append(term)
    return [*order, table.c._id.desc() if descending else table.c._id.asc()]


def plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def search(
    session: Session, register: DatastoreTable, resource_uid: str, data: dict[str, Any]
) -> dict[str, Any]:
    backend = session.get_bind().dialect.name
    table = tables.cached_table(register, backend)
    known = ["_id", *(f["id"] for f in register.fields)]
    limit = as_int(data.get("limit"), "limit", default=100, maximum=MAX_LIMIT)
    offset = as_int(data.get("offset"), "offset", default=0, maximum=10**9)
    chosen = tables.names_in(data.get("fields"), "fields", known) or known
    where = [
        *_filters(table, register, data.get("filters")),
        *_q(table, register, data.get("q")),
    ]
    order = _sort(table, data.get("sort"), known, backend)
    stmt = select(*(table.c[n] for n in chosen)).where(*where).order_by(*order)
    rows = session.execute(stmt.limit(limit).offset(offset)).all()
    records = [{n: plain(v) for n, v in zip(chosen, row, strict=True)} for row in rows]
    types = {"_id": "int", **{f["id"]: f["type"] for f in register.fields}}
    link = f"/api/3/action/datastore_search?resource_id={resource_uid}"
    result: dict[str, Any] = {
        "resource_id": resource_uid,
        "fields": [{"id": n, "type": types[n]} for n in chosen],
        "records": records,
        "limit": limit,
        "offset": offset,
        "_links": {
            "start": link,
            "next": f"{link}&offset={offset + limit}",
        },
    }
    if as_bool(data.get("include_total"), "include_total", default=True):
        result["total"] = session.scalar(select(func.count()).select_from(table).where(*where)) or 0
    return result
