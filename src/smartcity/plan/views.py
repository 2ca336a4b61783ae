"""Rows of the programme shaped as the API shows them (shared by the routes and the report)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from smartcity.plan import service
from smartcity.plan.measures import MEASURES, Measurement, Period
from smartcity.plan.models import PlanIndicator, PlanMilestone, PlanObservation, PlanProject
from smartcity.plan.schemas import (
    EvidenceLink,
    FigureOut,
    IndicatorOut,
    MeasurementOut,
    MeasureOut,
    MilestoneOut,
    ObservationOut,
    PillarOut,
    ProgrammeOut,
    ProjectOut,
    SafeguardOut,
)
from smartcity.plan.seed import seed_data
from smartcity.plan.units import UNITS
from smartcity.platform import Platform


def milestone_out(milestone: PlanMilestone, project: str) -> MilestoneOut:
    return MilestoneOut(
        code=milestone.code,
        project=project,
        title_zh=milestone.title_zh,
        title_en=milestone.title_en,
        due_on=milestone.due_on,
        status=milestone.status,  # type: ignore[arg-type]
        done_on=milestone.done_on,
        note=milestone.note,
        source=milestone.source,
        updated_at=milestone.updated_at,
        updated_by=milestone.updated_by,
    )


def project_out(
    project: PlanProject, action: str, milestones: list[PlanMilestone] | None = None
) -> ProjectOut:
    return ProjectOut(
        code=project.code,
        action=action,
        name_zh=project.name_zh,
        name_en=project.name_en,
        seed_name=project.seed_name,
        lead_agency=project.lead_agency,
        status=project.status,  # type: ignore[arg-type]
        progress_note=project.progress_note,
        evidence=[EvidenceLink.model_validate(e) for e in project.evidence],
        area_type=project.area_type,
        updated_at=project.updated_at,
        updated_by=project.updated_by,
        milestones=[milestone_out(m, project.code) for m in milestones or []],
    )


def programme_out(session: Session, tenant_id: int) -> ProgrammeOut:
    tree = service.programme(session, tenant_id)
    spec = seed_data()["programme"]
    pillars = [
        PillarOut(
            code=p.code,
            kind=p.kind,  # type: ignore[arg-type]
            letter=p.letter,
            name_zh=p.name_zh,
            name_en=p.name_en,
            goal_zh=p.goal_zh,
            goal_en=p.goal_en,
            source=p.source,
            projects=[
                project_out(project, p.code, tree.milestones.get(project.id))
                for project in tree.projects[p.id]
            ],
        )
        for p in tree.pillars
    ]
    return ProgrammeOut(
        code=spec["code"],
        name_zh=spec["name_zh"],
        name_en=spec["name_en"],
        starts_on=spec["starts_on"],
        ends_on=spec["ends_on"],
        source=spec["source"],
        pillars=pillars,
        safeguards=[
            SafeguardOut(code=s.code, name_zh=s.name_zh, name_en=s.name_en) for s in tree.safeguards
        ],
    )


def measurement_out(key: str, found: Measurement) -> MeasurementOut:
    measure = MEASURES[key]
    return MeasurementOut(
        measure=key,
        name_zh=measure.name_zh,
        name_en=measure.name_en,
        data_from=measure.source,
        available=found.available,
        value=found.value,
        period_start=found.period.start if found.period else None,
        period_end=found.period.end if found.period else None,
        method=found.method,
        reason=found.reason,
        details=found.details,
    )


def observation_out(row: PlanObservation) -> ObservationOut:
    return ObservationOut(
        id=row.id,
        value=row.value,
        observed_on=row.observed_on,
        source=row.source,
        note=row.note,
        entered_by=row.entered_by,
        entered_at=row.entered_at,
    )


def _figure(indicator: PlanIndicator, end: str) -> FigureOut | None:
    value = getattr(indicator, f"{end}_value")
    if value is None:
        return None
    return FigureOut(
        year=getattr(indicator, f"{end}_year"),
        value=value,
        comparator=getattr(indicator, f"{end}_comparator") or "equal",
        as_written=getattr(indicator, f"{end}_text") or "",
        source=getattr(indicator, f"{end}_source") or "",
    )


def indicator_out(
    session: Session,
    platform: Platform,
    indicator: PlanIndicator,
    *,
    pillars: dict[int, str],
    projects: dict[int, str],
    period: Period | None = None,
    with_observations: bool = False,
) -> IndicatorOut:
    found = service.measured(session, platform, indicator, period)
    return IndicatorOut(
        code=indicator.code,
        origin=indicator.origin,  # type: ignore[arg-type]
        action=pillars.get(indicator.pillar_id) if indicator.pillar_id else None,
        project=projects.get(indicator.project_id) if indicator.project_id else None,
        name_zh=indicator.name_zh,
        name_en=indicator.name_en,
        unit=indicator.unit,
        unit_label=UNITS[indicator.unit].label(),
        direction=indicator.direction,  # type: ignore[arg-type]
        baseline=_figure(indicator, "baseline"),
        target=_figure(indicator, "target"),
        entry="live" if indicator.measure else "hand",
        measured=measurement_out(indicator.measure, found) if found and indicator.measure else None,
        iso37120=indicator.iso37120,
        u4ssc=indicator.u4ssc,
        details=indicator.details,
        observations=(
            [observation_out(o) for o in service.observations(session, indicator)]
            if with_observations
            else None
        ),
    )


def measures_out(session: Session, tenant_id: int) -> list[MeasureOut]:
    by_measure: dict[str, list[str]] = {}
    for indicator in service.list_indicators(session, tenant_id):
        if indicator.measure:
            by_measure.setdefault(indicator.measure, []).append(indicator.code)
    return [
        MeasureOut(
            key=m.key,
            name_zh=m.name_zh,
            name_en=m.name_en,
            data_from=m.source,
            unit=m.unit,
            method=m.method,
            available=m.available,
            reason=m.unavailable_reason,
            u4ssc=m.u4ssc,
            indicators=by_measure.get(m.key, []),
        )
        for m in MEASURES.values()
    ]
