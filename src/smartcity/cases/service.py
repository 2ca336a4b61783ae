"""The case system's rules over the database: report, read, list, take transitions, track.

Other parts reach cases through this module. Every read filters by what the principal may see;
every transition is checked by the workflow table, stored with its timeline line and audited in
one transaction, and leaves the case as it was when anything is refused.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from smartcity.cases import hooks
from smartcity.cases.actors import actor_of, sees_contact, visible
from smartcity.cases.catalogue import assignable, category_set
from smartcity.cases.clockstate import clock_of, store_clock
from smartcity.cases.deadlines import ClockError
from smartcity.cases.errors import InvalidTransitionData
from smartcity.cases.intake import (
    OPEN,
    CaseReport,
    DuplicatePolicy,
    Reported,
    read_contact,
    report_case,
    token_hash,
)
from smartcity.cases.models import Case, CaseEvent
from smartcity.cases.states import Action, CaseSource, CaseStatus
from smartcity.cases.workflow import Actor, CaseState, apply
from smartcity.core.errors import Conflict, NotFound
from smartcity.geo import service as geo
from smartcity.platform import Platform
from smartcity.security import audit
from smartcity.security.principal import Principal
from smartcity.security.roles import Role

__all__ = [
    "QUEUES",
    "CaseFilters",
    "CaseReport",
    "DuplicatePolicy",
    "Reported",
    "get_case",
    "list_cases",
    "rate_by_token",
    "read_contact",
    "report_case",
    "timeline",
    "track_case",
    "transition_case",
]

S = CaseStatus
# The workbench queues: which statuses each holds (a handler's is narrowed to its department).
QUEUES: dict[str, tuple[CaseStatus, ...]] = {
    "to_register": (S.REPORTED,),
    "to_dispatch": (S.REGISTERED, S.RETURNED, S.REOPENED),
    "department": (S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED),
    "to_verify": (S.HANDLED,),
}


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    category: str | None = None
    district: str | None = None
    street: str | None = None
    department: str | None = None
    source: str | None = None
    overdue: bool | None = None
    q: str | None = None
    queue: str | None = None


def _find(session: Session, principal: Principal, actor: Actor, public_id: str) -> Case | None:
    return session.scalar(
        visible(select(Case), principal, actor).where(Case.public_id == public_id)
    )


def get_case(session: Session, principal: Principal, public_id: str) -> Case:
    """A case the principal may see; any other is simply not found."""
    case = _find(session, principal, actor_of(session, principal), public_id)
    if case is None:
        raise NotFound(f"no case {public_id}")
    return case


def contact_for(session: Session, platform: Platform, principal: Principal, case: Case) -> Any:
    """The reporter's contact as this principal may see it: in clear or masked."""
    clear = sees_contact(principal, actor_of(session, principal), case)
    return read_contact(session, platform, case, clear=clear)


def _filtered(stmt: Select, filters: CaseFilters, actor: Actor, now: datetime) -> Select:
    exact = {
        Case.status: filters.status,
        Case.category: filters.category,
        Case.district_code: filters.district,
        Case.street_code: filters.street,
        Case.department: filters.department,
        Case.source: filters.source,
    }
    for column, value in exact.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.queue is not None:
        stmt = stmt.where(Case.status.in_([s.value for s in QUEUES[filters.queue]]))
        if filters.queue == "department" and actor.role != Role.HANDLER:
            stmt = stmt.where(Case.department.is_not(None))
    if filters.overdue is not None:
        late = (Case.clock_stopped_at.is_(None)) & (
            Case.escalated_at.is_not(None) | (Case.due_at <= now)
        )
        stmt = stmt.where(late if filters.overdue else ~late)
    if filters.q:
        stmt = stmt.where(
            or_(
                Case.public_id == filters.q,
                Case.description.icontains(filters.q, autoescape=True),
                Case.address.icontains(filters.q, autoescape=True),
            )
        )
    return stmt


def list_cases(
    session: Session,
    platform: Platform,
    principal: Principal,
    filters: CaseFilters,
    *,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Case], int]:
    """The cases the principal may see that match, newest first, and how many match in all."""
    actor = actor_of(session, principal)
    stmt = _filtered(visible(select(Case), principal, actor), filters, actor, platform.clock.now())
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Case.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def timeline(session: Session, principal: Principal, public_id: str) -> list[CaseEvent]:
    case = get_case(session, principal, public_id)
    return _events(session, case)


def _events(session: Session, case: Case) -> list[CaseEvent]:
    return list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
    )


def state_of(case: Case) -> CaseState:
    return CaseState(
        status=CaseStatus(case.status),
        source=CaseSource(case.source),
        reporter_id=case.reporter,
        case_id=case.public_id,
        category=case.category,
        department=case.department,
        clock=clock_of(case),
        suspended_from=CaseStatus(case.suspended_from) if case.suspended_from else None,
        merged_into=case.merged_into,
        rating=case.rating,
        returns=case.returns,
        reopens=case.reopens,
        updated_at=case.updated_at,
    )


