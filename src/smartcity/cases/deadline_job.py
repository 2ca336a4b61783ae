"""The deadline watch: marks cases that used 80 % of their time (临期预警) and overdue ones
(超期督办, escalated to the next level), once per deadline period each. Its state is in the
case rows (warned_at, escalated_at), so a restart neither repeats nor forgets a step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.cases.clockstate import status_of
from smartcity.cases.deadlines import DeadlineLevel
from smartcity.cases.models import Case, CaseEvent
from smartcity.geo.models import Department
from smartcity.platform import Platform

SYSTEM_ACTOR = "system:deadlines"
BATCH = 500


@dataclass(frozen=True)
class DeadlineStep:
    warned: int
    escalated: int


def _due(
    session: Session, platform: Platform, column: object, mark: object, now: datetime
) -> list[Case]:
    stmt = (
        select(Case)
        .where(
            column <= now,  # type: ignore[operator]
            mark.is_(None),  # type: ignore[attr-defined]
            Case.clock_started_at.is_not(None),
            Case.clock_stopped_at.is_(None),
            Case.clock_paused_since.is_(None),
        )
        .order_by(Case.id)
        .limit(BATCH)
    )
    if platform.db.backend == "postgresql":  # several processes share the work without waiting
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def _event(case: Case, action: str, now: datetime, data: dict) -> CaseEvent:
    return CaseEvent(
        case_id=case.id,
        action=action,
        from_status=case.status,
        to_status=case.status,
        actor_id=SYSTEM_ACTOR,
        actor_role=None,
        at=now,
        data=data,
    )


def next_level(session: Session, case: Case) -> dict[str, str]:
    """Who an overdue case is escalated to: a street office's district centre, otherwise the
    city centre (市城运中心)."""
    kind = session.scalar(
        select(Department.kind).where(
            Department.tenant_id == case.tenant_id, Department.code == case.department
        )
    )
    if kind == "street_office":
        return {"level": "district", "area_code": case.district_code}
    return {"level": "city", "area_code": case.district_code[:2] + "0000"}


def _warn(session: Session, platform: Platform, now: datetime) -> int:
    count = 0
    for case in _due(session, platform, Case.warn_at, Case.warned_at, now):
        standing = status_of(case, now)
        if standing.level not in (DeadlineLevel.WARNING, DeadlineLevel.OVERDUE):
            continue  # the stored time was stale; the next change of the case refreshes it
        case.warned_at = now
        data = {"fraction_used": round(standing.fraction_used, 4), "due_at": _iso(case.due_at)}
        session.add(_event(case, "deadline_warning", now, data))
        count += 1
    return count


def _escalate(session: Session, platform: Platform, now: datetime) -> int:
    count = 0
    for case in _due(session, platform, Case.due_at, Case.escalated_at, now):
        if status_of(case, now).level != DeadlineLevel.OVERDUE:
            continue
        case.escalated_at = now
        data = {"escalated_to": next_level(session, case), "due_at": _iso(case.due_at)}
        session.add(_event(case, "overdue_escalation", now, data))
        count += 1
    return count


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def run_deadline_step(platform: Platform) -> DeadlineStep:
    """One pass at the platform clock's now: up to a batch of warnings and of escalations
    (a backlog is worked off over the following passes)."""
    now = platform.clock.now()
    with platform.serialized_writes(), platform.db.session() as session:
        return DeadlineStep(_warn(session, platform, now), _escalate(session, platform, now))
