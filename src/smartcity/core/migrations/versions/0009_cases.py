"""Case files, their timeline, contacts (encrypted), photos, category sets and the routing matrix.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_CASE_INDEXES = {
    "ix_cases_due_at": ["due_at"],
    "ix_cases_tenant_category_created": ["tenant_id", "category", "created_at"],
    "ix_cases_tenant_created": ["tenant_id", "created_at"],
    "ix_cases_tenant_department_status": ["tenant_id", "department", "status"],
    "ix_cases_tenant_status": ["tenant_id", "status", "id"],
    "ix_cases_token_hash": ["token_hash"],
    "ix_cases_warn_at": ["warn_at"],
}


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    name = op.f(f"fk_{table}_tenant_id_tenants")
    return sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=name, ondelete="CASCADE")


def _case_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["case_id"], ["cases.id"], name=op.f(f"fk_{table}_case_id_cases"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "case_category_sets",
        sa.Column("tenant_id", _ID, autoincrement=False, nullable=False),
        sa.Column("categories", _JSON, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        _when("updated_at", False),
        _tenant_fk("case_category_sets"),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_case_category_sets")),
    )
    op.create_table(
        "case_routes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("area_code", sa.String(length=15), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        _when("created_at", False),
        _tenant_fk("case_routes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_routes")),
        sa.UniqueConstraint(
            "tenant_id",
            "category",
            "area_code",
            name=op.f("uq_case_routes_tenant_id_category_area_code"),
        ),
    )
    op.create_table(
        "cases",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("cell_code", sa.String(length=15), nullable=False),
        sa.Column("community_code", sa.String(length=12), nullable=False),
        sa.Column("street_code", sa.String(length=9), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=True),
        sa.Column("proposed_department", sa.String(length=32), nullable=True),
        sa.Column("duplicate_of", sa.String(length=32), nullable=True),
        sa.Column("deadline_amount", sa.Integer(), nullable=False),
        sa.Column("deadline_unit", sa.String(length=16), nullable=False),
        _when("clock_started_at"),
        sa.Column("clock_pauses", _JSON, nullable=False),
        _when("clock_paused_since"),
        _when("clock_stopped_at"),
        _when("due_at"),
        _when("warn_at"),
        _when("warned_at"),
        _when("escalated_at"),
        _when("closed_at"),
        sa.Column("closed_on_time", sa.Boolean(), nullable=True),
        sa.Column("suspended_from", sa.String(length=16), nullable=True),
        sa.Column("merged_into", sa.String(length=32), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.Column("reopens", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("reporter_user_id", _ID, nullable=True),
        sa.Column("reporter", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("alert_id", _ID, nullable=True),
        _when("created_at", False),
        _when("updated_at", False),
        sa.ForeignKeyConstraint(
            ["reporter_user_id"],
            ["users.id"],
            name=op.f("fk_cases_reporter_user_id_users"),
            ondelete="SET NULL",
        ),
        _tenant_fk("cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("public_id", name=op.f("uq_cases_public_id")),
        sa.UniqueConstraint(
            "tenant_id", "idempotency_key", name=op.f("uq_cases_tenant_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, columns in _CASE_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    op.create_table(
        "case_contacts",
        sa.Column("case_id", _ID, autoincrement=False, nullable=False),
        sa.Column("name_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("phone_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("name_masked", sa.String(length=200), nullable=True),
        sa.Column("phone_masked", sa.String(length=32), nullable=True),
        _case_fk("case_contacts"),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_contacts")),
    )
    op.create_table(
        "case_events",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", _ID, nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=True),
        _when("at", False),
        sa.Column("data", _JSON, nullable=False),
        _case_fk("case_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index("ix_case_events_case", ["case_id", "id"], unique=False)
    op.create_table(
        "case_photos",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", _ID, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        _when("uploaded_at", False),
        _case_fk("case_photos"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_photos")),
    )
    with op.batch_alter_table("case_photos", schema=None) as batch_op:
        batch_op.create_index("ix_case_photos_case", ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_photos", schema=None) as batch_op:
        batch_op.drop_index("ix_case_photos_case")
    op.drop_table("case_photos")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_case_events_case")
    op.drop_table("case_events")
    op.drop_table("case_contacts")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name in _CASE_INDEXES:
            batch_op.drop_index(name)
    op.drop_table("cases")
    op.drop_table("case_routes")
    op.drop_table("case_category_sets")
