"""Routes of the identity model: login, the current principal, users, API keys, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from smartcity.core.errors import ValidationFailed
from smartcity.security import audit, service
from smartcity.security.principal import Principal
from smartcity.security.ratelimit import LOGIN_LIMIT
from smartcity.security.roles import Role
from smartcity.security.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    AuditOut,
    MeOut,
    Page,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
)
from smartcity.security.tokens import issue_token
from smartcity.web.deps import PlatformDep, RowId, SessionDep, require

router = APIRouter(prefix="/api", tags=["security"])
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.post("/auth/token", response_model=TokenOut, summary="Log in (OAuth2 password flow)")
def login(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    username: Annotated[str, Form(min_length=1, max_length=128)],
    password: Annotated[str, Form(min_length=1, max_length=256)],
    grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
) -> TokenOut:
    """`username` may be `name@tenant`; without a tenant the default tenant is meant."""
    name, _, slug = username.partition("@")
    client = request.client.host if request.client else "unknown"
    platform.limiter.hit(f"login:{client}:{username}", LOGIN_LIMIT)
    tenant = service.get_tenant(session, slug=slug or platform.settings.default_tenant)
    user = service.authenticate_password(
        session, platform.clock, tenant_id=tenant.id, username=name, password=password
    )
    ttl = platform.settings.token_ttl_minutes
    token, _ = issue_token(
        key=platform.settings.signing_key(),
        user_id=user.id,
        tenant_id=tenant.id,
        role=user.role,
        now=platform.clock.now(),
        ttl_minutes=ttl,
    )
    return TokenOut(access_token=token, expires_in=ttl * 60)


@router.get("/auth/me", response_model=MeOut)
def me(session: SessionDep, principal: Annotated[Principal, require("geo:read")]) -> MeOut:
    from smartcity.security.models import Tenant

    tenant = session.get(Tenant, principal.tenant_id)
    return MeOut(
        kind=principal.kind,
        name=principal.name,
        tenant=tenant.slug if tenant else "",
        role=principal.role,
        department_id=principal.department_id,
        permissions=sorted(principal.permissions),
    )


@router.get("/users", response_model=Page[UserOut])
def list_users(
    session: SessionDep,
    principal: Annotated[Principal, require("users:read")],
    role: Role | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[UserOut]:
    users, total = service.list_users(
        session, principal, role=role.value if role else None, limit=limit, offset=offset
    )
    items = [UserOut.model_validate(u) for u in users]
    return Page[UserOut](total=total, limit=limit, offset=offset, items=items)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(
    body: UserIn,
    platform: PlatformDep,
    session: SessionDep,
    principal: Annotated[Principal, require("users:write")],
) -> UserOut:
    user = service.create_user(session, platform.clock, principal, **body.model_dump())
    return UserOut.model_validate(user)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(
    user_id: RowId, session: SessionDep, principal: Annotated[Principal, require("users:read")]
) -> UserOut:
    return UserOut.model_validate(service.get_user(session, principal, user_id=user_id))


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(
    user_id: RowId,
    body: UserPatch,
    platform: PlatformDep,
    session: SessionDep,
    principal: Annotated[Principal, require("users:write")],
) -> UserOut:
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise ValidationFailed("nothing to change", field="body")
    if any(v is None for k, v in changes.items() if k in ("role", "password", "active")):
        raise ValidationFailed("role, password and active cannot be null", field="body")
    user = service.update_user(session, platform.clock, principal, user_id=user_id, changes=changes)
    return UserOut.model_validate(user)


@router.get("/apikeys", response_model=list[ApiKeyOut])
def list_api_keys(
    session: SessionDep, principal: Annotated[Principal, require("apikeys:manage")]
) -> list[ApiKeyOut]:
    return [ApiKeyOut.model_validate(k) for k in service.list_api_keys(session, principal)]


@router.post("/apikeys", response_model=ApiKeyCreated, status_code=201)
def create_api_key(
    body: ApiKeyIn,
    platform: PlatformDep,
    session: SessionDep,
    principal: Annotated[Principal, require("apikeys:manage")],
) -> ApiKeyCreated:
    issued = service.create_api_key(session, platform.clock, principal, **body.model_dump())
    out = ApiKeyOut.model_validate(issued.key).model_dump()
    return ApiKeyCreated(**out, key=issued.secret)


@router.delete("/apikeys/{key_id}", status_code=204)
def revoke_api_key(
    key_id: RowId,
    platform: PlatformDep,
    session: SessionDep,
    principal: Annotated[Principal, require("apikeys:manage")],
) -> Response:
    service.revoke_api_key(session, platform.clock, principal, key_id=key_id)
    return Response(status_code=204)


@router.get("/audit", response_model=Page[AuditOut])
def query_audit(
    session: SessionDep,
    principal: Annotated[Principal, require("audit:read")],
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    entity_type: Annotated[str | None, Query(max_length=64)] = None,
    entity_id: Annotated[str | None, Query(max_length=128)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[AuditOut]:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise ValidationFailed(
                f"{name} needs a timezone, e.g. 2026-01-01T00:00:00Z", field=name
            )
    entries, total = audit.query(
        session,
        principal,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    items = [AuditOut.model_validate(e) for e in entries]
    return Page[AuditOut](total=total, limit=limit, offset=offset, items=items)
