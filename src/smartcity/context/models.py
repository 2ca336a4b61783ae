"""Tables of the context broker: entities (current state), their types, and attribute history.

Names inside `attrs` and `types` are stored expanded (full IRIs); the core NGSI-LD members of an
attribute (`type`, `value`, `object`, `observedAt`, `datasetId` …) keep their short names.
`(tenant_id, entity_id)` is the natural distribution key; history is append-only and its
PostgreSQL table is the one to partition by `recorded_at` once it grows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Double, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.core.db import Base, BigId, Json, UTCDateTime


class ContextEntity(Base):
    __tablename__ = "ngsi_entities"
    __table_args__ = (
        UniqueConstraint("tenant_id", "entity_id"),
        Index("ix_ngsi_entities_tenant_box", "tenant_id", "min_lon", "min_lat"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    entity_id: Mapped[str] = mapped_column(String(2048))
    types: Mapped[list[str]] = mapped_column(Json)
    attrs: Mapped[dict[str, Any]] = mapped_column(Json)
    scope: Mapped[list[str] | None] = mapped_column(Json, nullable=True)
    # The bounding box of the `location` GeoProperty, so geo-queries can filter in SQL first.
    min_lon: Mapped[float | None] = mapped_column(Double, nullable=True)
    min_lat: Mapped[float | None] = mapped_column(Double, nullable=True)
    max_lon: Mapped[float | None] = mapped_column(Double, nullable=True)
    max_lat: Mapped[float | None] = mapped_column(Double, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContextEntityType(Base):
    """One row per type of an entity (an entity may have several), for indexed type queries."""

    __tablename__ = "ngsi_entity_types"
    __table_args__ = (Index("ix_ngsi_entity_types_tenant_type", "tenant_id", "type", "entity_pk"),)

    entity_pk: Mapped[int] = mapped_column(
        ForeignKey("ngsi_entities.id", ondelete="CASCADE"), primary_key=True
    )
    type: Mapped[str] = mapped_column(String(512), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))


class AttributeInstance(Base):
    """One value an attribute had: the temporal representation is built from these rows."""

    __tablename__ = "ngsi_attribute_instances"
    __table_args__ = (
        # The key of every history read, carrying what aggregations read (migration 0007).
        Index(
            "ix_ngsi_instances_entity_attr_values",
            "tenant_id",
            "entity_id",
            "attr",
            "observed_at",
            "dataset_id",
            "value_number",
        ),
        Index("ix_ngsi_instances_tenant_recorded", "tenant_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    entity_id: Mapped[str] = mapped_column(String(2048))
    attr: Mapped[str] = mapped_column(String(512))
    dataset_id: Mapped[str | None] = mapped_column(String(512), nullable=True)
    instance_id: Mapped[str] = mapped_column(String(128), unique=True)
    observed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    value_number: Mapped[float | None] = mapped_column(Double, nullable=True)
    instance: Mapped[dict[str, Any]] = mapped_column(Json)


# The extent of each location box (migration 0004), for geo-queries that bound the box search.
Index(
    "ix_ngsi_entities_tenant_width",
    ContextEntity.tenant_id,
    ContextEntity.max_lon - ContextEntity.min_lon,
)
Index(
    "ix_ngsi_entities_tenant_height",
    ContextEntity.tenant_id,
    ContextEntity.max_lat - ContextEntity.min_lat,
)
