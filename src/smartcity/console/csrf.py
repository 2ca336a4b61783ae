"""CSRF protection for every console form: a signed double-submit token.

The browser holds a random nonce and its HMAC (under the platform's signing key) in an HttpOnly,
SameSite=Lax cookie; every form carries the same value in a hidden field (scripts send it as
`X-CSRF-Token`, read from the page's meta tag). A POST whose field and cookie differ, or whose
cookie was not signed here, is refused before anything changes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from smartcity.core.errors import Forbidden
from smartcity.platform import Platform

CSRF_COOKIE = "sc_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class CsrfRefused(Forbidden):
    code = "csrf_failed"


def _signature(platform: Platform, nonce: str) -> str:
    key = platform.settings.signing_key().encode()
    return hmac.new(key, f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def _valid(platform: Platform, token: str | None) -> bool:
    if not token or token.count(".") != 1:
        return False
    nonce, signature = token.split(".")
    return hmac.compare_digest(signature, _signature(platform, nonce))


def csrf_token(request: Request, platform: Platform) -> str:
    """This browser's token: the one its cookie holds, or a new one (set by `remember`)."""
    existing = request.cookies.get(CSRF_COOKIE)
    if _valid(platform, existing):
        assert existing is not None
        return existing
    fresh = getattr(request.state, "csrf_fresh", None)
    if fresh is None:
        nonce = secrets.token_urlsafe(18)
        fresh = request.state.csrf_fresh = f"{nonce}.{_signature(platform, nonce)}"
    return fresh


def remember(request: Request, response: Response) -> None:
    """Set the cookie of a token made for this response."""
    fresh = getattr(request.state, "csrf_fresh", None)
    if fresh is not None:
        response.set_cookie(
            CSRF_COOKIE,
            fresh,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


def check(request: Request, platform: Platform, submitted: str | None) -> None:
    """Refuse the request unless `submitted` (form field or header) matches a signed cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if submitted is None:
        submitted = request.headers.get(CSRF_HEADER)
    if not _valid(platform, cookie) or not submitted or not hmac.compare_digest(submitted, cookie):
        raise CsrfRefused("the form has expired or did not come from this site; reload and retry")
