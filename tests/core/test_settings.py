"""Settings from SMARTCITY_* variables, a TOML file and defaults, in that order."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from smartcity.core.settings import describe, load_settings


def test_defaults_put_sqlite_under_var(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.resolved_database_url == "sqlite:///var/smartcity.db"
    assert settings.auth_required("geo") and settings.port == 8000


def test_environment_variables_with_the_prefix_are_read(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMARTCITY_DATABASE_URL", "postgresql+psycopg://u:pw@db:5432/city")
    monkeypatch.setenv("SMARTCITY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMARTCITY_SECRET_KEY", "a-long-enough-secret-value")
    settings = load_settings()
    assert settings.resolved_database_url.startswith("postgresql+psycopg://")
    assert settings.data_dir == tmp_path / "data"
    assert settings.signing_key() == "a-long-enough-secret-value"


def test_toml_file_is_read_and_environment_wins_over_it(monkeypatch, tmp_path):
    config = tmp_path / "city.toml"
    config.write_text('port = 9100\nlog_level = "debug"\n[auth]\ngeo = "off"\n')
    monkeypatch.setenv("SMARTCITY_PORT", "9200")
    settings = load_settings(config)
    assert settings.port == 9200 and settings.log_level == "debug"
    assert settings.auth_required("geo") is False
    monkeypatch.setenv("SMARTCITY_CONFIG", str(config))
    assert load_settings().log_level == "debug"


def test_a_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_auth_switches_per_api(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMARTCITY_AUTH_GEO", "off")
    monkeypatch.setenv("SMARTCITY_AUTH_ADMIN", "ON")
    settings = load_settings()
    assert settings.auth_required("geo") is False
    assert settings.auth_required("admin") is True
    assert settings.auth_required("ngsi_ld") is True
    monkeypatch.setenv("SMARTCITY_AUTH_GEO", "maybe")
    with pytest.raises(ValidationError, match="on or off"):
        load_settings()


@pytest.mark.parametrize("secret", ["changeme", "short", "password"])
def test_placeholder_or_short_secrets_are_refused(monkeypatch, tmp_path, secret):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMARTCITY_SECRET_KEY", secret)
    with pytest.raises(ValidationError, match="secret_key"):
        load_settings()


def test_bad_values_are_refused_naming_the_setting(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name, value in [
        ("SMARTCITY_PORT", "99999"),
        ("SMARTCITY_RATE_LIMIT", "fast"),
        ("SMARTCITY_LOG_LEVEL", "loud"),
    ]:
        monkeypatch.setenv(name, value)
        with pytest.raises(ValidationError) as info:
            load_settings()
        assert name.removeprefix("SMARTCITY_").lower() in str(info.value)
        monkeypatch.delenv(name)


def test_a_generated_signing_key_is_kept_private_and_stable(tmp_path):
    settings = load_settings(data_dir=tmp_path)
    key = settings.signing_key()
    assert len(key) >= 32 and settings.signing_key() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_describe_hides_secrets_and_database_passwords(tmp_path):
    settings = load_settings(
        data_dir=tmp_path,
        secret_key="a-long-enough-secret-value",
        database_url="postgresql+psycopg://city:hunter2-pw@db/city",
    )
    shown = describe(settings)
    assert shown["secret_key"] == "********"
    assert "hunter2-pw" not in str(shown)
    assert shown["database_url"] == "postgresql+psycopg://city:***@db/city"
