"""The rules of the programme: read its tree, projects and indicators; change a project's or a
milestone's standing; record an indicator's observation. No HTTP here.

Every change is audited in the same transaction and committed here. Reads are per tenant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.core.errors import Conflict, NotFound, ValidationFailed
from smartcity.plan.measures import MEASURES, SHANGHAI, Measurement, Period
from smartcity.plan.models import (
    PlanIndicator,
    PlanMilestone,
    PlanObservation,
    PlanPillar,
    PlanProject,
    PlanSafeguard,
)
from smartcity.plan.seed import seed_data
from smartcity.plan.units import UNITS
from smartcity.platform import Platform
from smartcity.security import audit
from smartcity.security.principal import Principal

PROJECT_FIELDS = frozenset({"status", "progress_note", "evidence", "lead_agency"})
MILESTONE_FIELDS = frozenset({"status", "due_on", "done_on", "note"})


def programme_start() -> date:
    return date.fromisoformat(seed_data()["programme"]["starts_on"])


def programme_end() -> date:
    return date.fromisoformat(seed_data()["programme"]["ends_on"])


def today(platform: Platform) -> date:
    """The date in Shanghai now."""
    return platform.clock.now().astimezone(SHANGHAI).date()


@dataclass
class Programme:
    """The whole tree, in the seed's order."""

    pillars: list[PlanPillar]
    projects: dict[int, list[PlanProject]]  # by pillar id
    milestones: dict[int, list[PlanMilestone]]  # by project id
    safeguards: list[PlanSafeguard]


# -- reads -----------------------------------------------------------------------------------


def list_pillars(session: Session, tenant_id: int) -> list[PlanPillar]:
    stmt = select(PlanPillar).where(PlanPillar.tenant_id == tenant_id).order_by(PlanPillar.position)
    return list(session.scalars(stmt))


def programme(session: Session, tenant_id: int) -> Programme:
    pillars = list_pillars(session, tenant_id)
    projects: dict[int, list[PlanProject]] = {p.id: [] for p in pillars}
    for project in list_projects(session, tenant_id):
        projects[project.pillar_id].append(project)
    milestones: dict[int, list[PlanMilestone]] = {}
    stmt = (
        select(PlanMilestone)
        .where(PlanMilestone.tenant_id == tenant_id)
        .order_by(PlanMilestone.due_on, PlanMilestone.code)
    )
    for milestone in session.scalars(stmt):
        milestones.setdefault(milestone.project_id, []).append(milestone)
    safeguards = session.scalars(
        select(PlanSafeguard)
        .where(PlanSafeguard.tenant_id == tenant_id)
        .order_by(PlanSafeguard.position)
    )
    return Programme(pillars, projects, milestones, list(safeguards))


def _pillar_id(session: Session, tenant_id: int, code: str) -> int:
    found = session.scalar(
        select(PlanPillar.id).where(PlanPillar.tenant_id == tenant_id, PlanPillar.code == code)
    )
    if found is None:
        raise NotFound(f"no action or support system {code!r} in the programme", field="action")
    return found


def list_projects(
    session: Session, tenant_id: int, *, pillar: str | None = None, status: str | None = None
) -> list[PlanProject]:
    """Projects in the seed's order, narrowed to one action or support system and one status."""
    stmt = (
        select(PlanProject)
        .join(PlanPillar, PlanPillar.id == PlanProject.pillar_id)
        .where(PlanProject.tenant_id == tenant_id)
        .order_by(PlanPillar.position, PlanProject.position)
    )
    if pillar is not None:
        stmt = stmt.where(PlanProject.pillar_id == _pillar_id(session, tenant_id, pillar))
    if status is not None:
        stmt = stmt.where(PlanProject.status == status)
    return list(session.scalars(stmt))


def get_project(session: Session, tenant_id: int, code: str) -> PlanProject:
    found = session.scalar(
        select(PlanProject).where(PlanProject.tenant_id == tenant_id, PlanProject.code == code)
    )
    if found is None:
        raise NotFound(f"no key project {code!r} in the programme", field="code")
    return found


