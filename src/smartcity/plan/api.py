"""Routes of the LIVED programme under /api/plan: the programme tree, key projects and their
milestones, indicators with observations and live measures, the status report."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from smartcity.core.errors import ValidationFailed
from smartcity.plan import loader, report, service, views
from smartcity.plan.measures import SHANGHAI, Period
from smartcity.plan.schemas import (
    CODE,
    IndicatorOut,
    MeasureOut,
    MilestoneOut,
    MilestoneUpdate,
    ObservationIn,
    ObservationOut,
    Origin,
    ProgrammeOut,
    ProjectOut,
    ProjectUpdate,
    Status,
)
from smartcity.platform import Platform
from smartcity.security.principal import Principal
from smartcity.web.deps import PlatformDep, SessionDep, require

router = APIRouter(prefix="/api/plan", tags=["plan"])

ReadPlan = Annotated[Principal, require("plan:read")]
WritePlan = Annotated[Principal, require("plan:write")]
Code = Annotated[str, Path(pattern=CODE, description="the code of the row, e.g. viable-1")]
Action = Annotated[str | None, Query(pattern=CODE, description="an action or support system")]
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2100, 12, 31)
Since = Annotated[
    date | None,
    Query(ge=FIRST_DAY, le=LAST_DAY, description="live measures from this day (Shanghai)"),
]
Until = Annotated[
    date | None,
    Query(ge=FIRST_DAY, le=LAST_DAY, description="live measures to the end of this day"),
]


def _period(platform: Platform, since: date | None, until: date | None) -> Period | None:
    """The days asked for, as an instant range in UTC; None: each measure's default."""
    if since is None and until is None:
        return None
    now = platform.clock.now()
    start = (
        datetime.combine(since, time(), SHANGHAI).astimezone(UTC)
        if since
        else datetime.combine(service.programme_start(), time(), SHANGHAI).astimezone(UTC)
    )
    end = (
        datetime.combine(until + timedelta(days=1), time(), SHANGHAI).astimezone(UTC)
        if until
        else now
    )
    end = min(end, now)
    if start >= end:
        raise ValidationFailed("since must be before until", field="since")
    return Period(start, end)


@router.get("", response_model=ProgrammeOut)
def get_programme(session: SessionDep, principal: ReadPlan) -> ProgrammeOut:
    """The programme: actions and support systems, their projects and milestones, safeguards."""
    return views.programme_out(session, principal.tenant_id)


@router.post("/seed")
def install_seed(
    platform: PlatformDep, session: SessionDep, principal: WritePlan
) -> dict[str, dict[str, int]]:
    """Install the programme's seed data for this city; what exists already is left alone."""
    with platform.serialized_writes():
        found = loader.install_seed(session, platform, principal)
    return {"created": found.created}


@router.get("/projects", response_model=list[ProjectOut])
def list_projects(
    session: SessionDep,
    principal: ReadPlan,
    action: Action = None,
    status: Status | None = None,
) -> list[ProjectOut]:
    """Key projects in the programme's order, narrowed by action (or support system) and status."""
    pillars = service.pillar_codes(session, principal.tenant_id)
    rows = service.list_projects(session, principal.tenant_id, pillar=action, status=status)
    return [views.project_out(p, pillars[p.pillar_id]) for p in rows]


@router.get("/projects/{code}", response_model=ProjectOut)
def get_project(session: SessionDep, principal: ReadPlan, code: Code) -> ProjectOut:
    project = service.get_project(session, principal.tenant_id, code)
    pillars = service.pillar_codes(session, principal.tenant_id)
    milestones = service.project_milestones(session, project)
    return views.project_out(project, pillars[project.pillar_id], milestones)


@router.patch("/projects/{code}", response_model=ProjectOut)
def update_project(
    platform: PlatformDep,
    session: SessionDep,
    principal: WritePlan,
    code: Code,
    body: ProjectUpdate,
) -> ProjectOut:
    """Change status, progress note, evidence links or lead agency (programme staff)."""
    changes = body.model_dump(exclude_unset=True)
    with platform.serialized_writes():
        service.update_project(session, platform, principal, code=code, changes=changes)
    return get_project(session, principal, code)


