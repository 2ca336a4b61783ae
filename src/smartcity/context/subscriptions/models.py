"""Tables of NGSI-LD subscriptions and of the notifications they still owe (the outbox).

A subscription's `document` is its stored form (names expanded, see jsonld/__init__.py) without
the members the system maintains; those live in columns so the worker can update them. Pending
notifications are rows: a notification survives a restart because it is in the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Double, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.core.db import Base, BigId, Json, UTCDateTime


class Subscription(Base):
    __tablename__ = "ngsi_subscriptions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "subscription_id"),
        Index("ix_ngsi_subscriptions_periodic", "next_periodic_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    subscription_id: Mapped[str] = mapped_column(String(2048))
    document: Mapped[dict[str, Any]] = mapped_column(Json)
    # The @context the subscriber spoke (Link header or body), to compact notifications with.
    context: Mapped[Any] = mapped_column(Json, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    throttling: Mapped[float | None] = mapped_column(Double, nullable=True)
    time_interval: Mapped[float | None] = mapped_column(Double, nullable=True)
    next_periodic_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    times_sent: Mapped[int] = mapped_column(Integer, default=0)
    times_failed: Mapped[int] = mapped_column(Integer, default=0)
    last_notification: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_success: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_failure: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PendingNotification(Base):
    """One notification to deliver: the entities it carries, in the stored form, and its retries."""

    __tablename__ = "ngsi_pending_notifications"
    __table_args__ = (Index("ix_ngsi_pending_notifications_due", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    subscription_pk: Mapped[int] = mapped_column(
        ForeignKey("ngsi_subscriptions.id", ondelete="CASCADE"), index=True
    )
    # The notificationTrigger that fired, or None for a periodic (timeInterval) notification.
    trigger: Mapped[str | None] = mapped_column(String(32), nullable=True)
    entities: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
