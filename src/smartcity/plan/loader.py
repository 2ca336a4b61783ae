"""Installs the programme's seed data for a tenant: every row the tenant lacks, by code.

Running it again adds nothing, and never overwrites what programme staff have changed since
(statuses, notes, evidence, observations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.plan.models import (
    PlanIndicator,
    PlanMilestone,
    PlanObservation,
    PlanPillar,
    PlanProject,
    PlanSafeguard,
)
from smartcity.plan.seed import project_code, read_quantity, seed_data
from smartcity.platform import Platform
from smartcity.security import audit
from smartcity.security.principal import Principal

SEED_ACTOR = "seed"


@dataclass
class SeedReport:
    """How many rows of each kind the install added."""

    created: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created.values())

    def add(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1


def _existing(session: Session, model: type, tenant_id: int) -> dict[str, Any]:
    return {
        row.code: row for row in session.scalars(select(model).where(model.tenant_id == tenant_id))
    }


def install_seed(session: Session, platform: Platform, principal: Principal) -> SeedReport:
    """Add the seed's pillars, projects, milestones, safeguards and indicators; commits."""
    data = seed_data()
    tenant_id = principal.tenant_id
    report = SeedReport()
    now = platform.clock.now()
    try:
        pillars, projects = _install_pillars(session, tenant_id, data, now, report)
        _install_milestones(session, tenant_id, data, projects, now, report)
        _install_safeguards(session, tenant_id, data, report)
        _install_indicators(session, tenant_id, data, pillars, projects, now, report)
        if report.changed:
            audit.record(
                session,
                platform.clock,
                principal,
                action="plan.install_seed",
                entity_type="plan_programme",
                entity_id=data["programme"]["code"],
                after={"created": report.created},
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _install_pillars(
    session: Session, tenant_id: int, data: dict[str, Any], now: Any, report: SeedReport
) -> tuple[dict[str, PlanPillar], dict[str, PlanProject]]:
    pillars = _existing(session, PlanPillar, tenant_id)
    projects = _existing(session, PlanProject, tenant_id)
    for position, spec in enumerate(data["pillars"], start=1):
        pillar = pillars.get(spec["code"])
        if pillar is None:
            pillar = PlanPillar(
                tenant_id=tenant_id,
                code=spec["code"],
                kind=spec["kind"],
                letter=spec["letter"],
                position=position,
                name_zh=spec["name_zh"],
                name_en=spec["name_en"],
                goal_zh=spec["goal_zh"],
                goal_en=spec["goal_en"],
                source=spec["list_sentence"],
            )
            session.add(pillar)
            session.flush()
            pillars[pillar.code] = pillar
            report.add("pillars")
        for number, item in enumerate(spec["projects"], start=1):
            code = project_code(spec["code"], number)
            if code in projects:
                continue
            project = PlanProject(
                tenant_id=tenant_id,
                pillar_id=pillar.id,
                code=code,
                position=number,
                name_zh=item["name_zh"],
                name_en=item["name_en"],
                seed_name=item["seed_name"],
                lead_agency=item.get("lead_agency"),
                status="planned",
                progress_note="",
                evidence=[],
                area_type=item.get("area_type"),
                updated_at=now,
                updated_by=SEED_ACTOR,
            )
            session.add(project)
            projects[code] = project
            report.add("projects")
    session.flush()
    return pillars, projects


def _install_milestones(
    session: Session,
    tenant_id: int,
    data: dict[str, Any],
    projects: dict[str, PlanProject],
    now: Any,
    report: SeedReport,
) -> None:
    existing = _existing(session, PlanMilestone, tenant_id)
    for spec in data["milestones"]:
        if spec["code"] in existing:
            continue
        session.add(
            PlanMilestone(
                tenant_id=tenant_id,
                project_id=projects[spec["project"]].id,
                code=spec["code"],
                title_zh=spec["title_zh"],
                title_en=spec["title_en"],
                due_on=date.fromisoformat(spec["due_on"]),
                status="planned",
                note="",
                source=spec["source"],
                updated_at=now,
                updated_by=SEED_ACTOR,
            )
        )
        report.add("milestones")


def _install_safeguards(
    session: Session, tenant_id: int, data: dict[str, Any], report: SeedReport
) -> None:
    existing = _existing(session, PlanSafeguard, tenant_id)
    for position, spec in enumerate(data["safeguards"], start=1):
        code = f"safeguard-{position}"
        if code in existing:
            continue
        session.add(
            PlanSafeguard(
                tenant_id=tenant_id,
                code=code,
                position=position,
                name_zh=spec["name_zh"],
                name_en=spec["name_en"],
            )
        )
        report.add("safeguards")


def _figure(spec: dict[str, Any] | None, unit: str, end: str) -> dict[str, Any]:
    if not spec:
        return {}
    quantity = read_quantity(spec["as_written"], unit)
    return {
        f"{end}_year": spec["year"],
        f"{end}_value": quantity.value,
        f"{end}_comparator": quantity.comparator,
        f"{end}_text": spec["as_written"],
        f"{end}_source": spec["source"],
    }


def _install_indicators(
    session: Session,
    tenant_id: int,
    data: dict[str, Any],
    pillars: dict[str, PlanPillar],
    projects: dict[str, PlanProject],
    now: Any,
    report: SeedReport,
) -> None:
    existing = _existing(session, PlanIndicator, tenant_id)
    specs = [(s, "seed") for s in data["indicators"]]
    specs += [(s, "platform") for s in data["platform_indicators"]]
    for position, (spec, origin) in enumerate(specs, start=1):
        if spec["code"] in existing:
            continue
        details = {
            key: spec[key] for key in ("note_en", "comparisons") if spec.get(key) is not None
        }
        indicator = PlanIndicator(
            tenant_id=tenant_id,
            code=spec["code"],
            position=position,
            origin=origin,
            pillar_id=pillars[spec["pillar"]].id if spec.get("pillar") else None,
            project_id=projects[spec["project"]].id if spec.get("project") else None,
            name_zh=spec["name_zh"],
            name_en=spec["name_en"],
            unit=spec["unit"],
            direction=spec["direction"],
            measure=spec.get("measure"),
            iso37120=spec.get("iso37120"),
            u4ssc=spec.get("u4ssc"),
            details=details,
            **_figure(spec.get("baseline"), spec["unit"], "baseline"),
            **_figure(spec.get("target"), spec["unit"], "target"),
        )
        session.add(indicator)
        session.flush()
        report.add("indicators")
        for past in spec.get("history", []):
            session.add(
                PlanObservation(
                    tenant_id=tenant_id,
                    indicator_id=indicator.id,
                    value=read_quantity(past["as_written"], spec["unit"]).value,
                    observed_on=date(past["year"], 12, 31),
                    source=f"seed: {past['source']}",
                    note="",
                    entered_by=SEED_ACTOR,
                    entered_at=now,
                )
            )
            report.add("observations")
