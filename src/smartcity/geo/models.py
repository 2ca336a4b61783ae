"""Tables of the city model: districts, streets, communities, unit grid cells and departments.

Geometry is stored portably (no PostGIS needed): WKB in lon/lat (EPSG:4326) beside its bounding
box, an inside point and its area, so lists and filters never have to decode shapes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Double,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.core.db import Base, BigId, Json, UTCDateTime


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AreaColumns:
    """Columns every area level shares; each code is unique within its tenant."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(15))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    geometry: Mapped[bytes] = mapped_column(LargeBinary)  # WKB, lon/lat
    min_lon: Mapped[float] = mapped_column(Double)
    min_lat: Mapped[float] = mapped_column(Double)
    max_lon: Mapped[float] = mapped_column(Double)
    max_lat: Mapped[float] = mapped_column(Double)
    centroid_lon: Mapped[float] = mapped_column(Double)  # the centroid, or a point inside
    centroid_lat: Mapped[float] = mapped_column(Double)
    area_m2: Mapped[float] = mapped_column(Double)
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(200), default="")
    properties: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class District(AreaColumns, Base):
    """区: 6-digit code."""

    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)


class Street(AreaColumns, Base):
    """街道/镇: 9-digit code starting with its district's."""

    __tablename__ = "streets"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_streets_tenant_district", "tenant_id", "district_code"),
    )

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    district_code: Mapped[str] = mapped_column(String(6))


class Community(AreaColumns, Base):
    """社区/村: 12-digit code starting with its street's."""

    __tablename__ = "communities"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_communities_tenant_street", "tenant_id", "street_code"),
    )

    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id", ondelete="CASCADE"))
    district_code: Mapped[str] = mapped_column(String(6))
    street_code: Mapped[str] = mapped_column(String(9))


class UnitGridCell(AreaColumns, Base):
    """单元网格: 15-digit code, 6 district + 3 street + 3 community + 3 sequence digits."""

    __tablename__ = "grid_cells"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_grid_cells_tenant_district", "tenant_id", "district_code"),
        Index("ix_grid_cells_tenant_street", "tenant_id", "street_code"),
        Index("ix_grid_cells_tenant_community", "tenant_id", "community_code"),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    district_code: Mapped[str] = mapped_column(String(6))
    street_code: Mapped[str] = mapped_column(String(9))
    community_code: Mapped[str] = mapped_column(String(12))


AREA_MODELS: dict[str, type[AreaColumns]] = {
    "district": District,
    "street": Street,
    "community": Community,
    "cell": UnitGridCell,
}


class Department(Base):
    """A department (委办局, 街道办事处, utility …) handling cases in the areas it answers for."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Services pass the platform clock's time; the default serves rows made directly (fixtures).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utc_now)


class DepartmentArea(Base):
    """One area (district, street, community or cell, by code) a department is responsible for.

    `category` narrows it to one kind of case (e.g. 市容环境); None means every kind.
    """

    __tablename__ = "department_areas"
    __table_args__ = (
        Index("ix_department_areas_tenant_area", "tenant_id", "area_code"),
        Index("ix_department_areas_department", "department_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(16))
    area_code: Mapped[str] = mapped_column(String(15))
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)


class GeoRevision(Base):
    """A token that changes on every write to a tenant's city model; caches compare it."""

    __tablename__ = "geo_revisions"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    token: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
