"""The one id scheme: integer keys in tables, random url-safe tokens for everything public."""

from __future__ import annotations

import re
import secrets

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def new_token(nbytes: int = 16) -> str:
    """A random url-safe token (secrets, request ids, key prefixes)."""
    return secrets.token_urlsafe(nbytes)


def new_request_id() -> str:
    return secrets.token_hex(8)


def valid_request_id(value: str | None) -> bool:
    """Whether a client-sent X-Request-ID is safe to echo into logs and headers."""
    return bool(value) and bool(_REQUEST_ID.match(value or ""))
