"""Who acts on cases: a principal as the workflow's Actor, and which cases each one may see."""

from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.orm import Session

from smartcity.cases.models import Case
from smartcity.cases.workflow import Actor
from smartcity.geo.models import Department
from smartcity.security.principal import Principal
from smartcity.security.roles import Role


def actor_id(principal: Principal) -> str:
    """A principal's id on timelines: user:12, apikey:3, cli:rules …"""
    ident = principal.id if principal.id is not None else principal.name
    return f"{principal.kind}:{ident}"[:64]


def actor_of(session: Session, principal: Principal) -> Actor:
    """The workflow's actor. Users act in their role; the CLI and system jobs as administrators;
    API keys and anonymous callers (auth switched off) as citizens."""
    role = principal.role
    if role is None:
        role = Role.ADMIN if principal.kind == "cli" else Role.CITIZEN
    department = None
    if principal.department_id is not None:
        row = session.get(Department, principal.department_id)
        department = row.code if row is not None else None
    return Actor(id=actor_id(principal), role=role, department=department)


def visible(stmt: Select, principal: Principal, actor: Actor) -> Select:
    """Only the cases this principal may see: staff see their tenant's, handlers their
    department's, citizens their own reports."""
    stmt = stmt.where(Case.tenant_id == principal.tenant_id)
    if actor.role == Role.HANDLER:
        return stmt.where(Case.department == (actor.department or ""))
    if actor.role == Role.CITIZEN or not principal.can("cases:read"):
        return stmt.where(Case.reporter == actor.id)
    return stmt


def sees_contact(principal: Principal, actor: Actor, case: Case) -> bool:
    """The reporter's contact in clear: for cases:contact holders and the reporter alone."""
    return principal.can("cases:contact") or case.reporter == actor.id
