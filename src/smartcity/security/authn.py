"""Turn a request's credentials into a principal, rate-limit it, and authorize it."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from smartcity.core.errors import Forbidden, Unauthenticated
from smartcity.platform import Platform
from smartcity.security import service
from smartcity.security.models import User
from smartcity.security.principal import Principal
from smartcity.security.roles import PERMISSIONS
from smartcity.security.tokens import API_KEY_MARK, read_token


def credentials(request: Request) -> tuple[str, str] | None:
    """('apikey' | 'bearer', value) from X-API-Key or Authorization, or None."""
    key = request.headers.get("x-api-key")
    if key:
        return "apikey", key.strip()
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() not in ("bearer", "apikey") or not value:
        raise Unauthenticated("use 'Authorization: Bearer <token>' or an X-API-Key header")
    if scheme.lower() == "apikey" or value.startswith(API_KEY_MARK + "_"):
        return "apikey", value
    return "bearer", value


def authenticate(request: Request, platform: Platform, session: Session) -> Principal | None:
    found = credentials(request)
    if found is None:
        return None
    kind, value = found
    if kind == "apikey":
        key, principal = service.authenticate_api_key(session, platform.clock, value)
        platform.limiter.hit(principal.rate_key, key.rate_limit)
        return principal
    claims = read_token(value, key=platform.settings.signing_key(), now=platform.clock.now())
    user = session.get(User, claims.user_id)
    if user is None or user.tenant_id != claims.tenant_id or not user.active:
        raise Unauthenticated("the account of this token is no longer active")
    principal = service.principal_for_user(user)
    platform.limiter.hit(principal.rate_key)
    return principal


_API_PERMISSIONS: dict[str, frozenset[str]] = {}


def anonymous(platform: Platform, session: Session, api: str) -> Principal:
    """With SMARTCITY_AUTH_<API>=off, an unauthenticated caller may use that API fully."""
    slug = platform.settings.default_tenant
    tenant_id = platform.tenant_ids.get(slug)
    if tenant_id is None:
        tenant_id = platform.tenant_ids[slug] = service.get_tenant(session, slug=slug).id
    perms = _API_PERMISSIONS.get(api)
    if perms is None:
        perms = _API_PERMISSIONS[api] = frozenset(n for n, p in PERMISSIONS.items() if p.api == api)
    return Principal(tenant_id=tenant_id, kind="anonymous", name="anonymous", permissions=perms)


def authorize_request(
    request: Request, platform: Platform, session: Session, permission: str
) -> Principal:
    spec = PERMISSIONS[permission]
    principal = authenticate(request, platform, session)
    if principal is None:
        if platform.settings.auth_required(spec.api):
            raise Unauthenticated("authentication required: log in or send an API key")
        client = request.client.host if request.client else "unknown"
        platform.limiter.hit(f"ip:{client}")
        principal = anonymous(platform, session, spec.api)
    if not principal.can(permission):
        raise Forbidden(f"this needs the permission {permission!r}")
    request.state.principal = principal
    return principal
