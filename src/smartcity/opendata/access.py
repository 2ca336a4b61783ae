"""Who is asking the catalogue, and what they may see and edit.

CKAN clients send their token bare (`Authorization: <token>`); the platform's authentication
expects a scheme, so the bare form is read as a bearer token here. Readers without credentials
are anonymous and see public datasets only; private datasets are seen by the members of their
organisation and by the tenant's administrators; datasets are edited by organisation editors.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import Request
from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from smartcity.core.errors import Forbidden
from smartcity.opendata.models import Dataset, Membership, Organisation
from smartcity.platform import Platform
from smartcity.security.authn import anonymous, authenticate
from smartcity.security.principal import Principal
from smartcity.security.roles import Role

READ = "opendata:read"
WRITE = "opendata:write"
EDITOR_CAPACITIES = frozenset({"editor", "admin"})
CAPACITIES = frozenset({"member", "editor", "admin"})


def _with_scheme(request: Request) -> Request:
    """The request with a bare `Authorization: <token>` rewritten as `Bearer <token>`."""
    header = request.headers.get("authorization", "").strip()
    if not header or " " in header:
        return request
    headers = [(k, v) for k, v in request.scope["headers"] if k.lower() != b"authorization"]
    headers.append((b"authorization", b"Bearer " + header.encode("latin-1")))
    return Request({**request.scope, "headers": headers})


def catalogue_principal(request: Request, platform: Platform, session: Session) -> Principal:
    """Authenticate (bare or Bearer token, X-API-Key) or fall back to an anonymous reader."""
    principal = authenticate(_with_scheme(request), platform, session)
    if principal is None:
        client = request.client.host if request.client else "unknown"
        platform.limiter.hit(f"ip:{client}")
        reader = anonymous(platform, session, "opendata")
        principal = replace(reader, permissions=frozenset({READ}))
    if not principal.can(READ):
        raise Forbidden(f"this needs the permission {READ!r}")
    request.state.principal = principal
    return principal


def is_catalogue_admin(principal: Principal) -> bool:
    """Tenant administrators and the platform's own jobs act on every organisation."""
    return principal.can(WRITE) and (principal.role == Role.ADMIN or principal.kind == "cli")


def _member_of(principal: Principal) -> ColumnElement[bool]:
    if principal.kind == "user" and principal.id is not None:
        return Membership.user_id == principal.id
    if principal.kind == "apikey" and principal.id is not None:
        return Membership.api_key_id == principal.id
    return false()


def member_organisations(
    session: Session, principal: Principal, capacities: frozenset[str] = CAPACITIES
) -> set[int]:
    """Ids of the organisations the principal belongs to in one of these capacities."""
    stmt = (
        select(Membership.organisation_id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Organisation.tenant_id == principal.tenant_id, _member_of(principal))
        .where(Membership.capacity.in_(capacities))
    )
    return set(session.scalars(stmt).all())


def private_filter(session: Session, principal: Principal) -> ColumnElement[bool]:
    """Which private datasets the principal may see, as a condition on Dataset."""
    if principal.role == Role.ADMIN or principal.kind == "cli":
        return true()
    orgs = member_organisations(session, principal)
    return Dataset.organisation_id.in_(orgs) if orgs else false()


def visible(
    session: Session, principal: Principal, *, include_private: bool
) -> ColumnElement[bool]:
    """The datasets of the principal's tenant it may list: public ones, and its private ones."""
    condition = Dataset.tenant_id == principal.tenant_id
    if not include_private:
        return condition & (Dataset.private.is_(False))
    return condition & or_(Dataset.private.is_(False), private_filter(session, principal))


def may_read(session: Session, principal: Principal, dataset: Dataset) -> bool:
    if dataset.tenant_id != principal.tenant_id:
        return False
    if not dataset.private:
        return True
    if principal.role == Role.ADMIN or principal.kind == "cli":
        return True
    return dataset.organisation_id in member_organisations(session, principal)


def require_editor(session: Session, principal: Principal, organisation: Organisation) -> None:
    """Raise Forbidden unless the principal may edit this organisation's datasets."""
    if not principal.can(WRITE):
        raise Forbidden(f"this needs the permission {WRITE!r}")
    if organisation.tenant_id != principal.tenant_id:
        raise Forbidden("the organisation belongs to another tenant")
    if is_catalogue_admin(principal):
        return
    if organisation.id not in member_organisations(session, principal, EDITOR_CAPACITIES):
        raise Forbidden(f"you are not an editor of the organisation {organisation.name!r}")


def require_admin(principal: Principal) -> None:
    if not is_catalogue_admin(principal):
        raise Forbidden("only the tenant's administrators manage organisations and groups")
