"""The reporter's contact at rest: AES-GCM under a key derived from the platform's secret, and
the masked forms (138****5678, 张*) shown to everyone without the right to see it whole."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from smartcity.core.errors import ValidationFailed

_NONCE = 12
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{3,30}[0-9]$")


@dataclass(frozen=True)
class Contact:
    """A reporter's contact in clear, as given or as decrypted for those allowed to see it."""

    name: str | None = None
    phone: str | None = None


@lru_cache(maxsize=8)
def _key(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"smartcity.cases", info=purpose).derive(
        secret.encode()
    )


def contact_key(secret: str) -> bytes:
    """The AES-256 key for contacts, derived (HKDF-SHA256) from the platform's signing key."""
    return _key(secret, b"case-contact-v1")


def tracking_key(secret: str) -> bytes:
    """The HMAC key from which citizens' tracking tokens are derived."""
    return _key(secret, b"case-tracking-v1")


def encrypt(key: bytes, text: str | None, bound_to: str) -> bytes | None:
    """Nonce and ciphertext; `bound_to` (the case and field) is authenticated, so a ciphertext
    copied onto another case or field does not decrypt."""
    if text is None:
        return None
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, text.encode(), bound_to.encode())


def decrypt(key: bytes, blob: bytes | None, bound_to: str) -> str | None:
    if blob is None:
        return None
    return AESGCM(key).decrypt(blob[:_NONCE], blob[_NONCE:], bound_to.encode()).decode()


def clean_contact(name: str | None, phone: str | None) -> Contact:
    """The contact as stored: trimmed, the phone checked for digits and separators only."""
    name = name.strip() if name else None
    phone = phone.strip() if phone else None
    if name is not None and (len(name) > 100 or "\x00" in name):
        raise ValidationFailed("contact.name must be at most 100 characters", field="contact.name")
    if phone is not None and not _PHONE.match(phone):
        raise ValidationFailed(
            "contact.phone must be a phone number (digits, spaces, dashes, an optional +)",
            field="contact.phone",
        )
    return Contact(name or None, phone or None)


def mask_phone(phone: str | None) -> str | None:
    """138****5678: the first three and last four digits of an 11-digit number, less of shorter."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    keep = max(1, len(digits) // 4)
    return "*" * (len(digits) - keep) + digits[-keep:]


def mask_name(name: str | None) -> str | None:
    """张*, 欧阳**, J***: the first character only."""
    if not name:
        return None
    return name[0] + "*" * max(1, len(name) - 1)
