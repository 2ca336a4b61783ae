"""package_search: q, fq, sort, paging, facets, private datasets, and its errors."""

from __future__ import annotations

import json

import pytest

from smartcity.opendata.search import FACETS
from tests.opendata.test_actions import editor, err, ok


def names(result):
    return [p["name"] for p in result["results"]]


def test_without_parameters_it_lists_public_datasets_newest_first(call, catalogue):
    result = ok(call("package_search", get=True))
    assert result["count"] == 3
    assert set(names(result)) == {"air-quality-hourly", "noise-daily", "bus-stops"}
    assert result["search_facets"] == {}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "noise"}, ["noise-daily"]),
        ({"q": "NOISE data"}, ["noise-daily"]),
        ({"q": "pm25"}, ["air-quality-hourly"]),
        ({"q": "*:*", "sort": "name asc"}, ["air-quality-hourly", "bus-stops", "noise-daily"]),
        ({"fq": "tags:air"}, ["air-quality-hourly"]),
        (
            {"fq": "organization:environment", "sort": "name desc"},
            ["noise-daily", "air-quality-hourly"],
        ),
        ({"fq": "+organization:environment -tags:noise"}, ["air-quality-hourly"]),
        ({"fq": "res_format:geojson"}, ["bus-stops"]),
        ({"fq": 'license_id:"odc-odbl"'}, ["bus-stops"]),
        ({"fq": "groups:air"}, ["air-quality-hourly"]),
        ({"fq": "theme:TRAN dataset_type:dataset"}, ["bus-stops"]),
        ({"q": "organization:transport"}, ["bus-stops"]),
        ({"q": "数据", "fq": "tags:noise"}, ["noise-daily"]),
        ({"q": "50%_"}, []),
    ],
)
def test_q_and_fq_select_datasets(call, catalogue, params, expected):
    params.setdefault("sort", "name asc")
    result = ok(call("package_search", params, get=True))
    assert names(result) == expected
    assert result["count"] == len(expected)


def test_rows_and_start_page_through_a_stable_order(call, catalogue):
    pages = [
        names(ok(call("package_search", {"rows": 1, "start": i, "sort": "name asc"})))
        for i in range(4)
    ]
    assert pages == [["air-quality-hourly"], ["bus-stops"], ["noise-daily"], []]
    assert ok(call("package_search", {"rows": 0}))["count"] == 3


def test_facets_count_the_matching_datasets(call, catalogue):
    result = ok(
        call(
            "package_search",
            {"facet.field": json.dumps(list(FACETS))},
            get=True,
        )
    )
    facets = result["search_facets"]
    orgs = {i["name"]: i["count"] for i in facets["organization"]["items"]}
    assert orgs == {"environment": 2, "transport": 1}
    assert facets["organization"]["items"][0]["display_name"] == "生态环境局"
    assert {i["name"]: i["count"] for i in facets["tags"]["items"]} == {
        "city": 2,
        "air": 1,
        "pm25": 1,
        "noise": 1,
    }
    assert facets["tags"]["items"][0]["name"] == "city"
    assert result["facets"]["res_format"] == {"CSV": 1, "GeoJSON": 1}
    assert result["facets"]["license_id"] == {"cc-by-4.0": 2, "odc-odbl": 1}
    assert result["facets"]["theme"] == {"ENVI": 2, "TRAN": 1}
    assert result["facets"]["groups"] == {"air": 1}
    limited = ok(call("package_search", {"facet.field": ["tags"], "facet.limit": 1}))
    assert limited["facets"]["tags"] == {"city": 2}


def test_private_datasets_are_searched_only_by_those_who_may_see_them(
    call, catalogue, auth_headers
):
    anonymous = ok(call("package_search", {"include_private": True, "q": "draft"}))
    assert anonymous["count"] == 0
    mine = ok(
        call("package_search", {"include_private": True, "q": "draft"}, headers=editor(catalogue))
    )
    assert names(mine) == ["draft-emissions"]
    assert mine["results"][0]["private"] is True
    without = ok(call("package_search", {"q": "draft"}, headers=editor(catalogue)))
    assert without["count"] == 0
    admin = ok(
        call(
            "package_search",
            {"include_private": True, "fq": "capacity:private"},
            headers=auth_headers("admin"),
        )
    )
    assert sorted(names(admin)) == ["draft-emissions", "draft-roadworks"]
    facets = ok(
        call("package_search", {"facet.field": '["organization"]', "include_private": True})
    )
    assert facets["facets"]["organization"] == {"environment": 2, "transport": 1}


@pytest.mark.parametrize(
    ("params", "status", "kind"),
    [
        ({"rows": 1001}, 409, "Validation Error"),
        ({"rows": "many"}, 409, "Validation Error"),
        ({"start": -1}, 409, "Validation Error"),
        ({"fq": "colour:blue"}, 400, "Search Query Error"),
        ({"fq": 'tags:"unclosed'}, 400, "Search Query Error"),
        ({"q": "a OR b"}, 400, "Search Query Error"),
        ({"sort": "name sideways"}, 400, "Search Query Error"),
        ({"sort": "password asc"}, 400, "Search Query Error"),
        ({"facet.field": "[tags"}, 400, "Search Query Error"),
        ({"facet.field": '["secret"]'}, 400, "Search Query Error"),
        ({"include_private": "perhaps"}, 409, "Validation Error"),
    ],
)
def test_bad_search_parameters_get_ckans_error(call, catalogue, params, status, kind):
    err(call("package_search", params, get=True), status, kind)
