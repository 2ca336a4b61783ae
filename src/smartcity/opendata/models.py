"""The open data part's tables: organisations, groups, their members, datasets (DCAT-AP metadata),
their tags, groups, resources and published versions, one catalogue per tenant.

Datasets, resources, organisations and groups carry a public `uid` (a UUID, the id CKAN clients
see) beside the integer key; their `name` is a URL slug unique within the tenant.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.core.db import Base, BigId, Json, UTCDateTime


class Organisation(Base):
    """A publisher (a bureau or district office) that owns datasets and has editors."""

    __tablename__ = "opendata_organisations"
    __table_args__ = (UniqueConstraint("tenant_id", "name"), UniqueConstraint("uid"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(100))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    homepage: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Group(Base):
    """A theme grouping datasets across publishers (交通, 环境 …)."""

    __tablename__ = "opendata_groups"
    __table_args__ = (UniqueConstraint("tenant_id", "name"), UniqueConstraint("uid"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(100))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Membership(Base):
    """A user or an application key that edits (or administers) one organisation's datasets."""

    __tablename__ = "opendata_members"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (api_key_id IS NULL)", name="one_user_or_key"),
        UniqueConstraint("organisation_id", "user_id"),
        UniqueConstraint("organisation_id", "api_key_id"),
        Index("ix_opendata_members_user", "user_id"),
        Index("ix_opendata_members_api_key", "api_key_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("opendata_organisations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), nullable=True
    )
    capacity: Mapped[str] = mapped_column(String(16))  # member | editor | admin
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Dataset(Base):
    """A dataset with its DCAT-AP metadata; private ones are drafts seen only by their publisher."""

    __tablename__ = "opendata_datasets"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        UniqueConstraint("uid"),
        Index("ix_opendata_datasets_tenant_modified", "tenant_id", "modified_at"),
        Index("ix_opendata_datasets_organisation", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(100))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("opendata_organisations.id", ondelete="RESTRICT")
    )
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    notes_zh: Mapped[str] = mapped_column(Text, default="")
    notes_en: Mapped[str] = mapped_column(Text, default="")
    themes: Mapped[list[str]] = mapped_column(Json, default=list)  # EU data themes (TRAN, ENVI …)
    license_id: Mapped[str] = mapped_column(String(64))
    frequency: Mapped[str | None] = mapped_column(String(16), nullable=True)  # EU frequencies
    spatial_districts: Mapped[list[str]] = mapped_column(Json, default=list)  # 6-digit codes
    spatial_bbox: Mapped[list[float] | None] = mapped_column(Json, nullable=True)  # w s e n
    temporal_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    temporal_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")  # an office, not a person
    contact_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    contact_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    landing_page: Mapped[str | None] = mapped_column(String(500), nullable=True)
    version: Mapped[str] = mapped_column(String(64), default="")  # the publisher's label
    revision: Mapped[int] = mapped_column(Integer, default=1)  # bumped by every change
    private: Mapped[bool] = mapped_column(Boolean, default=True)
    extras: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # other key/values
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class DatasetTag(Base):
    """A keyword (dcat:keyword) of a dataset."""

    __tablename__ = "opendata_dataset_tags"
    __table_args__ = (
        UniqueConstraint("dataset_id", "name"),
        Index("ix_opendata_dataset_tags_name", "name"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("opendata_datasets.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))


class DatasetGroup(Base):
    """A dataset's place in a group."""

    __tablename__ = "opendata_dataset_groups"
    __table_args__ = (
        UniqueConstraint("dataset_id", "group_id"),
        Index("ix_opendata_dataset_groups_group", "group_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("opendata_datasets.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("opendata_groups.id", ondelete="CASCADE"))


class Resource(Base):
    """A distribution of a dataset: a link, or a file stored under data_dir/opendata."""

    __tablename__ = "opendata_resources"
    __table_args__ = (
        UniqueConstraint("uid"),
        Index("ix_opendata_resources_dataset", "dataset_id", "position"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("opendata_datasets.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(36))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(16))  # CSV | JSON | GeoJSON
    url: Mapped[str] = mapped_column(String(1000), default="")
    stored_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    hash: Mapped[str | None] = mapped_column(String(80), nullable=True)  # sha256:<hex>
    datastore_active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DatasetVersion(Base):
    """A row per published change: the package as clients saw it after that change."""

    __tablename__ = "opendata_dataset_versions"
    __table_args__ = (UniqueConstraint("dataset_id", "revision"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("opendata_datasets.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))  # package_create | package_update | …
    snapshot: Mapped[dict[str, Any]] = mapped_column(Json)


class DatastoreTable(Base):
    """The datastore of a tabular resource: a real table named here, with its typed fields."""

    __tablename__ = "opendata_datastore_tables"
    __table_args__ = (UniqueConstraint("resource_id"), UniqueConstraint("table_name"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("opendata_resources.id", ondelete="CASCADE")
    )
    table_name: Mapped[str] = mapped_column(String(63))
    fields: Mapped[list[dict[str, str]]] = mapped_column(Json)  # [{id, type}] in order
    primary_key: Mapped[list[str]] = mapped_column(Json, default=list)
    indexes: Mapped[list[list[str]]] = mapped_column(Json, default=list)  # fields of each
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime)
