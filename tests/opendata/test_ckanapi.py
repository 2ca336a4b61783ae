"""The real ckanapi client (PyPI) against a real server: its CLI dumps and searches the
catalogue, and its Python API reads, writes and gets CKAN's exceptions back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ckanapi
import pytest

from tests.opendata.test_actions import editor

CKANAPI = str(Path(sys.executable).parent / "ckanapi")


def run_cli(*args: str, cwd: Path) -> list[dict]:
    """Run the ckanapi command; its JSON lines output, parsed."""
    out = cwd / "out.jsonl"
    env = {**os.environ, "PATH": f"{Path(CKANAPI).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [CKANAPI, *args, "-O", str(out)], env=env, cwd=cwd, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line) for line in out.read_text().splitlines() if line.strip()]


def test_ckanapi_dump_datasets_all_matches_the_catalogue(live_server, catalogue, tmp_path):
    dumped = run_cli("dump", "datasets", "--all", "-q", "-r", live_server, cwd=tmp_path)
    assert sorted(d["name"] for d in dumped) == ["air-quality-hourly", "bus-stops", "noise-daily"]
    with ckanapi.RemoteCKAN(live_server) as ckan:
        for package in dumped:
            assert package == ckan.action.package_show(id=package["id"])


def test_ckanapi_dump_datasets_with_the_editors_key_includes_its_drafts(
    live_server, catalogue, tmp_path
):
    dumped = run_cli(
        "dump", "datasets", "--all", "--include-private", "-q", "-r", live_server,
        "-a", catalogue.editor_token, cwd=tmp_path,
    )  # fmt: skip
    assert "draft-emissions" in {d["name"] for d in dumped}
    assert "draft-roadworks" not in {d["name"] for d in dumped}


def test_ckanapi_dump_organizations_matches_the_catalogue(live_server, catalogue, tmp_path):
    dumped = run_cli("dump", "organizations", "--all", "-q", "-r", live_server, cwd=tmp_path)
    by_name = {o["name"]: o for o in dumped}
    assert set(by_name) == {"environment", "transport"}
    assert by_name["environment"]["title_translated"]["en"] == "Ecology and Environment Bureau"
    assert by_name["environment"]["package_count"] == 2


def test_ckanapi_search_datasets_pages_through_every_match(live_server, catalogue, tmp_path):
    for i in range(12):
        catalogue.create(
            {
                "name": f"extra-{i:02d}",
                "title": f"额外 {i}",
                "owner_org": "transport",
                "private": False,
            }
        )
    found = run_cli("search", "datasets", "q=额外", "-r", live_server, cwd=tmp_path)
    assert sorted(p["name"] for p in found) == [f"extra-{i:02d}" for i in range(12)]
    env = run_cli(
        "search",
        "datasets",
        "fq=organization:environment",
        "rows:1",
        "-r",
        live_server,
        cwd=tmp_path,
    )
    assert len(env) == 1 and env[0]["organization"]["name"] == "environment"


def test_ckanapi_python_calls_read_and_write(live_server, catalogue):
    with ckanapi.RemoteCKAN(live_server, apikey=catalogue.editor_token) as ckan:
        assert ckan.action.package_list() == ["air-quality-hourly", "bus-stops", "noise-daily"]
        created = ckan.action.package_create(
            name="river-levels", title="河道水位", owner_org="environment", tags=[{"name": "water"}]
        )
        ckan.action.resource_create(
            package_id=created["id"], name="levels", format="CSV", url="https://x.test/l.csv"
        )
        result = ckan.action.package_search(fq="tags:water", **{"facet.field": '["res_format"]'})
        assert result["count"] == 1
        assert result["search_facets"]["res_format"]["items"][0]["name"] == "CSV"
    with ckanapi.RemoteCKAN(live_server, get_only=True) as ckan:
        assert ckan.action.tag_list() == ["air", "city", "noise", "pm25", "water"]
        assert ckan.action.organization_show(id="environment")["package_count"] == 3


def test_ckanapi_gets_ckans_exceptions(live_server, catalogue):
    with ckanapi.RemoteCKAN(live_server) as ckan:
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id="missing")
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.action.package_show(id="draft-emissions")
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.action.package_create(name="nope-data", title="x", owner_org="environment")
        with pytest.raises(ckanapi.ValidationError) as caught:
            ckan.action.package_search(rows=5000)
        assert "rows" in caught.value.error_dict
        with pytest.raises(ckanapi.SearchQueryError):
            ckan.action.package_search(fq="nonsense:1")
        with pytest.raises(ckanapi.CKANAPIError):
            ckan.call_action("no_such_action")
    headers = editor(catalogue)
    assert headers["Authorization"].startswith("sck_")
