"""Password hashing with argon2id; verification never raises on a malformed hash."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# A hash of a random password, verified against when the user does not exist (equal timing).
_DUMMY_HASH = _hasher.hash("not-a-real-password-5c1f")

MIN_LENGTH = 10


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ValueError(f"password must have at least {MIN_LENGTH} characters")
    if password.isdigit() or password.isalpha():
        raise ValueError("password must mix letters with digits or symbols")


def generate_password() -> str:
    """A random password that passes check_strength, for users created without one."""
    return f"{secrets.token_urlsafe(12)}-{secrets.randbelow(90) + 10}"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