@router.patch("/milestones/{code}", response_model=MilestoneOut)
def update_milestone(
    platform: PlatformDep,
    session: SessionDep,
    principal: WritePlan,
    code: Code,
    body: MilestoneUpdate,
) -> MilestoneOut:
    """Change a milestone's status, due date, completion date or note (programme staff)."""
    changes = body.model_dump(exclude_unset=True)
    with platform.serialized_writes():
        milestone = service.update_milestone(
            session, platform, principal, code=code, changes=changes
        )
    projects = service.project_codes(session, principal.tenant_id)
    return views.milestone_out(milestone, projects[milestone.project_id])


@router.get("/indicators", response_model=list[IndicatorOut])
def list_indicators(
    platform: PlatformDep,
    session: SessionDep,
    principal: ReadPlan,
    action: Action = None,
    origin: Origin | None = None,
    since: Since = None,
    until: Until = None,
) -> list[IndicatorOut]:
    """Indicators with baseline, target and, for computed ones, the live value and its method."""
    period = _period(platform, since, until)
    tenant_id = principal.tenant_id
    pillars, projects = (
        service.pillar_codes(session, tenant_id),
        service.project_codes(session, tenant_id),
    )
    return [
        views.indicator_out(session, platform, i, pillars=pillars, projects=projects, period=period)
        for i in service.list_indicators(session, tenant_id, pillar=action, origin=origin)
    ]


@router.get("/indicators/{code}", response_model=IndicatorOut)
def get_indicator(
    platform: PlatformDep,
    session: SessionDep,
    principal: ReadPlan,
    code: Code,
    since: Since = None,
    until: Until = None,
) -> IndicatorOut:
    """One indicator with its observations (and its live value, if computed)."""
    period = _period(platform, since, until)
    tenant_id = principal.tenant_id
    indicator = service.get_indicator(session, tenant_id, code)
    return views.indicator_out(
        session,
        platform,
        indicator,
        pillars=service.pillar_codes(session, tenant_id),
        projects=service.project_codes(session, tenant_id),
        period=period,
        with_observations=True,
    )


@router.post(
    "/indicators/{code}/observations",
    response_model=ObservationOut,
    status_code=status.HTTP_201_CREATED,
)
def add_observation(
    platform: PlatformDep,
    session: SessionDep,
    principal: WritePlan,
    code: Code,
    body: ObservationIn,
) -> ObservationOut:
    """Record a value by hand (programme staff); computed indicators refuse with 409."""
    with platform.serialized_writes():
        row = service.add_observation(
            session,
            platform,
            principal,
            code=code,
            value=body.value,
            unit=body.unit,
            observed_on=body.observed_on,
            source=body.source,
            note=body.note,
        )
    return views.observation_out(row)


@router.get("/measures", response_model=list[MeasureOut])
def list_measures(session: SessionDep, principal: ReadPlan) -> list[MeasureOut]:
    """The live measures the platform computes or will compute, and the indicators they feed."""
    return views.measures_out(session, principal.tenant_id)


@router.get("/report.html", response_class=Response)
def report_html(platform: PlatformDep, session: SessionDep, principal: ReadPlan) -> Response:
    """The programme status report as one HTML page with an SVG chart per indicator."""
    page = report.build_report(session, platform, principal.tenant_id)
    return Response(page, media_type="text/html; charset=utf-8")


@router.get("/report.pdf", response_class=Response)
def report_pdf(platform: PlatformDep, session: SessionDep, principal: ReadPlan) -> Response:
    """The programme status report as PDF."""
    document = report.build_pdf(session, platform, principal.tenant_id)
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="plan-report.pdf"'},
    )


ROUTERS: list[APIRouter] = [router]
