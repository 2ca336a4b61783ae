"""datastore_search_sql: one read-only, time-limited SELECT over the datastore tables the caller
may read, and nothing else.

Tables are named as in CKAN, by their resource id in double quotes (`"<resource id>"`), or by
their table name. Before it runs, a query is checked on each backend by the database itself:

- PostgreSQL: a READ ONLY transaction with a statement_timeout; `EXPLAIN (VERBOSE)` must show
  only datastore relations the caller may read, no writes, and only allowed functions.
- SQLite: a read-only connection whose authorizer allows reading only those tables and calling
  only allowed functions, and whose progress handler stops it at the deadline.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from smartcity.core.db import Database
from smartcity.opendata import access
from smartcity.opendata.models import Dataset, DatastoreTable, Resource
from smartcity.opendata.schemas import invalid
from smartcity.security.principal import Principal

TIMEOUT_SECONDS = 3.0
MAX_SQL = 10_000
MAX_ROWS = 32_000
ALLOWED_FUNCTIONS = frozenset(
    {
        "abs",
        "avg",
        "btrim",
        "ceil",
        "ceiling",
        "char_length",
        "coalesce",
        "concat",
        "count",
        "date",
        "date_part",
        "date_trunc",
        "dense_rank",
        "extract",
        "floor",
        "greatest",
        "ifnull",
        "instr",
        "least",
        "length",
        "like",
        "lower",
        "ltrim",
        "max",
        "min",
        "nullif",
        "percentile_cont",
        "percentile_disc",
        "rank",
        "replace",
        "round",
        "row_number",
        "rtrim",
        "stddev",
        "strftime",
        "string_agg",
        "substr",
        "substring",
        "sum",
        "to_char",
        "total",
        "trim",
        "upper",
        "variance",
        "",
    }
)
_RESOURCE_REF = re.compile(
    r'"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"'
)
_START = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\(")


def readable_tables(session: Session, principal: Principal) -> dict[str, str]:
    """Resource id → table name of every datastore table the principal may read."""
    stmt = (
        select(Resource.uid, DatastoreTable.table_name)
        .join(DatastoreTable, DatastoreTable.resource_id == Resource.id)
        .join(Dataset, Dataset.id == Resource.dataset_id)
        .where(access.visible(session, principal, include_private=True))
    )
    return {uid: name for uid, name in session.execute(stmt)}


def prepare(sql: Any, tables: dict[str, str]) -> str:
    """The query with resource ids turned into table names, or a Validation Error."""
    if not isinstance(sql, str) or not sql.strip():
        raise invalid("sql", "Missing value")
    if len(sql) > MAX_SQL or "\x00" in sql:
        raise invalid("sql", f"a query has at most {MAX_SQL} characters")
    sql = sql.strip().rstrip(";").strip()
    if ";" in sql:
        raise invalid("sql", "only one statement is allowed")
    if not _START.match(sql):
        raise invalid("sql", "only SELECT queries are allowed")

    def table(match: re.Match[str]) -> str:
        name = tables.get(match.group(1).lower())
        if name is None:
            raise invalid("sql", f"no datastore table you may read has the id {match.group(1)}")
        return f'"{name}"'

    return _RESOURCE_REF.sub(table, sql)


def run(
    db: Database, sql: str, tables: set[str], *, timeout: float = TIMEOUT_SECONDS
) -> dict[str, Any]:
    """Run a prepared query; its records and fields, or a Validation Error on `query`."""
    if db.backend == "postgresql":
        names, rows, truncated = _run_postgresql(db, sql, tables, timeout)
    else:
        names, rows, truncated = _run_sqlite(db, sql, tables, timeout)
    records = [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in rows]
    return {
        "sql": sql,
        "records": records,
        "fields": [{"id": n, "type": _type_of(n, records)} for n in names],
        "records_truncated": truncated,
    }


def _run_postgresql(
    db: Database, sql: str, tables: set[str], timeout: float
) -> tuple[list[str], list[tuple[Any, ...]], bool]:
    import psycopg

    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET TRANSACTION READ ONLY")
        cursor.execute(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
        try:
            cursor.execute("EXPLAIN (VERBOSE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            _check_plan(plan if not isinstance(plan, str) else json.loads(plan), tables)
            cursor.execute(sql)
            names = [c[0] for c in cursor.description or []]
            rows = cursor.fetchmany(MAX_ROWS + 1)
        except psycopg.errors.QueryCanceled:
            raise invalid("query", "Query took too long") from None
        except psycopg.Error as exc:
            raise invalid("query", _first_line(exc)) from None
        return names, rows[:MAX_ROWS], len(rows) > MAX_ROWS
    finally:
        raw.rollback()
        raw.close()


def _check_plan(node: Any, tables: set[str]) -> None:
    """Walk an EXPLAIN (FORMAT JSON) plan: only allowed relations, functions and node types."""
    if isinstance(node, list):
        for item in node:
            if isinstance(item, str):
                _check_calls(item)
            else:
                _check_plan(item, tables)
        return
    if not isinstance(node, dict):
        return
    if node.get("Node Type") in ("ModifyTable", "LockRows"):
        raise invalid("query", "only reading is allowed")
    relation = node.get("Relation Name")
    if relation is not None and (relation not in tables or node.get("Schema") != "public"):
        raise invalid("query", f"not a datastore table you may read: {relation}")
    for key, value in node.items():
        if isinstance(value, list | dict):
            _check_plan(value, tables)
        elif isinstance(value, str) and key not in ("Relation Name", "Alias", "Schema"):
            _check_calls(value)


def _check_calls(expression: str) -> None:
    """Every function an expression of the plan calls (string literals aside) is allowed."""
    for name in _CALL.findall(re.sub(r"'(?:[^']|'')*'", "''", expression)):
        if name.rsplit(".", 1)[-1].lower() not in ALLOWED_FUNCTIONS:
            raise invalid("query", f"function {name} is not allowed")


def _run_sqlite(
    db: Database, sql: str, tables: set[str], timeout: float
) -> tuple[list[str], list[tuple[Any, ...]], bool]:
    path = make_url(db.url).database
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5, check_same_thread=False)
    deadline = time.monotonic() + timeout
    refused: list[str] = []

    def authorizer(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
        if action == sqlite3.SQLITE_SELECT:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ and arg1 in tables:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in ALLOWED_FUNCTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_RECURSIVE:
            return sqlite3.SQLITE_OK
        refused.append(arg2 if action == sqlite3.SQLITE_FUNCTION else (arg1 or str(action)))
        return sqlite3.SQLITE_DENY

    conn.set_authorizer(authorizer)
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
    try:
        cursor = conn.execute(sql)
        names = [c[0] for c in cursor.description or []]
        rows = cursor.fetchmany(MAX_ROWS + 1)
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise invalid("query", "Query took too long") from None
        raise invalid("query", _refusal(refused) or _first_line(exc)) from None
    except sqlite3.Error as exc:
        raise invalid("query", _refusal(refused) or _first_line(exc)) from None
    finally:
        conn.close()
    return names, rows[:MAX_ROWS], len(rows) > MAX_ROWS


def _refusal(refused: list[str]) -> str:
    return f"not allowed: {refused[0]}" if refused else ""


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or ["invalid query"])[0][:300]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _type_of(name: str, records: list[dict[str, Any]]) -> str:
    for record in records:
        value = record[name]
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int):
            return "int"
        if isinstance(value, float):
            return "float"
        if value is not None:
            return "text"
    return "text"
