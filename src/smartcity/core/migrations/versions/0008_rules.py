"""Rules and alerts: rules, the tenant's rules revision, per-device rule state, alerts and their
events.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_ALERT_INDEXES = {
    "ix_alerts_device": ["device_pk"],
    "ix_alerts_rule": ["rule_id"],
    "ix_alerts_tenant_raised": ["tenant_id", "raised_at"],
    "ix_alerts_tenant_status_raised": ["tenant_id", "status", "raised_at"],
}


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["tenants.id"],
        name=op.f(f"fk_{table}_tenant_id_tenants"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "rules",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("device_type", sa.String(length=32), nullable=True),
        sa.Column("entity_type", sa.String(length=64), nullable=True),
        sa.Column("attribute", sa.String(length=128), nullable=True),
        sa.Column("area_level", sa.String(length=8), nullable=False),
        sa.Column("area_code", sa.String(length=15), nullable=True),
        sa.Column("params", _JSON, nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("auto_resolve", sa.Boolean(), nullable=False),
        sa.Column("case_category", sa.String(length=32), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _tenant_fk("rules"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules")),
    )
    with op.batch_alter_table("rules", schema=None) as batch_op:
        batch_op.create_index("ix_rules_tenant_attribute", ["tenant_id", "attribute"], unique=False)
    op.create_table(
        "rule_revisions",
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        _tenant_fk("rule_revisions"),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_rule_revisions")),
    )
    op.create_table(
        "rule_states",
        sa.Column("rule_id", _ID, nullable=False),
        sa.Column("device_pk", _ID, nullable=False),
        sa.Column("state", _JSON, nullable=False),
        _time("updated_at"),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
            name=op.f("fk_rule_states_device_pk_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["rules.id"], name=op.f("fk_rule_states_rule_id_rules"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("rule_id", "device_pk", name=op.f("pk_rule_states")),
    )
    with op.batch_alter_table("rule_states", schema=None) as batch_op:
        batch_op.create_index("ix_rule_states_device", ["device_pk"], unique=False)
    op.create_table(
        "alerts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("rule_id", _ID, nullable=True),
        sa.Column("device_pk", _ID, nullable=True),
        sa.Column("active_key", sa.String(length=48), nullable=True),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=256), nullable=False),
        sa.Column("attribute", sa.String(length=128), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("street_code", sa.String(length=9), nullable=True),
        sa.Column("cell_code", sa.String(length=15), nullable=True),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Double(), nullable=True),
        sa.Column("evidence", _JSON, nullable=False),
        sa.Column("case_category", sa.String(length=32), nullable=True),
        _time("raised_at"),
        _time("last_fired_at"),
        _time("acknowledged_at", nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        _time("resolved_at", nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        _time("updated_at"),
        sa.ForeignKeyConstraint(
            ["device_pk"],
            ["devices.id"],
            name=op.f("fk_alerts_device_pk_devices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["rules.id"], name=op.f("fk_alerts_rule_id_rules"), ondelete="SET NULL"
        ),
        _tenant_fk("alerts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("active_key", name=op.f("uq_alerts_active_key")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        for name, columns in _ALERT_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    op.create_table(
        "alert_events",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("alert_id", _ID, nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        _time("at"),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_events_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        _tenant_fk("alert_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
    )
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.create_index("ix_alert_events_tenant_id", ["tenant_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_events_tenant_id")
    op.drop_table("alert_events")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        for name in reversed(_ALERT_INDEXES):
            batch_op.drop_index(name)
    op.drop_table("alerts")
    with op.batch_alter_table("rule_states", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_states_device")
    op.drop_table("rule_states")
    op.drop_table("rule_revisions")
    with op.batch_alter_table("rules", schema=None) as batch_op:
        batch_op.drop_index("ix_rules_tenant_attribute")
    op.drop_table("rules")
