"""The datastore: a real table per tabular resource, written by editors, searched by anyone
who may read the dataset."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Inspector
from sqlalchemy.pool import NullPool

from tests.opendata.test_actions import editor, err, ok


def schema(platform) -> Inspector:
    """The schema as a new connection sees it (not a pooled one the app may have used)."""
    engine = create_engine(platform.db.url, poolclass=NullPool)
    return inspect(engine)


FIELDS = [
    {"id": "station", "type": "text"},
    {"id": "district", "type": "text"},
    {"id": "pm25", "type": "float"},
    {"id": "aqi", "type": "int"},
    {"id": "observed", "type": "timestamp"},
]
RECORDS = [
    {
        "station": "s1",
        "district": "310101",
        "pm25": 35.5,
        "aqi": 50,
        "observed": "2026-01-05T01:00:00",
    },
    {
        "station": "s2",
        "district": "310101",
        "pm25": 80.0,
        "aqi": 110,
        "observed": "2026-01-05T01:00:00",
    },
    {
        "station": "s3",
        "district": "310104",
        "pm25": 12.25,
        "aqi": 20,
        "observed": "2026-01-05T01:00:00",
    },
    {
        "station": "s4 东",
        "district": "310104",
        "pm25": None,
        "aqi": 75,
        "observed": "2026-01-05T02:00:00",
    },
]


@pytest.fixture
def table(call, catalogue):
    pkg = ok(call("package_show", {"id": "air-quality-hourly"}))
    resource_id = pkg["resources"][0]["id"]
    data = {
        "resource_id": resource_id,
        "fields": FIELDS,
        "records": RECORDS,
        "primary_key": "station",
        "indexes": ["district", "aqi", ["district", "aqi"]],
    }
    created = ok(call("datastore_create", data, headers=editor(catalogue)))
    assert created["fields"] == FIELDS
    return resource_id


def search(call, **data):
    return ok(call("datastore_search", data))


def test_create_makes_a_real_indexed_table_and_marks_the_resource(call, platform, table):
    name = "datastore_" + table.replace("-", "")
    inspector = schema(platform)
    assert name in inspector.get_table_names()
    indexed = {tuple(ix["column_names"]) for ix in inspector.get_indexes(name)}
    assert {("station",), ("district",), ("aqi",)} <= {c[:1] for c in indexed}
    assert sorted(indexed, key=len)[-1][:2] == ("district", "aqi")
    assert ok(call("resource_show", {"id": table}))["datastore_active"] is True


def test_search_returns_fields_records_and_total(call, table):
    result = search(call, resource_id=table)
    assert [f["id"] for f in result["fields"]] == [
        "_id",
        "station",
        "district",
        "pm25",
        "aqi",
        "observed",
    ]
    assert result["total"] == 4
    assert result["records"][0] == {
        "_id": 1, "station": "s1", "district": "310101", "pm25": 35.5, "aqi": 50,
        "observed": "2026-01-05T01:00:00",
    }  # fmt: skip


def test_filters_sort_limit_offset_and_fields(call, table):
    result = search(
        call,
        resource_id=table,
        filters={"district": "310104"},
        sort="aqi desc",
        fields=["station", "aqi"],
    )
    assert result["records"] == [{"station": "s4 东", "aqi": 75}, {"station": "s3", "aqi": 20}]
    assert result["total"] == 2
    page = search(
        call, resource_id=table, sort="pm25 asc, station", limit=2, offset=1, fields="station"
    )
    assert [r["station"] for r in page["records"]] == ["s3", "s1"]  # empty values sort first
    last = search(call, resource_id=table, sort="pm25 desc", fields="station")
    assert last["records"][-1] == {"station": "s4 东"}  # and last when descending
    many = search(call, resource_id=table, filters='{"aqi": [20, 110]}', sort="aqi")
    assert [r["station"] for r in many["records"]] == ["s3", "s2"]


def test_q_searches_the_text_fields(call, table):
    assert [r["station"] for r in search(call, resource_id=table, q="东")["records"]] == ["s4 东"]
    assert search(call, resource_id=table, q={"district": "3101"})["total"] == 4


def test_get_requests_work_with_json_parameters(call, table):
    result = ok(
        call(
            "datastore_search",
            {"resource_id": table, "filters": '{"station": "s2"}', "limit": "1"},
            get=True,
        )
    )
    assert result["records"][0]["aqi"] == 110


def test_upsert_updates_by_primary_key_and_inserts_new_rows(call, catalogue, table):
    records = [{"station": "s1", "aqi": 99}, {"station": "s9", "district": "310105", "aqi": 5}]
    ok(
        call(
            "datastore_upsert",
            {"resource_id": table, "records": records},
            headers=editor(catalogue),
        )
    )
    result = search(call, resource_id=table, filters={"station": ["s1", "s9"]}, sort="station")
    assert [(r["station"], r["aqi"], r["pm25"]) for r in result["records"]] == [
        ("s1", 99, 35.5),
        ("s9", 5, None),
    ]
    update = {"resource_id": table, "method": "update", "records": [{"station": "nope", "aqi": 1}]}
    err(call("datastore_upsert", update, headers=editor(catalogue)), 409, "Validation Error")
    assert search(call, resource_id=table)["total"] == 5


def test_writes_need_an_editor(call, catalogue, table, auth_headers):
    data = {"resource_id": table, "records": [{"station": "x"}]}
    err(call("datastore_upsert", data), 403, "Authorization Error")
    err(call("datastore_upsert", data, headers=auth_headers("analyst")), 403, "Authorization Error")
    pkg = ok(call("package_show", {"id": "bus-stops"}))
    create = {"resource_id": pkg["resources"][0]["id"], "fields": FIELDS}
    err(call("datastore_create", create, headers=editor(catalogue)), 403, "Authorization Error")


def test_create_with_a_new_resource(call, catalogue):
    data = {
        "resource": {"package_id": "noise-daily", "name": "levels"},
        "fields": [{"id": "db", "type": "float"}],
        "records": [{"db": 55.5}],
    }
    created = ok(call("datastore_create", data, headers=editor(catalogue)))
    assert search(call, resource_id=created["resource_id"])["records"] == [{"_id": 1, "db": 55.5}]


def test_a_private_datasets_table_is_not_searchable_without_rights(call, catalogue):
    data = {"resource": {"package_id": "draft-emissions"}, "fields": [{"id": "t", "type": "text"}]}
    created = ok(call("datastore_create", data, headers=editor(catalogue)))
    err(
        call("datastore_search", {"resource_id": created["resource_id"]}),
        403,
        "Authorization Error",
    )
    ok(call("datastore_search", {"resource_id": created["resource_id"]}, headers=editor(catalogue)))


@pytest.mark.parametrize(
    ("data", "status", "kind"),
    [
        ({}, 409, "Validation Error"),
        ({"resource_id": "missing"}, 404, "Not Found Error"),
        ({"filters": {"colour": "red"}}, 409, "Validation Error"),
        ({"filters": {"aqi": "many"}}, 409, "Validation Error"),
        ({"filters": "{broken"}, 409, "Validation Error"),
        ({"filters": ["aqi"]}, 409, "Validation Error"),
        ({"sort": "aqi sideways"}, 409, "Validation Error"),
        ({"sort": "secret desc"}, 409, "Validation Error"),
        ({"sort": "aqi; drop table x"}, 409, "Validation Error"),
        ({"fields": ["station", "password"]}, 409, "Validation Error"),
        ({"limit": 32001}, 409, "Validation Error"),
        ({"offset": -1}, 409, "Validation Error"),
        ({"q": {"aqi": "1"}}, 409, "Validation Error"),
    ],
)
def test_bad_search_parameters_are_ckan_errors(call, table, data, status, kind):
    data = {"resource_id": table, **data} if data and "resource_id" not in data else data
    err(call("datastore_search", data), status, kind)


def test_a_resource_without_a_table_is_not_found(call, catalogue):
    pkg = ok(call("package_show", {"id": "bus-stops"}))
    err(
        call("datastore_search", {"resource_id": pkg["resources"][0]["id"]}), 404, "Not Found Error"
    )


@pytest.mark.parametrize(
    "data",
    [
        {"fields": [{"id": "_id"}]},
        {"fields": [{"id": "a b"}]},
        {"fields": [{"id": 'x"; drop table users; --'}]},
        {"fields": [{"id": "a", "type": "blob"}]},
        {"fields": [{"id": "a"}, {"id": "a"}]},
        {"fields": [{"id": "a", "type": "int"}], "records": [{"a": "seven"}]},
        {"fields": [{"id": "a", "type": "int"}], "records": [{"b": 1}]},
        {"fields": [{"id": "a", "type": "int"}], "records": [{"a": 2**70}]},
        {"fields": [{"id": "a", "type": "text"}], "records": [{"a": "nul\x00"}]},
        {"fields": [{"id": "a"}], "primary_key": "b"},
    ],
)
def test_bad_tables_and_records_are_refused_and_change_nothing(call, catalogue, platform, data):
    pkg = ok(call("package_show", {"id": "noise-daily"}))
    before = set(schema(platform).get_table_names())
    body = {"resource": {"package_id": pkg["id"], "name": "x"}, **data}
    err(call("datastore_create", body, headers=editor(catalogue)), 409, "Validation Error")
    assert set(schema(platform).get_table_names()) == before
    assert ok(call("package_show", {"id": "noise-daily"}))["num_resources"] == 0


def test_replacing_a_packages_resources_drops_their_tables(call, catalogue, platform, table):
    name = "datastore_" + table.replace("-", "")
    ok(
        call(
            "package_update",
            {"id": "air-quality-hourly", "resources": []},
            headers=editor(catalogue),
        )
    )
    assert name not in schema(platform).get_table_names()
