"""API shapes of the device registry: what a device is given as, shown as, and imported from."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from smartcity.geo.schemas import DEPARTMENT_CODE
from smartcity.sensing.credentials import CredentialKind
from smartcity.sensing.device_types import DeviceKind

DEVICE_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
# A URI (scheme ":" something), as NGSI-LD entity ids must be; no spaces or characters URIs forbid.
ENTITY_ID = r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$"
Status = Literal["active", "silent", "faulty", "retired"]
STATUSES: tuple[str, ...] = ("active", "silent", "faulty", "retired")


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


def _unique_kinds(value: list[str] | None) -> list[str] | None:
    if value is not None and len(set(value)) != len(value):
        raise ValueError("name each credential kind once")
    return value


class DeviceCreate(BaseModel):
    """A device to register; its credential is generated and shown once in the answer."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    device_id: str = Field(
        pattern=DEVICE_ID, description="stable code, unique in the city: letters, digits, . _ -"
    )
    type: DeviceKind
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="WGS 84 longitude")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="WGS 84 latitude")
    name: str = Field(default="", max_length=200, description="a label for people")
    model: str = Field(default="", max_length=200, description="manufacturer and model")
    department: str | None = Field(
        default=None, pattern=DEPARTMENT_CODE.pattern, description="owner department's code"
    )
    entity_id: str | None = Field(
        default=None,
        max_length=256,
        pattern=ENTITY_ID,
        description="the NGSI-LD entity it feeds; default urn:ngsi-ld:<Smart Data Model>:<id>",
    )
    status: Status = "active"
    credentials: list[CredentialKind] = Field(
        default_factory=lambda: ["api_key", "mqtt"],
        max_length=2,
        description="which credentials to issue: api_key (HTTP) and/or mqtt",
    )

    _text = field_validator("name", "model")(_no_nul)
    _kinds = field_validator("credentials")(_unique_kinds)


class DeviceUpdate(BaseModel):
    """Changes to a device; only what is sent changes (`department: null` removes the owner,
    `entity_id: null` restores the default)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: DeviceKind | None = None
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    name: str | None = Field(default=None, max_length=200)
    model: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, pattern=DEPARTMENT_CODE.pattern)
    entity_id: str | None = Field(default=None, max_length=256, pattern=ENTITY_ID)
    status: Status | None = None

    _text = field_validator("name", "model")(_no_nul)


class CredentialsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kinds: list[CredentialKind] | None = Field(
        default=None,
        max_length=2,
        description="the credentials the device holds afterwards; default: those it holds now "
        "(both when it holds none)",
    )

    _kinds = field_validator("kinds")(_unique_kinds)


class DeviceOut(BaseModel):
    device_id: str
    name: str
    type: DeviceKind
    type_name_zh: str
    type_name_en: str
    sdm_type: str = Field(description="the Smart Data Model of the entity it feeds")
    model: str
    department: str | None = Field(description="owner department's code")
    lon: float
    lat: float
    cell_code: str | None = Field(description="unit grid cell holding the device")
    community_code: str | None
    street_code: str | None
    district_code: str | None
    entity_id: str = Field(description="the NGSI-LD entity the device feeds")
    device_entity_id: str = Field(description="the NGSI-LD Device entity describing it")
    status: Status
    last_seen_at: datetime | None
    battery_level: float | None = Field(description="0.0 empty to 1.0 full, when reported")
    rssi_dbm: float | None = Field(description="signal strength in dBm, when reported")
    credentials: list[CredentialKind] = Field(description="credentials the device holds")
    api_key_prefix: str | None = Field(description="public part of its API key")
    mqtt_username: str | None
    credentials_issued_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CredentialsOut(BaseModel):
    """Secrets shown once: store them in the device now; only their hashes are kept."""

    device_id: str
    issued_at: datetime
    api_key: str | None = Field(description="send as X-API-Key")
    mqtt_username: str | None
    mqtt_password: str | None


class DeviceCreated(DeviceOut):
    issued: CredentialsOut = Field(description="the credentials, shown only now")


class DevicePage(BaseModel):
    items: list[DeviceOut]
    total: int
    limit: int
    offset: int


class DeviceTypeOut(BaseModel):
    type: DeviceKind
    name_zh: str
    name_en: str
    sdm_type: str
    device_category: list[str]
    controlled_property: list[str]


class ImportErrorOut(BaseModel):
    row: int = Field(description="row in the file, the header being row 1")
    device_id: str | None
    field: str | None
    message: str


class ImportReportOut(BaseModel):
    created: list[str]
    updated: list[str]
    unchanged: int
    errors: list[ImportErrorOut]
    issued: list[CredentialsOut] = Field(description="credentials of created devices, shown once")
