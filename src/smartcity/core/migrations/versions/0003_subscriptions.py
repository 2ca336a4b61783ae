"""NGSI-LD subscriptions and their pending notifications (the outbox).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "ngsi_subscriptions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("subscription_id", sa.String(length=2048), nullable=False),
        sa.Column("document", _JSON, nullable=False),
        sa.Column("context", _JSON, nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("throttling", sa.Double(), nullable=True),
        sa.Column("time_interval", sa.Double(), nullable=True),
        sa.Column("next_periodic_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("times_sent", sa.Integer(), nullable=False),
        sa.Column("times_failed", sa.Integer(), nullable=False),
        sa.Column("last_notification", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_failure_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ngsi_subscriptions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ngsi_subscriptions")),
        sa.UniqueConstraint(
            "tenant_id",
            "subscription_id",
            name=op.f("uq_ngsi_subscriptions_tenant_id_subscription_id"),
        ),
    )
    with op.batch_alter_table("ngsi_subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_ngsi_subscriptions_periodic", ["next_periodic_at"], unique=False)

    op.create_table(
        "ngsi_pending_notifications",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("subscription_pk", _ID, nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=True),
        sa.Column("entities", _JSON, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_pk"],
            ["ngsi_subscriptions.id"],
            name=op.f("fk_ngsi_pending_notifications_subscription_pk_ngsi_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ngsi_pending_notifications_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ngsi_pending_notifications")),
    )
    with op.batch_alter_table("ngsi_pending_notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ngsi_pending_notifications_due", ["next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ngsi_pending_notifications_subscription_pk"),
            ["subscription_pk"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("ngsi_pending_notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ngsi_pending_notifications_subscription_pk"))
        batch_op.drop_index("ix_ngsi_pending_notifications_due")

    op.drop_table("ngsi_pending_notifications")
    with op.batch_alter_table("ngsi_subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_ngsi_subscriptions_periodic")

    op.drop_table("ngsi_subscriptions")
