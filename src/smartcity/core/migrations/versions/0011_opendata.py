"""The open data catalogue: organisations, groups, members, datasets, tags, resources, versions,
and the register of datastore tables.

Datastore tables (`datastore_<resource>`) are created at run time, one per tabular resource;
the downgrade drops them with the catalogue.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TS = sa.DateTime(timezone=True)
_INDEXES = {
    "opendata_members": {
        "ix_opendata_members_user": ["user_id"],
        "ix_opendata_members_api_key": ["api_key_id"],
    },
    "opendata_datasets": {
        "ix_opendata_datasets_tenant_modified": ["tenant_id", "modified_at"],
        "ix_opendata_datasets_organisation": ["organisation_id"],
    },
    "opendata_dataset_tags": {"ix_opendata_dataset_tags_name": ["name"]},
    "opendata_dataset_groups": {"ix_opendata_dataset_groups_group": ["group_id"]},
    "opendata_resources": {"ix_opendata_resources_dataset": ["dataset_id", "position"]},
}


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def _head(table: str) -> list[sa.SchemaItem]:
    return [sa.Column("id", _ID, nullable=False), sa.PrimaryKeyConstraint("id", name=f"pk_{table}")]


def _publisher(table: str) -> list[sa.SchemaItem]:
    """The shared shape of organisations and groups."""
    return [
        *_head(table),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        _fk(table, "tenant_id", "tenants", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "name", name=f"uq_{table}_tenant_id_name"),
        sa.UniqueConstraint("uid", name=f"uq_{table}_uid"),
    ]


def _catalogue() -> None:
    t = "opendata_organisations"
    op.create_table(t, *_publisher(t), sa.Column("homepage", sa.String(length=500), nullable=True))
    op.create_table("opendata_groups", *_publisher("opendata_groups"))
    t = "opendata_members"
    op.create_table(
        t,
        *_head(t),
        sa.Column("organisation_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=True),
        sa.Column("api_key_id", _ID, nullable=True),
        sa.Column("capacity", sa.String(length=16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (api_key_id IS NULL)", name=f"ck_{t}_one_user_or_key"
        ),
        _fk(t, "organisation_id", "opendata_organisations", "CASCADE"),
        _fk(t, "user_id", "users", "CASCADE"),
        _fk(t, "api_key_id", "api_keys", "CASCADE"),
        sa.UniqueConstraint("organisation_id", "user_id", name=f"uq_{t}_organisation_id_user_id"),
        sa.UniqueConstraint(
            "organisation_id", "api_key_id", name=f"uq_{t}_organisation_id_api_key_id"
        ),
    )


def _datasets() -> None:
    t = "opendata_datasets"
    op.create_table(
        t,
        *_head(t),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", _ID, nullable=False),
        sa.Column("title_zh", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("notes_zh", sa.Text(), nullable=False),
        sa.Column("notes_en", sa.Text(), nullable=False),
        sa.Column("themes", _JSON, nullable=False),
        sa.Column("license_id", sa.String(length=64), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=True),
        sa.Column("spatial_districts", _JSON, nullable=False),
        sa.Column("spatial_bbox", _JSON, nullable=True),
        sa.Column("temporal_start", sa.Date(), nullable=True),
        sa.Column("temporal_end", sa.Date(), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_url", sa.String(length=500), nullable=True),
        sa.Column("landing_page", sa.String(length=500), nullable=True),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("extras", _JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("modified_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        _fk(t, "tenant_id", "tenants", "CASCADE"),
        _fk(t, "organisation_id", "opendata_organisations", "RESTRICT"),
        sa.UniqueConstraint("tenant_id", "name", name=f"uq_{t}_tenant_id_name"),
        sa.UniqueConstraint("uid", name=f"uq_{t}_uid"),
    )
    t = "opendata_dataset_tags"
    op.create_table(
        t,
        *_head(t),
        sa.Column("dataset_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        _fk(t, "dataset_id", "opendata_datasets", "CASCADE"),
        sa.UniqueConstraint("dataset_id", "name", name=f"uq_{t}_dataset_id_name"),
    )
    t = "opendata_dataset_groups"
    op.create_table(
        t,
        *_head(t),
        sa.Column("dataset_id", _ID, nullable=False),
        sa.Column("group_id", _ID, nullable=False),
        _fk(t, "dataset_id", "opendata_datasets", "CASCADE"),
        _fk(t, "group_id", "opendata_groups", "CASCADE"),
        sa.UniqueConstraint("dataset_id", "group_id", name=f"uq_{t}_dataset_id_group_id"),
    )


def _resources() -> None:
    t = "opendata_resources"
    op.create_table(
        t,
        *_head(t),
        sa.Column("dataset_id", _ID, nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("stored_path", sa.String(length=500), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("hash", sa.String(length=80), nullable=True),
        sa.Column("datastore_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("modified_at", _TS, nullable=False),
        _fk(t, "dataset_id", "opendata_datasets", "CASCADE"),
        sa.UniqueConstraint("uid", name=f"uq_{t}_uid"),
    )
    t = "opendata_dataset_versions"
    op.create_table(
        t,
        *_head(t),
        sa.Column("dataset_id", _ID, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("published_at", _TS, nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("snapshot", _JSON, nullable=False),
        _fk(t, "dataset_id", "opendata_datasets", "CASCADE"),
        sa.UniqueConstraint("dataset_id", "revision", name=f"uq_{t}_dataset_id_revision"),
    )
    t = "opendata_datastore_tables"
    op.create_table(
        t,
        *_head(t),
        sa.Column("resource_id", _ID, nullable=False),
        sa.Column("table_name", sa.String(length=63), nullable=False),
        sa.Column("fields", _JSON, nullable=False),
        sa.Column("primary_key", _JSON, nullable=False),
        sa.Column("indexes", _JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("modified_at", _TS, nullable=False),
        _fk(t, "resource_id", "opendata_resources", "CASCADE"),
        sa.UniqueConstraint("resource_id", name=f"uq_{t}_resource_id"),
        sa.UniqueConstraint("table_name", name=f"uq_{t}_table_name"),
    )


def upgrade() -> None:
    _catalogue()
    _datasets()
    _resources()
    for table, indexes in _INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns in indexes.items():
                batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    bind = op.get_bind()
    for name in sa.inspect(bind).get_table_names():
        if name.startswith("datastore_"):
            op.drop_table(name)
    for table in reversed(list(_INDEXES)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in _INDEXES[table]:
                batch_op.drop_index(name)
    for table in [
        "opendata_datastore_tables",
        "opendata_dataset_versions",
        "opendata_resources",
        "opendata_dataset_groups",
        "opendata_dataset_tags",
        "opendata_datasets",
        "opendata_members",
        "opendata_groups",
        "opendata_organisations",
    ]:
        op.drop_table(table)
