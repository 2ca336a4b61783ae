"""The device registry's table: one row a device, with its place in the grid and its credential.

A credential is kept only as hashes: the API key by its public prefix and the hash of its secret,
the MQTT password by its hash under a username unique across tenants (`<device id>@<tenant>`),
because a broker sees the username before it knows the tenant.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Double, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smartcity.core.db import Base, BigId, UTCDateTime
from smartcity.geo.models import Department


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "device_id"),
        Index("ix_devices_tenant_type_status", "tenant_id", "device_type", "status"),
        Index("ix_devices_tenant_status", "tenant_id", "status"),
        Index("ix_devices_tenant_district", "tenant_id", "district_code"),
        Index("ix_devices_tenant_street", "tenant_id", "street_code"),
        Index("ix_devices_tenant_cell", "tenant_id", "cell_code"),
        Index("ix_devices_department", "department_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    device_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    device_type: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), nullable=True
    )
    lon: Mapped[float] = mapped_column(Double)
    lat: Mapped[float] = mapped_column(Double)
    # The unit grid cell holding the point and its ancestors (code prefixes), for filters;
    # None only while the city has no grid cells at all.
    cell_code: Mapped[str | None] = mapped_column(String(15), nullable=True)
    community_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    street_code: Mapped[str | None] = mapped_column(String(9), nullable=True)
    district_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    entity_id: Mapped[str] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16))
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    battery_level: Mapped[float | None] = mapped_column(Double, nullable=True)  # 0.0–1.0
    rssi_dbm: Mapped[float | None] = mapped_column(Double, nullable=True)
    api_key_prefix: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    api_key_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)
    mqtt_username: Mapped[str | None] = mapped_column(String(160), unique=True, nullable=True)
    mqtt_password_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)
    credentials_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    department: Mapped[Department | None] = relationship(lazy="joined")

    @property
    def department_code(self) -> str | None:
        return self.department.code if self.department is not None else None

    @property
    def credential_kinds(self) -> list[str]:
        """Which credentials the device holds now (api_key, mqtt)."""
        kinds = []
        if self.api_key_hash is not None:
            kinds.append("api_key")
        if self.mqtt_password_hash is not None:
            kinds.append("mqtt")
        return kinds
