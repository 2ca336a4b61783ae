"""Bulk import from CSV (API and CLI): bad rows reported with row and reason, good rows kept,
importing again updates by device id and otherwise changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from smartcity.cli import app
from smartcity.sensing.models import Device
from tests.sensing.conftest import inside


def _csv(*rows: str, header: str = "device_id,type,lon,lat,model,department") -> str:
    return "\n".join([header, *rows]) + "\n"


def _row(device_id: str, cell, kind: str = "noise_monitor", model: str = "", dept: str = ""):
    lon, lat = inside(cell)
    return f"{device_id},{kind},{lon},{lat},{model},{dept}"


def test_good_rows_are_kept_and_each_bad_row_is_reported(devices, city):
    cells, department = city.cells, city.departments[0].code
    text = _csv(
        _row("N-1", cells[0], model="NM-1", dept=department),  # row 2
        _row("N-2", cells[1], kind="toaster"),  # row 3: unknown type
        "N-3,noise_monitor,200,31.2,,",  # row 4: longitude out of range
        _row("N-4", cells[2], dept="nobody"),  # row 5: unknown department
        _row("N-1", cells[3]),  # row 6: repeats row 2
        "N-6,noise_monitor,116.4,39.9,,",  # row 7: outside the city
        ",noise_monitor,121.4,31.2,,",  # row 8: no device id
        _row("N-8", cells[4]) + ",extra",  # row 9: more cells than columns
        "",  # a blank line is skipped, not reported
        _row("N-9", cells[5], kind="parking_spot"),  # row 11
    )
    response = devices.import_csv(text)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["created"] == ["N-1", "N-9"] and report["updated"] == []
    errors = {e["row"]: (e["device_id"], e["field"]) for e in report["errors"]}
    assert errors == {
        3: ("N-2", "type"),
        4: ("N-3", "lon"),
        5: ("N-4", "department"),
        6: ("N-1", "device_id"),
        7: ("N-6", "lon"),
        8: (None, "device_id"),
        9: ("N-8", None),
    }
    assert all(e["message"] for e in report["errors"])
    assert [i["device_id"] for i in report["issued"]] == ["N-1", "N-9"]
    assert all(i["api_key"] and i["mqtt_password"] for i in report["issued"])
    listed = devices.list()["items"]
    assert [d["device_id"] for d in listed] == ["N-1", "N-9"]
    assert listed[0]["department"] == department and listed[0]["cell_code"] == cells[0].code


def test_importing_again_changes_nothing_and_issues_nothing(devices, city, platform):
    text = _csv(_row("R-1", city.cells[0], model="a"), _row("R-2", city.cells[1], model="b"))
    first = devices.import_csv(text).json()
    before = devices.get("R-1").json()
    again = devices.import_csv(text).json()
    assert (again["created"], again["updated"], again["unchanged"]) == ([], [], 2)
    assert again["issued"] == [] and again["errors"] == []
    assert devices.get("R-1").json() == before
    assert first["issued"][0]["api_key"] not in devices.get("R-1").text
    with platform.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Device)) == 2


def test_a_changed_row_updates_its_device_and_empty_cells_leave_fields_alone(devices, city):
    department = city.departments[2].code
    devices.import_csv(_csv(_row("U-1", city.cells[0], model="old", dept=department)))
    issued_at = devices.get("U-1").json()["credentials_issued_at"]
    changed = _csv(_row("U-1", city.cells[9], kind="streetlight"))  # model, department empty
    report = devices.import_csv(changed).json()
    assert report["updated"] == ["U-1"] and report["issued"] == []
    device = devices.get("U-1").json()
    assert device["type"] == "streetlight" and device["cell_code"] == city.cells[9].code
    assert device["model"] == "old" and device["department"] == department
    assert device["entity_id"] == "urn:ngsi-ld:Streetlight:U-1"
    assert device["credentials_issued_at"] == issued_at


def test_optional_columns_set_status_entity_and_credentials(devices, city):
    lon, lat = inside(city.cells[0])
    text = (
        "device_id,type,lon,lat,name,entity_id,status,credentials\n"
        f"O-1,smoke_detector,{lon},{lat},一号楼烟感,urn:ngsi-ld:Building:B1,faulty,api_key\n"
        f"O-2,smoke_detector,{lon},{lat},,,,none\n"
    )
    report = devices.import_csv(text).json()
    assert report["errors"] == []
    one, two = devices.get("O-1").json(), devices.get("O-2").json()
    assert (one["name"], one["status"], one["entity_id"]) == (
        "一号楼烟感",
        "faulty",
        "urn:ngsi-ld:Building:B1",
    )
    assert one["credentials"] == ["api_key"] and two["credentials"] == []
    assert report["issued"][0]["mqtt_password"] is None


def test_a_spreadsheets_gb18030_file_with_a_header_in_capitals_is_read(devices, city):
    lon, lat = inside(city.cells[0])
    text = f"Device_ID,Type,Lon,Lat,Name\nG-1,noise_monitor,{lon},{lat},南京路噪声\n"
    response = devices.request(
        "POST",
        "/import",
        content=text.encode("gb18030"),
        headers={"Content-Type": "text/csv; charset=gb18030"},
    )
    assert response.status_code == 200, response.text
    assert devices.get("G-1").json()["name"] == "南京路噪声"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("device_id,type,lon\nX,noise_monitor,1\n", "missing column(s) lat"),
        ("device_id,type,lon,lat,colour\n", "unknown column(s) 'colour'"),
        ("device_id,type,lon,lat,lat\n", "appear twice"),
        ("\x00\x01binary", "NUL"),
    ],
)
def test_a_file_that_is_not_a_device_list_is_refused_whole(devices, text, message):
    response = devices.import_csv(text)
    assert response.status_code == 422, response.text
    assert message in response.json()["error"]["message"]
    assert devices.list()["total"] == 0


def test_only_csv_is_accepted(devices):
    response = devices.request(
        "POST", "/import", json=[{"device_id": "J-1"}], headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.fixture
def cli_env(platform, monkeypatch):
    monkeypatch.setenv("SMARTCITY_DATABASE_URL", platform.db.url)
    monkeypatch.setenv("SMARTCITY_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("SMARTCITY_SECRET_KEY", "cli-test-secret-0123456789")
    return platform


def test_the_cli_imports_a_file_and_writes_the_credentials_once(cli_env, city, tmp_path, devices):
    source = tmp_path / "devices.csv"
    source.write_text(_csv(_row("CLI-1", city.cells[0]), _row("CLI-2", city.cells[1], "x")))
    secrets = tmp_path / "secrets.csv"
    result = CliRunner().invoke(
        app, ["devices", "import", str(source), "--credentials-out", str(secrets)]
    )
    assert result.exit_code == 2, result.output  # one row was bad
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in result.output
    assert "row 3 (CLI-2) type:" in result.output
    assert "scd_" not in result.output
    lines = secrets.read_text().splitlines()
    assert lines[0] == "device_id,api_key,mqtt_username,mqtt_password"
    assert lines[1].startswith("CLI-1,scd_") and (secrets.stat().st_mode & 0o777) == 0o600
    assert devices.get("CLI-1").json()["cell_code"] == city.cells[0].code
    again = CliRunner().invoke(app, ["devices", "import", str(source)])
    assert "0 created, 0 updated, 1 unchanged, 1 rejected" in again.output
    assert "shown once" not in again.output


def test_the_cli_prints_credentials_without_a_file_and_refuses_a_missing_file(
    cli_env, city, tmp_path
):
    source = tmp_path / "devices.csv"
    source.write_text(_csv(_row("CLI-3", city.cells[0])))
    result = CliRunner().invoke(app, ["devices", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "CLI-3,scd_" in result.output and "CLI-3@shanghai" in result.output
    missing = CliRunner().invoke(app, ["devices", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "does not exist" in missing.output
