"""The 综合评价 fact table: one row per case with what the evaluation counts, kept in step with
the case by `evaluation_facts.refresh_facts`, so the report is one GROUP BY over one table.

Working-time handling durations need the working-day calendar, which SQL does not have; they are
computed once per change of a case here, not at report time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Double, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.cases.models import Case
from smartcity.core.db import Base, BigId, UTCDateTime

# The refresh finds changed cases by their last change; an index on the case table for it.
CASES_UPDATED_INDEX = Index("ix_cases_tenant_updated", Case.tenant_id, Case.updated_at)


class CaseEvaluationFact(Base):
    """What the evaluation needs of one case, as of the case's last change (`case_updated_at`)."""

    __tablename__ = "case_evaluation_facts"
    __table_args__ = (
        Index("ix_case_evaluation_facts_registered", "tenant_id", "registered_at"),
        Index("ix_case_evaluation_facts_updated", "tenant_id", "case_updated_at"),
        Index("ix_case_evaluation_facts_closed", "tenant_id", "category", "closed_at"),
    )

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    tenant_id: Mapped[int] = mapped_column(BigId)
    category: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(32), nullable=True)
    street_code: Mapped[str] = mapped_column(String(9))
    district_code: Mapped[str] = mapped_column(String(6))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # 立案
    dispatched: Mapped[bool] = mapped_column(Boolean)  # the deadline clock has started
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handling_seconds: Mapped[float | None] = mapped_column(Double, nullable=True)  # working time
    returns: Mapped[int] = mapped_column(Integer)
    reopens: Mapped[int] = mapped_column(Integer)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    case_updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
