"""The context broker: entities, their types, and attribute history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ngsi_attribute_instances",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("entity_id", sa.String(length=2048), nullable=False),
        sa.Column("attr", sa.String(length=512), nullable=False),
        sa.Column("dataset_id", sa.String(length=512), nullable=True),
        sa.Column("instance_id", sa.String(length=128), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value_number", sa.Double(), nullable=True),
        sa.Column(
            "instance",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ngsi_attribute_instances_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ngsi_attribute_instances")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_ngsi_attribute_instances_instance_id")),
    )
    with op.batch_alter_table("ngsi_attribute_instances", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ngsi_instances_entity_attr",
            ["tenant_id", "entity_id", "attr", "observed_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_ngsi_instances_tenant_recorded", ["tenant_id", "recorded_at"], unique=False
        )

    op.create_table(
        "ngsi_entities",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("entity_id", sa.String(length=2048), nullable=False),
        sa.Column(
            "types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "attrs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "scope",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("min_lon", sa.Double(), nullable=True),
        sa.Column("min_lat", sa.Double(), nullable=True),
        sa.Column("max_lon", sa.Double(), nullable=True),
        sa.Column("max_lat", sa.Double(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ngsi_entities_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ngsi_entities")),
        sa.UniqueConstraint(
            "tenant_id", "entity_id", name=op.f("uq_ngsi_entities_tenant_id_entity_id")
        ),
    )
    with op.batch_alter_table("ngsi_entities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ngsi_entities_tenant_box", ["tenant_id", "min_lon", "min_lat"], unique=False
        )

    op.create_table(
        "ngsi_entity_types",
        sa.Column(
            "entity_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("type", sa.String(length=512), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["entity_pk"],
            ["ngsi_entities.id"],
            name=op.f("fk_ngsi_entity_types_entity_pk_ngsi_entities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ngsi_entity_types_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity_pk", "type", name=op.f("pk_ngsi_entity_types")),
    )
    with op.batch_alter_table("ngsi_entity_types", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ngsi_entity_types_tenant_type", ["tenant_id", "type", "entity_pk"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ngsi_entity_types", schema=None) as batch_op:
        batch_op.drop_index("ix_ngsi_entity_types_tenant_type")

    op.drop_table("ngsi_entity_types")
    with op.batch_alter_table("ngsi_entities", schema=None) as batch_op:
        batch_op.drop_index("ix_ngsi_entities_tenant_box")

    op.drop_table("ngsi_entities")
    with op.batch_alter_table("ngsi_attribute_instances", schema=None) as batch_op:
        batch_op.drop_index("ix_ngsi_instances_tenant_recorded")
        batch_op.drop_index("ix_ngsi_instances_entity_attr")

    op.drop_table("ngsi_attribute_instances")
