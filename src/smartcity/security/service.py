"""The rules of identity: tenants, users, logins and API keys. No HTTP here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartcity.core.clock import Clock
from smartcity.core.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from smartcity.security import audit
from smartcity.security.models import ApiKey, Tenant, User
from smartcity.security.passwords import check_strength, hash_password, verify_password
from smartcity.security.principal import Principal
from smartcity.security.roles import Role, expand_scopes, parse_role, parse_scopes, permissions_of
from smartcity.security.tokens import new_api_key, secret_matches, split_api_key

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
TENANT_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
KEY_TOUCH_INTERVAL = timedelta(minutes=1)


# -- tenants ---------------------------------------------------------------------------------


def get_tenant(session: Session, *, slug: str) -> Tenant:
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise NotFound(f"tenant {slug!r} does not exist", field="tenant")
    return tenant


def ensure_tenant(
    session: Session, clock: Clock, *, slug: str, name_zh: str, name_en: str
) -> Tenant:
    """The tenant with this slug, created if missing (idempotent, for setup and the demo)."""
    if not TENANT_SLUG.match(slug):
        raise ValidationFailed(
            "tenant slug must be lower-case letters, digits, - or _", field="slug"
        )
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        tenant = Tenant(slug=slug, name_zh=name_zh, name_en=name_en, created_at=clock.now())
        session.add(tenant)
        session.flush()
    return tenant


def system_principal(tenant: Tenant, name: str = "cli") -> Principal:
    """The principal of the command line and of the platform's own jobs: every permission."""
    return Principal(
        tenant_id=tenant.id, kind="cli", name=name, permissions=permissions_of(Role.ADMIN)
    )


# -- users -----------------------------------------------------------------------------------


