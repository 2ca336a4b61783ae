"""Settings: environment variables prefixed SMARTCITY_, then an optional TOML file, then defaults.

They are read once, when the CLI or the app starts (never at import).
"""

from __future__ import annotations

import os
import secrets
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from limits import parse as parse_rate
from pydantic import Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ENV_PREFIX = "SMARTCITY_"
DEFAULT_CONFIG_FILE = "smartcity.toml"
PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "password", "please-change"}
_config_file: ContextVar[Path | None] = ContextVar("smartcity_config_file", default=None)

_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}


def parse_switch(value: Any, name: str) -> bool:
    """Read on/off, true/false, 1/0 (any case) as a bool, or say which setting is wrong."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name} must be on or off, not {value!r}")


class TomlSource(PydanticBaseSettingsSource):
    """Values from the TOML file named by SMARTCITY_CONFIG (or ./smartcity.toml when present)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self.path = config_file_path()
        self.data: dict[str, Any] = {}
        if self.path is not None:
            with self.path.open("rb") as fh:
                self.data = tomllib.load(fh)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self.data.items() if k in self.settings_cls.model_fields}


class AuthSwitchSource(PydanticBaseSettingsSource):
    """SMARTCITY_AUTH_<API>=off turns authentication off for one API (local development)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        switches = {
            key[len(ENV_PREFIX + "AUTH_") :].lower(): value
            for key, value in os.environ.items()
            if key.startswith(ENV_PREFIX + "AUTH_")
        }
        return {"auth": switches} if switches else {}


def config_file_path() -> Path | None:
    explicit = _config_file.get() or os.environ.get(ENV_PREFIX + "CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ValueError(f"config file {path} does not exist")
        return path
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


class Settings(BaseSettings):
    """What the platform runs with; `smartcity config show` prints it with secrets hidden."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", validate_default=True)

    data_dir: Path = Field(Path("var"), description="Where the embedded database and files live.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in data_dir.")
    secret_key: SecretStr | None = Field(None, description="Signs tokens; generated if unset.")
    token_ttl_minutes: int = Field(60, ge=1, le=7 * 24 * 60)
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64, description="Server processes of `smartcity serve`.")
    default_tenant: str = Field("shanghai", pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    rate_limit: str = Field("1200/minute", description="Default requests per key, e.g. 600/minute.")
    auth: dict[str, bool] = Field(default_factory=dict, description="Per-API auth switches.")
    log_level: str = Field("info", pattern=r"^(debug|info|warning|error)$")
    log_json: bool = True
    max_body_bytes: int = Field(20 * 1024 * 1024, ge=1024)
    mqtt_url: str = Field(
        "", description="External MQTT broker, mqtt://user:pass@host:1883; empty: the embedded one."
    )
    mqtt_client_id: str = Field(
        "smartcity-ingest",
        pattern=r"^[A-Za-z0-9_.-]{1,64}$",
        description="The ingestion worker's client id: its persistent session on the broker.",
    )
    mqtt_share_group: str = Field(
        "",
        pattern=r"^[A-Za-z0-9_.-]{0,64}$",
        description="Shared subscription group ($share/<group>/…) of the workers; empty: none.",
    )
    mqtt_topic: str = Field(
        "city/+/+/+/attrs",
        pattern=r"^city/[^#$]+/attrs$",
        description="Topic filter of the readings; one tenant: city/shanghai/+/+/attrs.",
    )
    mqtt_protocol: str = Field(
        "5", pattern=r"^(5|3\.1\.1)$", description="MQTT version the worker speaks: 5 or 3.1.1."
    )
    mqtt_batch_messages: int = Field(
        500, ge=1, le=20_000, description="Messages stored (and acknowledged) together."
    )
    mqtt_batch_window_ms: int = Field(
        200, ge=1, le=60_000, description="Longest wait (ms) to fill a batch before storing it."
    )
    context_allowed_hosts: str = Field(
        "", description="Hosts (comma-separated) that user @context URLs may be fetched from."
    )
    notify_allow_private: bool = Field(
        False, description="Let subscriptions notify loopback and private addresses."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            AuthSwitchSource(settings_cls),
            env_settings,
            TomlSource(settings_cls),
        )

    @field_validator("auth", mode="before")
    @classmethod
    def _auth_switches(cls, value: Any) -> dict[str, bool]:
        if not isinstance(value, dict):
            raise ValueError("auth must map API names to on/off")
        return {str(k).lower(): parse_switch(v, f"auth.{k}") for k, v in value.items()}

    @field_validator("secret_key")
    @classmethod
    def _refuse_placeholders(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        raw = value.get_secret_value()
        if raw.lower() in PLACEHOLDER_SECRETS or len(raw) < 16:
            raise ValueError("secret_key must be at least 16 characters and not a placeholder")
        return value

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        try:
            parse_rate(value)
        except ValueError as exc:
            raise ValueError(f"rate_limit {value!r} is not like '600/minute'") from exc
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'smartcity.db').as_posix()}"

    def auth_required(self, api: str) -> bool:
        """Whether an API (geo, admin, ngsi_ld …) requires credentials; on unless switched off."""
        return self.auth.get(api, True)

    def signing_key(self) -> str:
        """The secret that signs tokens: the configured one, else one kept in data_dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Read the settings once; an explicit config file wins over SMARTCITY_CONFIG."""
    token = _config_file.set(config_file)
    try:
        return Settings(**overrides)
    finally:
        _config_file.reset(token)


def describe(settings: Settings) -> dict[str, Any]:
    """The settings in force, as plain values, with secrets and URL passwords hidden."""
    from sqlalchemy.engine import make_url

    shown: dict[str, Any] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = "********"
        elif value is None and name == "secret_key":
            value = "(generated, kept in data_dir/secret_key)"
        elif isinstance(value, Path):
            value = str(value)
        shown[name] = value
    url = make_url(settings.resolved_database_url)
    shown["database_url"] = url.render_as_string(hide_password=True)
    if settings.mqtt_url:
        mqtt = make_url(settings.mqtt_url.replace("mqtt://", "mqtt+x://", 1))
        shown["mqtt_url"] = mqtt.render_as_string(hide_password=True).replace("mqtt+x", "mqtt")
    return shown
