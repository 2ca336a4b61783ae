"""The 综合评价 evaluation: a fact table per case and the index the refresh finds changes by.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)
_FACTS = "case_evaluation_facts"
_INDEXES = {
    "ix_case_evaluation_facts_registered": ["tenant_id", "registered_at"],
    "ix_case_evaluation_facts_updated": ["tenant_id", "case_updated_at"],
    "ix_case_evaluation_facts_closed": ["tenant_id", "category", "closed_at"],
}


def upgrade() -> None:
    op.create_table(
        _FACTS,
        sa.Column("case_id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=True),
        sa.Column("street_code", sa.String(length=9), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("reported_at", _TS, nullable=False),
        sa.Column("registered_at", _TS, nullable=True),
        sa.Column("dispatched", sa.Boolean(), nullable=False),
        sa.Column("due_at", _TS, nullable=True),
        sa.Column("closed_at", _TS, nullable=True),
        sa.Column("handled_at", _TS, nullable=True),
        sa.Column("handling_seconds", sa.Double(), nullable=True),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.Column("reopens", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("case_updated_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=f"fk_{_FACTS}_case_id_cases",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=f"pk_{_FACTS}"),
    )
    for name, columns in _INDEXES.items():
        op.create_index(name, _FACTS, columns)
    op.create_index("ix_cases_tenant_updated", "cases", ["tenant_id", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_tenant_updated", table_name="cases")
    for name in _INDEXES:
        op.drop_index(name, table_name=_FACTS)
    op.drop_table(_FACTS)