def user_view(user: User) -> dict[str, Any]:
    """What the audit log keeps of a user: never the password hash."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "department_id": user.department_id,
        "active": user.active,
    }


def create_user(
    session: Session,
    clock: Clock,
    principal: Principal,
    *,
    username: str,
    role: str,
    password: str,
    display_name: str = "",
    department_id: int | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> User:
    if not USERNAME.match(username):
        raise ValidationFailed(
            "username must be 2-64 letters, digits, '.', '_' or '-'", field="username"
        )
    try:
        parsed_role = parse_role(role)
        check_strength(password)
    except ValueError as exc:
        raise ValidationFailed(
            str(exc), field="role" if "role" in str(exc) else "password"
        ) from None
    if parsed_role is Role.HANDLER and department_id is None:
        raise ValidationFailed("a department handler needs a department", field="department_id")
    _check_department(session, principal, department_id)
    exists = session.scalar(
        select(User.id).where(User.tenant_id == principal.tenant_id, User.username == username)
    )
    if exists is not None:
        raise Conflict(f"user {username!r} already exists", field="username")
    user = User(
        tenant_id=principal.tenant_id,
        username=username,
        display_name=display_name,
        role=parsed_role.value,
        department_id=department_id,
        email=email,
        phone=phone,
        password_hash=hash_password(password),
        active=True,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        clock,
        principal,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        after=user_view(user),
    )
    session.commit()
    return user


def _check_department(session: Session, principal: Principal, department_id: int | None) -> None:
    if department_id is None:
        return
    from smartcity.geo.models import Department

    found = session.scalar(
        select(Department.id).where(
            Department.id == department_id, Department.tenant_id == principal.tenant_id
        )
    )
    if found is None:
        raise ValidationFailed(f"department {department_id} does not exist", field="department_id")


def list_users(
    session: Session,
    principal: Principal,
    *,
    role: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[User], int]:
    stmt = select(User).where(User.tenant_id == principal.tenant_id)
    if role:
        stmt = stmt.where(User.role == role)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    users = session.scalars(stmt.order_by(User.id).limit(limit).offset(offset)).all()
    return list(users), total


def get_user(session: Session, principal: Principal, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.tenant_id != principal.tenant_id:
        raise NotFound(f"user {user_id} does not exist")
    return user


def update_user(
    session: Session, clock: Clock, principal: Principal, *, user_id: int, changes: dict[str, Any]
) -> User:
    user = get_user(session, principal, user_id=user_id)
    before = user_view(user)
    if "role" in changes:
        try:
            changes["role"] = parse_role(changes["role"]).value
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="role") from None
    if "department_id" in changes:
        _check_department(session, principal, changes["department_id"])
    if "password" in changes:
        try:
            check_strength(changes["password"])
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="password") from None
        user.password_hash = hash_password(changes.pop("password"))
    for name in ("display_name", "role", "department_id", "email", "phone", "active"):
        if name in changes:
            setattr(user, name, changes[name])
    if user.role == Role.HANDLER and user.department_id is None:
        raise ValidationFailed("a department handler needs a department", field="department_id")
    if principal.kind == "user" and principal.id == user.id and not user.active:
        raise ValidationFailed("you cannot deactivate yourself", field="active")
    audit.record(
        session,
        clock,
        principal,
        action="user.update",
        entity_type="user",
        entity_id=user.id,
        before=before,
        after=user_view(user),
    )
    session.commit()
    return user


def authenticate_password(
    session: Session, clock: Clock, *, tenant_id: int, username: str, password: str
) -> User:
    user = session.scalar(
        select(User).where(User.tenant_id == tenant_id, User.username == username)
    )
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        raise Unauthenticated("incorrect username or password")
    user.last_login_at = clock.now()
    session.commit()
    return user


def principal_for_user(user: User) -> Principal:
    role = Role(user.role)
    return Principal(
        tenant_id=user.tenant_id,
        kind="user",
        name=user.username,
        permissions=permissions_of(role),
        id=user.id,
        role=role,
        department_id=user.department_id,
    )


# -- API keys --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # the full key, shown once


def key_view(key: ApiKey) -> dict[str, Any]:
    return {
        "name": key.name,
        "prefix": key.prefix,
        "scopes": key.scopes,
        "rate_limit": key.rate_limit,
        "expires_at": key.expires_at.isoformat() if key.expires_at else None,
        "revoked": key.revoked_at is not None,
    }


def create_api_key(
    session: Session,
    clock: Clock,
    principal: Principal,
    *,
    name: str,
    scopes: list[str],
    rate_limit: str | None = None,
    expires_at: datetime | None = None,
) -> IssuedKey:
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("name must have 1-200 characters", field="name")
    try:
        scopes = parse_scopes(scopes)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="scopes") from None
    if rate_limit is not None:
        from limits import parse

        try:
            parse(rate_limit)
        except ValueError:
            raise ValidationFailed(
                "rate_limit must look like 600/minute", field="rate_limit"
            ) from None
    if expires_at is not None and expires_at <= clock.now():
        raise ValidationFailed("expires_at must be in the future", field="expires_at")
    full, prefix, secret_hash = new_api_key()
    key = ApiKey(
        tenant_id=principal.tenant_id,
        name=name,
        prefix=prefix,
        secret_hash=secret_hash,
        scopes=scopes,
        rate_limit=rate_limit,
        created_by=principal.name,
        created_at=clock.now(),
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        clock,
        principal,
        action="apikey.create",
        entity_type="apikey",
        entity_id=key.id,
        after=key_view(key),
    )
    session.commit()
    return IssuedKey(key, full)


def list_api_keys(session: Session, principal: Principal) -> list[ApiKey]:
    stmt = select(ApiKey).where(ApiKey.tenant_id == principal.tenant_id).order_by(ApiKey.id)
    return list(session.scalars(stmt).all())


def revoke_api_key(session: Session, clock: Clock, principal: Principal, *, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or key.tenant_id != principal.tenant_id:
        raise NotFound(f"API key {key_id} does not exist")
    if key.revoked_at is not None:
        raise Conflict(f"API key {key_id} is already revoked")
    before = key_view(key)
    key.revoked_at = clock.now()
    audit.record(
        session,
        clock,
        principal,
        action="apikey.revoke",
        entity_type="apikey",
        entity_id=key.id,
        before=before,
        after=key_view(key),
    )
    session.commit()
    return key


def authenticate_api_key(session: Session, clock: Clock, raw: str) -> tuple[ApiKey, Principal]:
    parts = split_api_key(raw)
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[0])) if parts else None
    if parts is None or key is None or not secret_matches(parts[1], key.secret_hash):
        raise Unauthenticated("the API key is not valid")
    now = clock.now()
    if key.revoked_at is not None:
        raise Unauthenticated("the API key has been revoked")
    if key.expires_at is not None and key.expires_at <= now:
        raise Unauthenticated("the API key has expired")
    if key.last_used_at is None or now - key.last_used_at >= KEY_TOUCH_INTERVAL:
        key.last_used_at = now
        session.commit()
    principal = Principal(
        tenant_id=key.tenant_id,
        kind="apikey",
        name=key.name,
        permissions=expand_scopes(key.scopes),
        id=key.id,
    )
    return key, principal