def project_milestones(session: Session, project: PlanProject) -> list[PlanMilestone]:
    stmt = (
        select(PlanMilestone)
        .where(PlanMilestone.project_id == project.id)
        .order_by(PlanMilestone.due_on, PlanMilestone.code)
    )
    return list(session.scalars(stmt))


def get_milestone(session: Session, tenant_id: int, code: str) -> PlanMilestone:
    found = session.scalar(
        select(PlanMilestone).where(
            PlanMilestone.tenant_id == tenant_id, PlanMilestone.code == code
        )
    )
    if found is None:
        raise NotFound(f"no milestone {code!r} in the programme", field="code")
    return found


def list_indicators(
    session: Session, tenant_id: int, *, pillar: str | None = None, origin: str | None = None
) -> list[PlanIndicator]:
    stmt = (
        select(PlanIndicator)
        .where(PlanIndicator.tenant_id == tenant_id)
        .order_by(PlanIndicator.position)
    )
    if pillar is not None:
        stmt = stmt.where(PlanIndicator.pillar_id == _pillar_id(session, tenant_id, pillar))
    if origin is not None:
        stmt = stmt.where(PlanIndicator.origin == origin)
    return list(session.scalars(stmt))


def get_indicator(session: Session, tenant_id: int, code: str) -> PlanIndicator:
    found = session.scalar(
        select(PlanIndicator).where(
            PlanIndicator.tenant_id == tenant_id, PlanIndicator.code == code
        )
    )
    if found is None:
        raise NotFound(f"no indicator {code!r} in the programme", field="code")
    return found


def observations(session: Session, indicator: PlanIndicator) -> list[PlanObservation]:
    stmt = (
        select(PlanObservation)
        .where(PlanObservation.indicator_id == indicator.id)
        .order_by(PlanObservation.observed_on, PlanObservation.id)
    )
    return list(session.scalars(stmt))


def measured(
    session: Session,
    platform: Platform,
    indicator: PlanIndicator,
    period: Period | None = None,
) -> Measurement | None:
    """The live value of a computed indicator (None for one entered by hand)."""
    if indicator.measure is None:
        return None
    return MEASURES[indicator.measure].measure(session, platform, indicator.tenant_id, period)


def pillar_codes(session: Session, tenant_id: int) -> dict[int, str]:
    return {p.id: p.code for p in list_pillars(session, tenant_id)}


def project_codes(session: Session, tenant_id: int) -> dict[int, str]:
    rows = session.execute(
        select(PlanProject.id, PlanProject.code).where(PlanProject.tenant_id == tenant_id)
    )
    return {id_: code for id_, code in rows}


# -- writes ----------------------------------------------------------------------------------


def project_view(project: PlanProject) -> dict[str, Any]:
    """What the audit log keeps of a project."""
    return {
        "code": project.code,
        "status": project.status,
        "progress_note": project.progress_note,
        "evidence": project.evidence,
        "lead_agency": project.lead_agency,
    }


def milestone_view(milestone: PlanMilestone) -> dict[str, Any]:
    return {
        "code": milestone.code,
        "status": milestone.status,
        "due_on": milestone.due_on.isoformat(),
        "done_on": milestone.done_on.isoformat() if milestone.done_on else None,
        "note": milestone.note,
    }


def _check_fields(changes: dict[str, Any], allowed: frozenset[str]) -> None:
    if not changes:
        raise ValidationFailed("nothing to change", field="body")
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed(f"{unknown[0]} cannot be changed here", field=unknown[0])


def update_project(
    session: Session,
    platform: Platform,
    principal: Principal,
    *,
    code: str,
    changes: dict[str, Any],
) -> PlanProject:
    """Change a project's status, progress note, evidence links or lead agency; audited."""
    _check_fields(changes, PROJECT_FIELDS)
    if "status" in changes and changes["status"] is None:
        raise ValidationFailed("status cannot be empty", field="status")
    project = get_project(session, principal.tenant_id, code)
    before = project_view(project)
    for name, value in changes.items():
        if name == "progress_note":
            value = value or ""
        elif name == "evidence":
            value = list(value or [])
        setattr(project, name, value)
    project.updated_at = platform.clock.now()
    project.updated_by = principal.name
    after = project_view(project)
    _commit_audited(
        session, platform, principal, "plan.project.update", "plan_project", code, before, after
    )
    return project


