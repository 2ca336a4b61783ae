"""The catalogue's publishers: organisations (with their editors) and groups."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.core.clock import Clock
from smartcity.core.errors import NotFound
from smartcity.opendata import access
from smartcity.opendata.models import Group, Membership, Organisation
from smartcity.opendata.schemas import Errors, as_name, as_text, invalid
from smartcity.opendata.service import audit_change, by_ref
from smartcity.security.principal import Principal


def get_organisation(session: Session, principal: Principal, ref: str) -> Organisation:
    org = by_ref(session, Organisation, principal.tenant_id, ref)
    if org is None:
        raise NotFound("Organization not found")
    return org


def get_group(session: Session, principal: Principal, ref: str) -> Group:
    group = by_ref(session, Group, principal.tenant_id, ref)
    if group is None:
        raise NotFound("Group not found")
    return group


def _publisher_fields(data: dict[str, Any]) -> dict[str, Any]:
    errors = Errors()
    fields = {
        "name": as_name(data.get("name"), "name", errors),
        "title_zh": as_text(
            data.get("title") or data.get("title_zh"), "title", errors, limit=200, required=True
        ),
        "title_en": as_text(data.get("title_en"), "title_en", errors, limit=200),
        "description": as_text(data.get("description"), "description", errors, limit=10_000),
    }
    errors.raise_any()
    return fields


def create_organisation(
    session: Session, clock: Clock, principal: Principal, data: dict[str, Any]
) -> Organisation:
    access.require_admin(principal)
    fields = _publisher_fields(data)
    if by_ref(session, Organisation, principal.tenant_id, fields["name"]) is not None:
        raise invalid("name", "Group name already exists in database")
    org = Organisation(
        tenant_id=principal.tenant_id, uid=str(uuid.uuid4()), created_at=clock.now(), **fields
    )
    session.add(org)
    session.flush()
    audit_change(
        session, clock, principal, "organisation.create", "organisation", org.uid, after=fields
    )
    session.commit()
    return org


def create_group(
    session: Session, clock: Clock, principal: Principal, data: dict[str, Any]
) -> Group:
    access.require_admin(principal)
    fields = _publisher_fields(data)
    if by_ref(session, Group, principal.tenant_id, fields["name"]) is not None:
        raise invalid("name", "Group name already exists in database")
    group = Group(
        tenant_id=principal.tenant_id, uid=str(uuid.uuid4()), created_at=clock.now(), **fields
    )
    session.add(group)
    session.flush()
    audit_change(session, clock, principal, "group.create", "group", group.uid, after=fields)
    session.commit()
    return group


def add_member(
    session: Session,
    clock: Clock,
    principal: Principal,
    *,
    organisation: Organisation,
    capacity: str,
    user_id: int | None = None,
    api_key_id: int | None = None,
) -> Membership:
    """Make a user or an application key a member, editor or admin of an organisation."""
    access.require_admin(principal)
    if capacity not in access.CAPACITIES:
        raise invalid("capacity", "must be member, editor or admin")
    if (user_id is None) == (api_key_id is None):
        raise invalid("username", "name either a user or an API key")
    stmt = select(Membership).where(
        Membership.organisation_id == organisation.id,
        Membership.user_id == user_id
        if user_id is not None
        else Membership.api_key_id == api_key_id,
    )
    member = session.scalars(stmt).first()
    if member is None:
        member = Membership(
            organisation_id=organisation.id,
            user_id=user_id,
            api_key_id=api_key_id,
            capacity=capacity,
            created_at=clock.now(),
        )
        session.add(member)
    member.capacity = capacity
    session.flush()
    after = {"user_id": user_id, "api_key_id": api_key_id, "capacity": capacity}
    audit_change(
        session,
        clock,
        principal,
        "organisation.member",
        "organisation",
        organisation.uid,
        after=after,
    )
    session.commit()
    return member
