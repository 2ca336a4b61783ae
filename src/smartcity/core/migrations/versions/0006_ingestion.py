"""Ingestion of the sensing part: reading receipts (exactly-once storage) and dead letters.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_DEAD_LETTER_INDEXES = {
    "ix_dead_letters_tenant_received": ["tenant_id", "received_at"],
    "ix_dead_letters_tenant_reason": ["tenant_id", "reason", "received_at"],
    "ix_dead_letters_tenant_device": ["tenant_id", "device_id", "received_at"],
}


def upgrade() -> None:
    op.create_table(
        "reading_receipts",
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("device_pk", _ID, nullable=False),
        sa.Column("attr", sa.String(length=128), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
            name=op.f("fk_reading_receipts_device_pk_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_reading_receipts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "device_pk", "attr", "observed_at", name=op.f("pk_reading_receipts")
        ),
    )
    with op.batch_alter_table("reading_receipts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reading_receipts_tenant_received", ["tenant_id", "received_at"], unique=False
        )
    op.create_table(
        "dead_letters",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("route", sa.String(length=512), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("attribute", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dead_letters_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        for name, columns in _DEAD_LETTER_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        for name in reversed(_DEAD_LETTER_INDEXES):
            batch_op.drop_index(name)
    op.drop_table("dead_letters")
    with op.batch_alter_table("reading_receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_reading_receipts_tenant_received")
    op.drop_table("reading_receipts")
