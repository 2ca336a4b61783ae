"""Alerts linked to the cases they opened: the case's public id, the outbox state the rules job
works from (pending → opened, or failed with the reason), and the default rules' case
categories moved to real category codes (air → H0601 大气污染, noise → H0202 商业噪声).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The placeholders the first default rules carried, and the category codes that replace them.
_CATEGORIES = {"environment": "H0601", "noise": "H0202"}


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("case_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("case_note", sa.String(length=300), nullable=True))
        batch_op.create_index("ix_alerts_case_status", ["case_status"], unique=False)
    rules = sa.table("rules", sa.column("case_category", sa.String))
    for old, new in _CATEGORIES.items():
        op.execute(rules.update().where(rules.c.case_category == old).values(case_category=new))


def downgrade() -> None:
    rules = sa.table("rules", sa.column("case_category", sa.String))
    for old, new in _CATEGORIES.items():
        op.execute(rules.update().where(rules.c.case_category == new).values(case_category=old))
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_case_status")
        batch_op.drop_column("case_note")
        batch_op.drop_column("case_status")
        batch_op.drop_column("case_id")
