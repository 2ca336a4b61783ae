"""Per-device credentials: an HTTP API key and an MQTT username/password, issued and checked here
and kept only as hashes.

Both secrets are generated with 256 (key) or 192 (password) random bits, so the security part's
fast key hash suffices (`security.tokens.hash_secret`), which also keeps authenticating
thousands of MQTT connections cheap; user-chosen passwords would need argon2 instead.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.core.errors import Unauthenticated
from smartcity.security.models import Tenant
from smartcity.security.tokens import hash_secret, secret_matches
from smartcity.sensing.models import Device

DEVICE_KEY_MARK = "scd"  # smartcity device; application and user keys are "sck"
CredentialKind = Literal["api_key", "mqtt"]
CREDENTIAL_KINDS: tuple[CredentialKind, ...] = ("api_key", "mqtt")


@dataclass(frozen=True)
class IssuedCredentials:
    """Secrets as issued: returned once, at creation or rotation, and never stored."""

    device_id: str
    issued_at: datetime
    api_key: str | None = None
    mqtt_username: str | None = None
    mqtt_password: str | None = None


def new_device_key() -> tuple[str, str, str]:
    """(full key shown once, public prefix, hash of the secret kept at rest)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{DEVICE_KEY_MARK}_{prefix}_{secret}", prefix, hash_secret(secret)


def split_device_key(key: str) -> tuple[str, str] | None:
    """(prefix, secret) of a device key, or None when it is not shaped like one."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != DEVICE_KEY_MARK or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1], parts[2]


def new_mqtt_password() -> tuple[str, str]:
    """(password shown once, its hash)."""
    password = secrets.token_urlsafe(24)
    return password, hash_secret(password)


def mqtt_username(device_id: str, tenant_slug: str) -> str:
    """Unique across tenants, in the platform's `name@tenant` way of naming logins."""
    return f"{device_id}@{tenant_slug}"


def matches(secret: str, stored_hash: str | None) -> bool:
    return stored_hash is not None and secret_matches(secret, stored_hash)


def issue(
    session: Session, device: Device, kinds: Sequence[str], now: datetime
) -> IssuedCredentials:
    """Give the device fresh credentials of these kinds; the old ones, and other kinds, stop."""
    api_key = password = username = None
    device.api_key_prefix = device.api_key_hash = None
    device.mqtt_username = device.mqtt_password_hash = None
    if "api_key" in kinds:
        api_key, device.api_key_prefix, device.api_key_hash = new_device_key()
    if "mqtt" in kinds:
        tenant = session.get(Tenant, device.tenant_id)
        assert tenant is not None
        username = mqtt_username(device.device_id, tenant.slug)
        password, device.mqtt_password_hash = new_mqtt_password()
        device.mqtt_username = username
    device.credentials_issued_at = now if kinds else None
    return IssuedCredentials(
        device_id=device.device_id,
        issued_at=now,
        api_key=api_key,
        mqtt_username=username,
        mqtt_password=password,
    )


def authenticate_api_key(session: Session, raw: str) -> Device:
    """The device holding this API key; retired devices and wrong keys are refused alike."""
    parts = split_device_key(raw.strip())
    device = (
        session.scalar(select(Device).where(Device.api_key_prefix == parts[0])) if parts else None
    )
    if parts is None or device is None or not matches(parts[1], device.api_key_hash):
        raise Unauthenticated("the device key is not valid")
    if device.status == "retired":
        raise Unauthenticated("the device is retired")
    return device


def authenticate_mqtt(session: Session, username: str, password: str) -> Device:
    """The device of an MQTT CONNECT's username and password (for the ingestion worker)."""
    device = session.scalar(select(Device).where(Device.mqtt_username == username))
    if device is None or not matches(password, device.mqtt_password_hash):
        raise Unauthenticated("bad MQTT username or password")
    if device.status == "retired":
        raise Unauthenticated("the device is retired")
    return device
