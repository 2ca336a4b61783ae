"""The cases part's tables: case files, their timeline, contacts, photos, categories and routes.

A case row carries the workflow's state (status, assignment, the deadline clock's stored form)
beside the columns lists filter on; the timeline is append-only in `case_events`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.core.db import Base, BigId, Json, UTCDateTime


class Case(Base):
    """A case file (案卷): where, what, who reported it, and where it stands in the workflow."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("public_id"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_cases_tenant_status", "tenant_id", "status", "id"),
        Index("ix_cases_tenant_category_created", "tenant_id", "category", "created_at"),
        Index("ix_cases_tenant_department_status", "tenant_id", "department", "status"),
        Index("ix_cases_tenant_created", "tenant_id", "created_at"),
        Index("ix_cases_warn_at", "warn_at"),
        Index("ix_cases_due_at", "due_at"),
        Index("ix_cases_token_hash", "token_hash"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    public_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    lon: Mapped[float] = mapped_column(Double)
    lat: Mapped[float] = mapped_column(Double)
    address: Mapped[str] = mapped_column(String(500), default="")
    cell_code: Mapped[str] = mapped_column(String(15))
    community_code: Mapped[str] = mapped_column(String(12))
    street_code: Mapped[str] = mapped_column(String(9))
    district_code: Mapped[str] = mapped_column(String(6))
    description: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str | None] = mapped_column(String(32), nullable=True)
    proposed_department: Mapped[str | None] = mapped_column(String(32), nullable=True)
    duplicate_of: Mapped[str | None] = mapped_column(String(32), nullable=True)  # a proposal
    # The deadline: the category's limit fixed at registration, and the clock's stored state.
    deadline_amount: Mapped[int] = mapped_column(Integer)
    deadline_unit: Mapped[str] = mapped_column(String(16))
    clock_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    clock_pauses: Mapped[list[Any]] = mapped_column(Json, default=list)
    clock_paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    clock_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    suspended_from: Mapped[str | None] = mapped_column(String(16), nullable=True)
    merged_into: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    returns: Mapped[int] = mapped_column(Integer, default=0)
    reopens: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reporter_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reporter: Mapped[str] = mapped_column(String(64))  # the reporting actor's id, e.g. user:12
    token_hash: Mapped[str] = mapped_column(String(64))
    alert_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseEvent(Base):
    """One line of a case's timeline; never changed once written."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(
        String(32)
    )  # report, a workflow action, or a deadline event
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class CaseContact(Base):
    """The reporter's contact: AES-GCM ciphertexts (nonce first) and the masked forms shown."""

    __tablename__ = "case_contacts"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    name_cipher: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    phone_cipher: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    name_masked: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone_masked: Mapped[str | None] = mapped_column(String(32), nullable=True)


class CasePhoto(Base):
    """A photo's metadata; the file lives under data_dir/photos, named by its SHA-256."""

    __tablename__ = "case_photos"
    __table_args__ = (Index("ix_case_photos_case", "case_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CategoryOverride(Base):
    """A tenant's edited category set (the whole set, checked), replacing the shipped default."""

    __tablename__ = "case_category_sets"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    categories: Mapped[dict[str, Any]] = mapped_column(Json)
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseRoute(Base):
    """A row of the responsibility matrix: cases of this category (or its subcategories) in
    this area (district, street, community or cell code) go to this department."""

    __tablename__ = "case_routes"
    __table_args__ = (UniqueConstraint("tenant_id", "category", "area_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(16))
    area_code: Mapped[str] = mapped_column(String(15))
    department: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