def _lock(session: Session, platform: Platform, tenant_id: int, public_id: str) -> Case | None:
    stmt = select(Case).where(Case.tenant_id == tenant_id, Case.public_id == public_id)
    if platform.db.backend == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def _completed(case: Case, action: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The data with what the case itself proposes filled in: the reported category at
    registration, the routed department at dispatch."""
    data = dict(data or {})
    if action == Action.REGISTER.value:
        data.setdefault("category", case.category)
    if action == Action.DISPATCH.value and data.get("department") is None:
        data["department"] = case.proposed_department  # None: the workflow asks for one
    return data


def _check_references(session: Session, case: Case, data: Mapping[str, Any]) -> None:
    """What the data names must exist: the category, the department, the surviving case."""
    if "category" in data:
        assignable(category_set(session, case.tenant_id), data["category"])
    code = data.get("department")
    if code is not None and geo.find_department(session, case.tenant_id, code=code) is None:
        raise InvalidTransitionData(f"no department {code} in this city", field="department")
    into = data.get("into")
    if into is not None:
        survivor = session.scalar(
            select(Case.status).where(Case.tenant_id == case.tenant_id, Case.public_id == into)
        )
        if survivor is None or survivor not in OPEN:
            raise InvalidTransitionData(f"{into} is not another open case", field="into")


def _write(session: Session, case: Case, new: CaseState, now: datetime) -> None:
    if new.category != case.category and new.category is not None:
        deadline = category_set(session, case.tenant_id).deadline_of(new.category)
        case.category = new.category
        case.deadline_amount, case.deadline_unit = deadline.amount, deadline.unit.value
    case.status = new.status.value
    case.department = new.department
    case.suspended_from = new.suspended_from.value if new.suspended_from else None
    case.merged_into = new.merged_into
    case.rating = new.rating
    case.returns, case.reopens = new.returns, new.reopens
    case.updated_at = now
    store_clock(case, new.clock, now)


def _take(
    session: Session,
    platform: Platform,
    principal: Principal,
    case: Case,
    actor: Actor,
    state: CaseState,
    action: Action | str,
    data: Mapping[str, Any] | None,
) -> Case:
    now = platform.clock.now()
    try:
        new, event = apply(state, action, actor, data, now)
    except ClockError as exc:
        raise Conflict(str(exc)) from None
    _check_references(session, case, event.data)
    before = {"status": case.status, "department": case.department}
    _write(session, case, new, now)
    if new.status == CaseStatus.CLOSED and before["status"] != CaseStatus.CLOSED:
        hooks.case_closed(session, platform, case, now)
    session.add(
        CaseEvent(
            case_id=case.id,
            action=event.action.value if event.action else "report",
            from_status=event.from_status.value if event.from_status else None,
            to_status=event.to_status.value,
            actor_id=event.actor_id,
            actor_role=event.actor_role.value,
            at=now,
            data=dict(event.data),
        )
    )
    audit.record(
        session,
        platform.clock,
        principal,
        action=f"case.{event.action}",
        entity_type="case",
        entity_id=case.public_id,
        before=before,
        after={"status": case.status, "department": case.department, **dict(event.data)},
    )
    session.commit()
    return case


def transition_case(
    session: Session,
    platform: Platform,
    principal: Principal,
    public_id: str,
    action: str,
    data: Mapping[str, Any] | None,
) -> Case:
    """Take one workflow transition on a case; nothing changes when it is refused."""
    actor = actor_of(session, principal)
    case = _lock(session, platform, principal.tenant_id, public_id)
    if case is None or (actor.role == Role.CITIZEN and case.reporter != actor.id):
        raise NotFound(f"no case {public_id}")  # a citizen does not learn of others' cases
    clean = _completed(case, action, data)
    return _take(session, platform, principal, case, actor, state_of(case), action, clean)


def track_case(session: Session, public_id: str, token: str) -> Case:
    """A case found by its public id and the tracking token its reporter was given."""
    case = session.scalar(select(Case).where(Case.public_id == public_id))
    if case is None or not hmac.compare_digest(case.token_hash, token_hash(token)):
        raise NotFound(f"no case {public_id} with this tracking token")
    return case


def tracked_events(session: Session, case: Case) -> list[CaseEvent]:
    return _events(session, case)


def rate_by_token(
    session: Session, platform: Platform, public_id: str, token: str, rating: Any, note: Any
) -> Case:
    """The citizen's satisfaction rating (综合评价 by the public) after closure, by token."""
    case = track_case(session, public_id, token)
    case = _lock(session, platform, case.tenant_id, public_id) or case
    holder = f"token:{public_id}"[:64]
    actor = Actor(id=holder, role=Role.CITIZEN)
    state = replace(state_of(case), reporter_id=holder)
    principal = Principal(tenant_id=case.tenant_id, kind="citizen", name=holder)
    data = {"rating": rating} | ({"note": note} if note is not None else {})
    return _take(session, platform, principal, case, actor, state, Action.EVALUATE, data)
