"""The plan part's tables: the programme's pillars (actions and support systems), key projects,
milestones, safeguard measures, indicators and their observations, one set per tenant.

Rows are identified by stable codes from the seed data (`livable`, `viable-1`,
`household-fibre-take-up`), unique within a tenant, so the seed can be installed again safely.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Double, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.core.db import Base, BigId, Json, UTCDateTime


class PlanPillar(Base):
    """One of the five LIVED application actions or the three support systems."""

    __tablename__ = "plan_pillars"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # action | support
    letter: Mapped[str | None] = mapped_column(String(1), nullable=True)  # L I V E D
    position: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    goal_zh: Mapped[str] = mapped_column(String(300))
    goal_en: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)  # the seed's sentence listing its projects


class PlanProject(Base):
    """A key project (重点专项) with its lead agency, status, progress notes and evidence."""

    __tablename__ = "plan_projects"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_plan_projects_tenant_status", "tenant_id", "status"),
        Index("ix_plan_projects_pillar", "pillar_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    pillar_id: Mapped[int] = mapped_column(ForeignKey("plan_pillars.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(48))
    position: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    seed_name: Mapped[str] = mapped_column(String(200))  # the words the seed lists it by
    lead_agency: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # planned on_track at_risk late done
    progress_note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)  # {url, title}
    area_type: Mapped[str | None] = mapped_column(String(32), nullable=True)  # District action
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class PlanMilestone(Base):
    """A dated step of a project, from the seed's qualitative targets or added by staff."""

    __tablename__ = "plan_milestones"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_plan_milestones_project", "project_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("plan_projects.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class PlanSafeguard(Base):
    """One of the seven safeguard measures (保障措施)."""

    __tablename__ = "plan_safeguards"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class PlanIndicator(Base):
    """A quantitative statement of the plan (or a platform measure) with baseline and target.

    `measure` names the live measure that computes it; such an indicator takes no hand entry.
    """

    __tablename__ = "plan_indicators"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(16))  # seed | platform
    pillar_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_pillars.id", ondelete="SET NULL"), nullable=True
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_projects.id", ondelete="SET NULL"), nullable=True
    )
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(8))  # up | down
    baseline_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    baseline_value: Mapped[float | None] = mapped_column(Double, nullable=True)
    baseline_comparator: Mapped[str | None] = mapped_column(String(16), nullable=True)
    baseline_text: Mapped[str | None] = mapped_column(String(64), nullable=True)
    baseline_source: Mapped[str | None] = mapped_column(Text, nullable=True)
    target_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    target_value: Mapped[float | None] = mapped_column(Double, nullable=True)
    target_comparator: Mapped[str | None] = mapped_column(String(16), nullable=True)
    target_text: Mapped[str | None] = mapped_column(String(64), nullable=True)
    target_source: Mapped[str | None] = mapped_column(Text, nullable=True)
    measure: Mapped[str | None] = mapped_column(String(64), nullable=True)
    iso37120: Mapped[str | None] = mapped_column(String(200), nullable=True)
    u4ssc: Mapped[str | None] = mapped_column(String(200), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # notes, comparisons


class PlanObservation(Base):
    """One value an indicator had on a date, with where it came from and who entered it."""

    __tablename__ = "plan_observations"
    __table_args__ = (Index("ix_plan_observations_indicator_date", "indicator_id", "observed_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("plan_indicators.id", ondelete="CASCADE"))
    value: Mapped[float] = mapped_column(Double)
    observed_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
