"""The smartcity command: each subcommand works, and each mistake is one readable line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from smartcity.cli import app
from smartcity.security.models import ApiKey, AuditEntry, User
from smartcity.security.roles import Role

runner = CliRunner()


@pytest.fixture
def cli_env(platform, monkeypatch):
    monkeypatch.setenv("SMARTCITY_DATABASE_URL", platform.db.url)
    monkeypatch.setenv("SMARTCITY_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("SMARTCITY_SECRET_KEY", "cli-test-secret-0123456789")
    return platform


def invoke(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_every_command_has_help():
    commands = [
        [],
        ["serve"],
        ["db"],
        ["db", "upgrade"],
        ["db", "downgrade"],
        ["users", "create"],
        ["apikeys", "create"],
        ["geo", "import"],
        ["demo"],
        ["ingest"],
        ["config", "show"],
    ]
    for command in commands:
        result = invoke(*command, "--help")
        assert result.exit_code == 0, command
        assert "Usage" in result.output


def test_users_create_prints_a_generated_password_once_and_audits(cli_env):
    result = invoke("users", "create", "zhang.san", "--role", "supervisor")
    assert result.exit_code == 0, result.output
    assert "password (shown once)" in result.output
    with cli_env.db.session() as s:
        user = s.scalars(select(User).where(User.username == "zhang.san")).one()
        assert user.role == "supervisor"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
        assert entry.actor_kind == "cli" and entry.actor_name.startswith("cli:")


def test_users_create_with_a_bad_role_fails_with_one_line(cli_env):
    result = runner.invoke(
        app, ["users", "create", "li", "--role", "mayor", "--password", "x1" * 6]
    )
    assert result.exit_code == 1
    assert "unknown role 'mayor'" in result.output
    assert "Traceback" not in result.output


def test_apikeys_create_prints_the_key_and_stores_its_hash(cli_env):
    result = invoke("apikeys", "create", "--name", "station 5", "--scope", "geo:read")
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("sck_")
    with cli_env.db.session() as s:
        stored = s.scalars(select(ApiKey)).one()
        assert stored.scopes == ["geo:read"] and key.split("_", 2)[2] not in stored.secret_hash


def test_apikeys_create_with_an_unknown_scope_fails(cli_env):
    result = runner.invoke(app, ["apikeys", "create", "--name", "x", "--scope", "launch:rockets"])
    assert result.exit_code == 1 and "unknown scope" in result.output


def test_unknown_tenant_fails_with_one_line(cli_env):
    result = runner.invoke(
        app, ["users", "create", "li", "--role", "analyst", "--tenant", "nowhere"]
    )
    assert result.exit_code == 1 and "tenant 'nowhere' does not exist" in result.output


def test_config_show_hides_secrets(cli_env):
    result = invoke("config", "show", "--json")
    shown = json.loads(result.output)
    assert shown["secret_key"] == "********"
    assert "cli-test-secret" not in result.output


def test_bad_settings_fail_with_one_line(monkeypatch):
    monkeypatch.setenv("SMARTCITY_PORT", "not-a-port")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 1 and "invalid setting port" in result.output


def test_db_upgrade_and_downgrade_from_the_command_line(empty_database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SMARTCITY_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SMARTCITY_DATA_DIR", str(tmp_path))
    assert "needs `smartcity db upgrade`" in invoke("db", "current").output
    assert invoke("db", "upgrade").exit_code == 0
    assert "up to date" in invoke("db", "current").output
    assert "base (empty)" in invoke("db", "downgrade", "base").output


def test_an_unreachable_database_is_one_readable_line(monkeypatch, tmp_path):
    monkeypatch.setenv("SMARTCITY_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("SMARTCITY_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 1 and "the database cannot be used" in result.output


def test_the_installed_command_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "smartcity", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "serve" in result.stdout


def test_serve_refuses_an_unmigrated_database(empty_database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SMARTCITY_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SMARTCITY_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 1 and "smartcity db upgrade" in result.output


def test_demo_load_only_loads_the_city_prints_logins_and_exits(cli_env):
    result = invoke("demo", "--load-only")
    assert result.exit_code == 0, result.output
    assert "16 districts" in result.output
    for username in ("admin", "supervisor", "dispatcher", "handler", "analyst", "hotline"):
        assert f"  {username} " in result.output
    assert invoke("demo", "--load-only").exit_code == 0  # a second load changes nothing
    with cli_env.db.session() as s:
        assert len(s.scalars(select(User)).all()) == len(Role)  # one demo user a role


def _square(lon, lat, size=0.01):
    return [
        [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    ]


def test_geo_import_creates_areas_and_reports_repairs(cli_env, tmp_path):
    from smartcity.geo.models import District

    bow_tie = [[[120.6, 31.3], [120.7, 31.4], [120.7, 31.3], [120.6, 31.4], [120.6, 31.3]]]
    features = [
        {
            "type": "Feature",
            "properties": {"code": "320505", "name_zh": "虎丘区", "name_en": "Huqiu"},
            "geometry": {"type": "Polygon", "coordinates": _square(120.5, 31.2, 0.05)},
        },
        {
            "type": "Feature",
            "properties": {"code": "320506", "name_zh": "吴中区", "name_en": "Wuzhong"},
            "geometry": {"type": "Polygon", "coordinates": bow_tie},
        },
    ]
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    result = invoke("geo", "import", str(path), "--level", "district", "--tenant", "suzhou")
    assert result.exit_code == 0, result.output
    assert "320506" in result.output and "repaired" in result.output.lower()
    with cli_env.db.session() as s:
        codes = sorted(d.code for d in s.scalars(select(District)))
    assert codes == ["320505", "320506"]


def test_geo_import_of_a_bad_file_is_one_line_and_changes_nothing(cli_env, tmp_path):
    from smartcity.geo.models import District

    missing = runner.invoke(
        app, ["geo", "import", str(tmp_path / "none.geojson"), "--level", "district"]
    )
    assert missing.exit_code == 1 and "does not exist" in missing.output
    garbage = tmp_path / "garbage.geojson"
    garbage.write_text("{not json")
    assert (
        "is not JSON"
        in runner.invoke(app, ["geo", "import", str(garbage), "--level", "district"]).output
    )
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "31010"},
                        "geometry": {"type": "Polygon", "coordinates": _square(121.4, 31.2)},
                    }
                ],
            }
        )
    )
    result = runner.invoke(app, ["geo", "import", str(bad), "--level", "district"])
    assert result.exit_code == 1 and "code" in result.output and "Traceback" not in result.output
    wrong_level = runner.invoke(app, ["geo", "import", str(bad), "--level", "planet"])
    assert wrong_level.exit_code == 1
    with cli_env.db.session() as s:
        assert s.scalars(select(District)).all() == []


def test_ingest_without_a_broker_fails_with_one_line(cli_env):
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 1 and "no MQTT broker" in result.output


def test_ingest_with_a_bad_broker_url_fails_with_one_line(cli_env):
    result = runner.invoke(app, ["ingest", "--mqtt-url", "http://127.0.0.1:1883"])
    assert result.exit_code == 1 and "must start with mqtt://" in result.output


def test_ingest_with_an_unreachable_broker_fails_with_one_line(cli_env):
    result = runner.invoke(app, ["ingest", "--mqtt-url", "mqtt://u:secret@127.0.0.1:1"])
    assert result.exit_code == 1
    assert "the MQTT broker at mqtt://u:***@127.0.0.1:1 cannot be reached" in result.output
    assert "secret" not in result.output


def test_config_show_lists_the_mqtt_settings_with_the_password_hidden(cli_env, monkeypatch):
    monkeypatch.setenv("SMARTCITY_MQTT_URL", "mqtt://ingest:hunter22@broker:1883")
    monkeypatch.setenv("SMARTCITY_MQTT_SHARE_GROUP", "ingest")
    shown = json.loads(invoke("config", "show", "--json").output)
    assert shown["mqtt_url"] == "mqtt://ingest:***@broker:1883"
    assert shown["mqtt_share_group"] == "ingest" and shown["mqtt_batch_messages"] == 500


def test_bad_mqtt_settings_fail_with_one_line(monkeypatch):
    monkeypatch.setenv("SMARTCITY_MQTT_PROTOCOL", "4")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 1 and "invalid setting mqtt_protocol" in result.output
