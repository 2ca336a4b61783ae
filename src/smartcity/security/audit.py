"""The audit log: every state change is recorded in the same transaction as the change itself."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from smartcity.core.clock import Clock
from smartcity.security.models import AuditEntry
from smartcity.security.principal import Principal

# Set by the web middleware so entries can be joined with the request's log lines.
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


def record(
    session: Session,
    clock: Clock,
    principal: Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry; it commits or rolls back with the change it describes."""
    entry = AuditEntry(
        tenant_id=principal.tenant_id,
        at=clock.now(),
        actor_kind=principal.kind,
        actor_id=principal.id,
        actor_name=principal.name,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=before,
        after=after,
        request_id=current_request_id.get(),
    )
    session.add(entry)
    return entry


def query(
    session: Session,
    principal: Principal,
    *,
    actor: str | None = None,
    action: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """Entries of the principal's tenant, newest first, with the total that match."""
    stmt: Select[tuple[AuditEntry]] = select(AuditEntry).where(
        AuditEntry.tenant_id == principal.tenant_id
    )
    if actor:
        stmt = stmt.where(AuditEntry.actor_name == actor)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), total
