"""The console's login session: the identity model's signed token (JWT) in an HttpOnly cookie.

The cookie carries the same token `POST /api/auth/token` issues, so one signing key, expiry and
account check serve the API and the pages; the cookie is HttpOnly and SameSite=Lax, and Secure
when the request came over HTTPS.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response
from sqlalchemy.orm import Session

from smartcity.core.errors import Unauthenticated
from smartcity.platform import Platform
from smartcity.security import service as security
from smartcity.security.models import User
from smartcity.security.principal import Principal
from smartcity.security.roles import Role
from smartcity.security.tokens import issue_token, read_token

SESSION_COOKIE = "sc_session"
LANG_COOKIE = "sc_lang"
LANG_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page: the principal every service call acts for, and a name to show."""

    principal: Principal
    display_name: str

    @property
    def is_staff(self) -> bool:
        return self.principal.role is not None and self.principal.role is not Role.CITIZEN

    def can(self, permission: str) -> bool:
        return self.principal.can(permission)


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def start_session(platform: Platform, response: Response, request: Request, user: User) -> None:
    ttl = platform.settings.token_ttl_minutes
    token, _ = issue_token(
        key=platform.settings.signing_key(),
        user_id=user.id,
        tenant_id=user.tenant_id,
        role=user.role,
        now=platform.clock.now(),
        ttl_minutes=ttl,
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ttl * 60,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure(request),
    )


def end_session(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure(request)
    )


def read_viewer(request: Request, platform: Platform, session: Session) -> Viewer | None:
    """The signed-in user of this request, or None (no cookie, bad or expired token, inactive)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        claims = read_token(token, key=platform.settings.signing_key(), now=platform.clock.now())
    except Unauthenticated:
        return None
    user = session.get(User, claims.user_id)
    if user is None or user.tenant_id != claims.tenant_id or not user.active:
        return None
    return Viewer(security.principal_for_user(user), user.display_name or user.username)
