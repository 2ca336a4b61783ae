"""datastore_search_sql: read-only, time-limited SELECTs over readable datastore tables only."""

from __future__ import annotations

import pytest

from tests.opendata.test_actions import editor, err, ok
from tests.opendata.test_datastore import schema, table  # noqa: F401 (fixture)


def sql(call, query, headers=None):
    return call("datastore_search_sql", {"sql": query}, headers=headers)


def test_a_select_by_resource_id_returns_records_and_fields(call, table):  # noqa: F811
    result = ok(
        sql(
            call,
            f'SELECT district, count(*) AS n, max(aqi) AS top FROM "{table}" '
            "GROUP BY district ORDER BY district",
        )
    )
    assert result["records"] == [
        {"district": "310101", "n": 2, "top": 110},
        {"district": "310104", "n": 2, "top": 75},
    ]
    assert [f["id"] for f in result["fields"]] == ["district", "n", "top"]
    assert result["fields"][1]["type"] == "int"


def test_where_like_and_string_literals_work(call, table):  # noqa: F811
    result = ok(
        sql(
            call,
            f"SELECT station FROM \"{table}\" WHERE station LIKE 's%' "
            "AND district = '310104' ORDER BY station;",
        )
    )
    assert [r["station"] for r in result["records"]] == ["s3", "s4 东"]


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM {t}",
        "UPDATE {t} SET aqi = 0",
        "DROP TABLE {t}",
        "INSERT INTO {t} (station) VALUES ('x')",
        "SELECT 1; DELETE FROM {t}",
        "WITH gone AS (DELETE FROM {t} RETURNING *) SELECT * FROM gone",
        "SELECT * FROM users",
        "SELECT * FROM api_keys",
        "SELECT * FROM {t} JOIN opendata_datasets ON true",
        "SELECT name FROM sqlite_master",
        "SELECT relname FROM pg_class",
        "SELECT load_extension('x')",
        "SELECT pg_sleep(10)",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT current_setting('server_version')",
        "SELECT * FROM {t} WHERE station = 'x' OR upper(lower(pg_read_file('/etc/hosts'))) = ''",
        "PRAGMA table_info({t})",
        "ATTACH DATABASE '/tmp/x.db' AS x",
        "SELECT * FROM nosuchtable",
        "SELEKT nonsense",
        'SELECT * FROM "00000000-0000-0000-0000-000000000000"',
        "",
    ],
)
def test_anything_but_reading_readable_tables_is_refused(call, platform, table, query):  # noqa: F811
    name = "datastore_" + table.replace("-", "")
    error = err(sql(call, query.format(t=name)), 409, "Validation Error")
    assert "sql" in error or "query" in error
    assert ok(call("datastore_search", {"resource_id": table}))["total"] == 4
    assert name in schema(platform).get_table_names()


def test_a_query_that_runs_too_long_is_stopped(call, table):  # noqa: F811
    joins = ", ".join(f'"{table}" t{i}' for i in range(16))  # 4**16 rows to count
    error = err(sql(call, f"SELECT count(*) FROM {joins}"), 409, "Validation Error")
    assert error["query"] == ["Query took too long"]


def test_a_private_datasets_table_is_readable_only_with_rights(call, catalogue):
    data = {
        "resource": {"package_id": "draft-emissions"},
        "fields": [{"id": "t", "type": "text"}],
        "records": [{"t": "x"}],
    }
    rid = ok(call("datastore_create", data, headers=editor(catalogue)))["resource_id"]
    err(sql(call, f'SELECT * FROM "{rid}"'), 409, "Validation Error")
    name = "datastore_" + rid.replace("-", "")
    err(sql(call, f"SELECT * FROM {name}"), 409, "Validation Error")
    assert ok(sql(call, f'SELECT t FROM "{rid}"', headers=editor(catalogue)))["records"] == [
        {"t": "x"}
    ]
