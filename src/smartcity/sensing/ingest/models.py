"""Ingestion's tables: a receipt per stored reading (exactly-once storage) and dead letters.

A receipt's primary key is the reading's identity (tenant, device, attribute, observation time):
it is inserted with ON CONFLICT DO NOTHING in the transaction that stores the reading, so a
reading delivered again after a crash finds its receipt and is not stored twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.core.db import Base, BigId, UTCDateTime


class ReadingReceipt(Base):
    __tablename__ = "reading_receipts"
    __table_args__ = (Index("ix_reading_receipts_tenant_received", "tenant_id", "received_at"),)

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    device_pk: Mapped[int] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    attr: Mapped[str] = mapped_column(String(128), primary_key=True)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    # When the reading was stored: receipts older than any redelivery window can be pruned.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeadLetter(Base):
    """A payload (or one reading of it) that could not be stored, kept for operators."""

    __tablename__ = "dead_letters"
    __table_args__ = (
        Index("ix_dead_letters_tenant_received", "tenant_id", "received_at"),
        Index("ix_dead_letters_tenant_reason", "tenant_id", "reason", "received_at"),
        Index("ix_dead_letters_tenant_device", "tenant_id", "device_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # None when the payload could not even be placed in a tenant (e.g. an MQTT topic naming none).
    tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), nullable=True
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    transport: Mapped[str] = mapped_column(String(16))  # http | mqtt
    route: Mapped[str] = mapped_column(String(512))  # the MQTT topic or the HTTP route
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attribute: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reason: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(1000))
    # The payload as received, decoded as UTF-8 (undecodable bytes escaped) and cut to a cap;
    # `payload_size` is its size in bytes before the cut.
    payload: Mapped[str] = mapped_column(Text)
    payload_size: Mapped[int] = mapped_column(Integer)
