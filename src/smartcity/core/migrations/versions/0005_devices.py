"""The device registry of the sensing part: devices, their grid cell and hashed credentials.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_INDEXES = {
    "ix_devices_tenant_type_status": ["tenant_id", "device_type", "status"],
    "ix_devices_tenant_status": ["tenant_id", "status"],
    "ix_devices_tenant_district": ["tenant_id", "district_code"],
    "ix_devices_tenant_street": ["tenant_id", "street_code"],
    "ix_devices_tenant_cell": ["tenant_id", "cell_code"],
    "ix_devices_department": ["department_id"],
}


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("device_type", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("department_id", _ID, nullable=True),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("cell_code", sa.String(length=15), nullable=True),
        sa.Column("community_code", sa.String(length=12), nullable=True),
        sa.Column("street_code", sa.String(length=9), nullable=True),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("entity_id", sa.String(length=256), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("battery_level", sa.Double(), nullable=True),
        sa.Column("rssi_dbm", sa.Double(), nullable=True),
        sa.Column("api_key_prefix", sa.String(length=32), nullable=True),
        sa.Column("api_key_hash", sa.String(length=128), nullable=True),
        sa.Column("mqtt_username", sa.String(length=160), nullable=True),
        sa.Column("mqtt_password_hash", sa.String(length=128), nullable=True),
        sa.Column("credentials_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_devices_department_id_departments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_devices_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("tenant_id", "device_id", name=op.f("uq_devices_tenant_id_device_id")),
        sa.UniqueConstraint("api_key_prefix", name=op.f("uq_devices_api_key_prefix")),
        sa.UniqueConstraint("mqtt_username", name=op.f("uq_devices_mqtt_username")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        for name, columns in _INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        for name in reversed(_INDEXES):
            batch_op.drop_index(name)
    op.drop_table("devices")
