"""The rules part's tables: rules, their per-device evaluation state, alerts and alert events.

An alert is active (raised or acknowledged) while `active_key` holds "<rule>:<device>": the
unique constraint on it keeps one active alert per rule and device on every backend (NULLs do
not collide), and resolving it sets the key to NULL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Double, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.core.db import Base, BigId, Json, UTCDateTime


class Rule(Base):
    __tablename__ = "rules"
    __table_args__ = (Index("ix_rules_tenant_attribute", "tenant_id", "attribute"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # threshold | rate_of_change | silence | anomaly
    # What the rule watches: a device kind or a Smart Data Model entity type (one of the two).
    device_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    entity_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attribute: Mapped[str | None] = mapped_column(String(128), nullable=True)  # None: silence
    area_level: Mapped[str] = mapped_column(String(8))  # city | district | street | cell
    area_code: Mapped[str | None] = mapped_column(String(15), nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(Json)
    severity: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean)
    auto_resolve: Mapped[bool] = mapped_column(Boolean)
    case_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source: Mapped[str] = mapped_column(String(300), default="")  # e.g. the standard it follows
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RuleRevision(Base):
    """A tenant's rules revision, bumped by every rule change: evaluators compare it with the
    revision of their in-memory index (in any process) and reload when it moved."""

    __tablename__ = "rule_revisions"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(Integer)


class RuleState(Base):
    """What a rule remembers of one device between batches (hysteresis, windows, EWMA)."""

    __tablename__ = "rule_states"
    __table_args__ = (Index("ix_rule_states_device", "device_pk"),)

    rule_id: Mapped[int] = mapped_column(
        ForeignKey("rules.id", ondelete="CASCADE"), primary_key=True
    )
    device_pk: Mapped[int] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[dict[str, Any]] = mapped_column(Json)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_tenant_status_raised", "tenant_id", "status", "raised_at"),
        Index("ix_alerts_tenant_raised", "tenant_id", "raised_at"),
        Index("ix_alerts_rule", "rule_id"),
        Index("ix_alerts_device", "device_pk"),
        Index("ix_alerts_case_status", "case_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("rules.id", ondelete="SET NULL"), nullable=True
    )
    device_pk: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL"), nullable=True
    )
    active_key: Mapped[str | None] = mapped_column(String(48), unique=True, nullable=True)
    device_id: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(256))
    attribute: Mapped[str | None] = mapped_column(String(128), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    method: Mapped[str | None] = mapped_column(String(16), nullable=True)  # anomaly: ewma | mad
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # raised | acknowledged | resolved
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    street_code: Mapped[str | None] = mapped_column(String(9), nullable=True)
    cell_code: Mapped[str | None] = mapped_column(String(15), nullable=True)
    lon: Mapped[float] = mapped_column(Double)
    lat: Mapped[float] = mapped_column(Double)
    count: Mapped[int] = mapped_column(Integer)
    last_value: Mapped[float | None] = mapped_column(Double, nullable=True)
    # The readings that fired it: [{"attribute", "value", "observed_at", …}], newest last, capped.
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    case_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The case it opened (see rules/cases.py): pending until the rules job opens it, then
    # opened with the case's public id, or failed with the reason in case_note.
    case_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    case_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    case_note: Mapped[str | None] = mapped_column(String(300), nullable=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)  # auto | manual
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AlertEvent(Base):
    """One change of an alert, in order: what the live stream sends (its id is the SSE id)."""

    __tablename__ = "alert_events"
    __table_args__ = (Index("ix_alert_events_tenant_id", "tenant_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(16))  # raised | acknowledged | resolved
    at: Mapped[datetime] = mapped_column(UTCDateTime)
