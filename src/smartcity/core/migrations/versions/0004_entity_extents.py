"""Indexes on the width and height of each entity's location box, so that `near` and other
geo-queries can bound the box search from both sides (see context/query/sql_plan.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_ngsi_entities_tenant_width",
        "ngsi_entities",
        ["tenant_id", sa.text("(max_lon - min_lon)")],
    )
    op.create_index(
        "ix_ngsi_entities_tenant_height",
        "ngsi_entities",
        ["tenant_id", sa.text("(max_lat - min_lat)")],
    )


def downgrade() -> None:
    op.drop_index("ix_ngsi_entities_tenant_height", table_name="ngsi_entities")
    op.drop_index("ix_ngsi_entities_tenant_width", table_name="ngsi_entities")
