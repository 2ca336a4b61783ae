"""Signed bearer tokens (JWT, HS256) with expiry, and API keys as prefix + hashed secret."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from smartcity.core.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "smartcity"
API_KEY_MARK = "sck"


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    tenant_id: int
    expires_at: datetime


def issue_token(
    *, key: str, user_id: int, tenant_id: int, role: str, now: datetime, ttl_minutes: int
) -> tuple[str, datetime]:
    expires = now + timedelta(minutes=ttl_minutes)
    claims = {
        "iss": ISSUER,
        "sub": str(user_id),
        "tid": tenant_id,
        "role": role,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM), expires


def read_token(token: str, *, key: str, now: datetime) -> TokenClaims:
    """Check signature, issuer and expiry against the platform clock."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"verify_exp": False, "require": ["exp", "sub", "tid", "iss"]},
        )
        user_id, tenant_id, exp = int(claims["sub"]), int(claims["tid"]), int(claims["exp"])
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise Unauthenticated("the bearer token is invalid") from exc
    if exp <= now.timestamp():
        raise Unauthenticated("the bearer token has expired; log in again")
    return TokenClaims(user_id, tenant_id, datetime.fromtimestamp(exp, now.tzinfo))


def new_api_key() -> tuple[str, str, str]:
    """(full key shown once, public prefix, hash of the secret kept at rest)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{API_KEY_MARK}_{prefix}_{secret}", prefix, hash_secret(secret)


def split_api_key(key: str) -> tuple[str, str] | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_MARK or len(parts[1]) != 12:
        return None
    return parts[1], parts[2]


def hash_secret(secret: str) -> str:
    # Keys carry 256 random bits, so one fast hash suffices (unlike passwords).
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