def update_milestone(
    session: Session,
    platform: Platform,
    principal: Principal,
    *,
    code: str,
    changes: dict[str, Any],
) -> PlanMilestone:
    """Change a milestone's status, dates or note; done without a date means done today."""
    _check_fields(changes, MILESTONE_FIELDS)
    for name in ("status", "due_on"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name} cannot be empty", field=name)
    milestone = get_milestone(session, principal.tenant_id, code)
    before = milestone_view(milestone)
    values = {
        "status": milestone.status,
        "due_on": milestone.due_on,
        "done_on": milestone.done_on,
        "note": milestone.note,
    }
    values.update(changes)
    values["note"] = values["note"] or ""
    if values["status"] == "done" and values["done_on"] is None:
        values["done_on"] = today(platform)
    if values["status"] != "done" and "done_on" not in changes:
        values["done_on"] = None
    _check_programme_date(values["due_on"], platform, "due_on", future=True)
    _check_programme_date(values["done_on"], platform, "done_on", future=False)
    for name, value in values.items():
        setattr(milestone, name, value)
    milestone.updated_at = platform.clock.now()
    milestone.updated_by = principal.name
    after = milestone_view(milestone)
    _commit_audited(
        session, platform, principal, "plan.milestone.update", "plan_milestone", code, before, after
    )
    return milestone


def _check_programme_date(
    value: date | None, platform: Platform, field: str, *, future: bool
) -> None:
    if value is None:
        return
    if value < programme_start():
        raise ValidationFailed(
            f"{field} {value.isoformat()} is before the programme began "
            f"({programme_start().isoformat()})",
            field=field,
        )
    if not future and value > today(platform):
        raise ValidationFailed(f"{field} {value.isoformat()} is in the future", field=field)


def add_observation(
    session: Session,
    platform: Platform,
    principal: Principal,
    *,
    code: str,
    value: float,
    unit: str,
    observed_on: date,
    source: str,
    note: str = "",
) -> PlanObservation:
    """Record a value entered by hand: in the indicator's unit, within the unit's range, dated
    within the programme or after it (never in the future); computed indicators refuse."""
    indicator = get_indicator(session, principal.tenant_id, code)
    if indicator.measure is not None:
        raise Conflict(
            f"{indicator.code} is computed by the platform ({indicator.measure}); "
            "it cannot be entered by hand",
            field="code",
        )
    if unit != indicator.unit:
        raise ValidationFailed(
            f"{indicator.code} is kept in {indicator.unit} ({UNITS[indicator.unit].label()}), "
            f"not {unit}",
            field="unit",
        )
    bounds = UNITS[indicator.unit]
    if not math.isfinite(value) or not bounds.minimum <= value <= bounds.maximum:
        raise ValidationFailed(
            f"value must be between {bounds.minimum:g} and {bounds.maximum:g} {indicator.unit}",
            field="value",
        )
    _check_programme_date(observed_on, platform, "observed_on", future=False)
    if not source.strip():
        raise ValidationFailed("say where the value comes from", field="source")
    row = PlanObservation(
        tenant_id=principal.tenant_id,
        indicator_id=indicator.id,
        value=value,
        observed_on=observed_on,
        source=source.strip(),
        note=note,
        entered_by=principal.name,
        entered_at=platform.clock.now(),
    )
    session.add(row)
    session.flush()
    after = {
        "indicator": indicator.code,
        "value": value,
        "unit": unit,
        "observed_on": observed_on.isoformat(),
        "source": row.source,
    }
    _commit_audited(
        session,
        platform,
        principal,
        "plan.observation.create",
        "plan_observation",
        row.id,
        None,
        after,
    )
    return row


def _commit_audited(
    session: Session,
    platform: Platform,
    principal: Principal,
    action: str,
    entity_type: str,
    entity_id: str | int,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    try:
        audit.record(
            session,
            platform.clock,
            principal,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=after,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
