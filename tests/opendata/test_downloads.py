"""Uploaded resource files: stored with their size and hash, downloaded as a stream, and only by
those who may read the dataset."""

from __future__ import annotations

import hashlib
from pathlib import Path

import ckanapi

from tests.opendata.test_actions import editor, err, ok

CSV = b"station,pm25\ns1,35.5\ns2,80\n" * 2000


def test_ckanapi_uploads_a_file_that_downloads_unchanged(live_server, catalogue, tmp_path):
    import requests

    source = tmp_path / "readings.csv"
    source.write_bytes(CSV)
    with (
        ckanapi.RemoteCKAN(live_server, apikey=catalogue.editor_token) as ckan,
        source.open("rb") as fh,
    ):
        resource = ckan.action.resource_create(package_id="noise-daily", upload=fh)
    assert resource["format"] == "CSV" and resource["url_type"] == "upload"
    assert resource["size"] == len(CSV)
    assert resource["hash"] == "sha256:" + hashlib.sha256(CSV).hexdigest()
    assert resource["url"].startswith(live_server) and resource["url"].endswith("/readings.csv")
    response = requests.get(resource["url"], timeout=30)
    assert response.status_code == 200 and response.content == CSV
    assert response.headers["content-type"].startswith("text/csv")


def test_a_private_datasets_file_needs_rights_and_a_removed_resource_takes_its_file(
    client, catalogue, platform
):
    files = {"upload": ("levels.json", b'{"a": 1}', "application/json")}
    r = client.post(
        "/api/3/action/resource_create",
        data={"package_id": "draft-emissions", "name": "levels"},
        files=files,
        headers=editor(catalogue),
    )
    resource = ok(r)
    assert resource["format"] == "JSON"
    path = resource["url"].replace("http://testserver", "")
    assert client.get(path).status_code == 403
    assert client.get(path, headers=editor(catalogue)).content == b'{"a": 1}'
    stored = list((Path(platform.settings.data_dir) / "opendata").rglob(resource["id"]))
    assert len(stored) == 1
    body = {"id": "draft-emissions", "resources": []}
    ok(client.post("/api/3/action/package_update", json=body, headers=editor(catalogue)))
    assert not stored[0].exists()
    assert client.get(path, headers=editor(catalogue)).status_code == 404


def test_an_upload_without_rights_stores_nothing(client, catalogue, platform):
    files = {"upload": ("x.csv", b"a\n1\n", "text/csv")}
    r = client.post(
        "/api/3/action/resource_create", data={"package_id": "noise-daily"}, files=files
    )
    err(r, 403, "Authorization Error")
    assert not (Path(platform.settings.data_dir) / "opendata").exists()
    r = client.post(
        "/api/3/action/resource_create",
        data={"package_id": "noise-daily"},
        files={"upload": ("x.xls", b"a", "application/vnd.ms-excel")},
        headers=editor(catalogue),
    )
    err(r, 409, "Validation Error")


def test_a_link_resource_has_no_download(client, catalogue, call):
    pkg = ok(call("package_show", {"id": "bus-stops"}))
    rid = pkg["resources"][0]["id"]
    assert client.get(f"/dataset/bus-stops/resource/{rid}/download/x").status_code == 404
    assert client.get(f"/dataset/noise-daily/resource/{rid}/download/x").status_code == 404
