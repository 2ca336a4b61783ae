"""Keeping the evaluation's fact table in step with the cases: every case changed since the last
refresh (by its `updated_at`) gets its fact row rewritten, with the handling time its deadline
clock counted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from smartcity.cases.clockstate import calendar, clock_of
from smartcity.cases.deadlines import elapsed_seconds
from smartcity.cases.evaluation_models import CaseEvaluationFact
from smartcity.cases.models import Case, CaseEvent
from smartcity.cases.states import Action, CaseStatus

# Cases changed this long before the newest fact are looked at again: a transaction that
# committed late with an earlier timestamp is still picked up.
REFRESH_OVERLAP = timedelta(minutes=10)
_BATCH = 500
_LOCK = 0x5C_E7A1_0000  # advisory lock keys of the refresh: this plus the tenant id
_DONE = frozenset({CaseStatus.HANDLED, CaseStatus.CLOSED, CaseStatus.EVALUATED})


def handled_at(case: Case) -> datetime | None:
    """When the department's handling ended as the clock counts it: the clock's stop (结案) or
    its pause at 处理反馈 while the case waits for verification; None while still handling."""
    if case.status not in _DONE or case.clock_started_at is None:
        return None
    return case.clock_stopped_at or case.clock_paused_since


def fact_of(case: Case, registered_at: datetime | None) -> dict[str, Any]:
    """The fact row of one case."""
    done = handled_at(case)
    seconds = elapsed_seconds(calendar(), clock_of(case), done) if done is not None else None
    return {
        "case_id": case.id,
        "tenant_id": case.tenant_id,
        "category": case.category,
        "source": case.source,
        "department": case.department,
        "street_code": case.street_code,
        "district_code": case.district_code,
        "reported_at": case.created_at,
        "registered_at": registered_at,
        "dispatched": case.clock_started_at is not None,
        "due_at": case.due_at,
        "closed_at": case.closed_at,
        "handled_at": done,
        "handling_seconds": seconds,
        "returns": case.returns,
        "reopens": case.reopens,
        "rating": case.rating,
        "case_updated_at": case.updated_at,
    }


def _registered_at(session: Session, case_ids: Sequence[int]) -> dict[int, datetime]:
    rows = session.execute(
        select(CaseEvent.case_id, func.max(CaseEvent.at))
        .where(CaseEvent.case_id.in_(case_ids), CaseEvent.action == Action.REGISTER.value)
        .group_by(CaseEvent.case_id)
    )
    return {case_id: at for case_id, at in rows}


def _write(session: Session, cases: Sequence[Case]) -> None:
    ids = [c.id for c in cases]
    registered = _registered_at(session, ids)
    session.execute(delete(CaseEvaluationFact).where(CaseEvaluationFact.case_id.in_(ids)))
    session.execute(insert(CaseEvaluationFact), [fact_of(c, registered.get(c.id)) for c in cases])


def refresh_facts(session: Session, tenant_id: int) -> int:
    """Rewrite the fact rows of the tenant's cases changed since the newest fact; returns how
    many were rewritten. Commits."""
    if session.get_bind().dialect.name == "postgresql":  # one refresher per tenant at a time
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK + tenant_id})
    newest = session.scalar(
        select(func.max(CaseEvaluationFact.case_updated_at)).where(
            CaseEvaluationFact.tenant_id == tenant_id
        )
    )
    stmt = select(Case.id).where(Case.tenant_id == tenant_id).order_by(Case.id)
    if newest is not None:
        stmt = stmt.where(Case.updated_at >= newest - REFRESH_OVERLAP)
    ids = list(session.scalars(stmt))
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        cases = list(session.scalars(select(Case).where(Case.id.in_(chunk))))
        _write(session, cases)
        for case in cases:  # a large first refresh must not keep every case in memory
            session.expunge(case)
    session.commit()
    return len(ids)
