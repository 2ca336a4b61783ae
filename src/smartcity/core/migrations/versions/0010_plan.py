"""The LIVED programme: pillars, key projects, milestones, safeguards, indicators, observations.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_INDEXES = {
    "plan_projects": {
        "ix_plan_projects_tenant_status": ["tenant_id", "status"],
        "ix_plan_projects_pillar": ["pillar_id"],
    },
    "plan_milestones": {"ix_plan_milestones_project": ["project_id"]},
    "plan_observations": {"ix_plan_observations_indicator_date": ["indicator_id", "observed_on"]},
}


def _id() -> sa.Column:
    return sa.Column("id", _ID, nullable=False)


def _tenant(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("tenant_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _unique_code(table: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint("tenant_id", "code", name=f"uq_{table}_tenant_id_code")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def _texts(*names: str, length: int = 200) -> list[sa.Column]:
    return [sa.Column(n, sa.String(length=length), nullable=False) for n in names]


def upgrade() -> None:
    op.create_table(
        "plan_pillars",
        _id(),
        *_tenant("plan_pillars"),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("letter", sa.String(length=1), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        *_texts("name_zh", "name_en"),
        *_texts("goal_zh", "goal_en", length=300),
        sa.Column("source", sa.Text(), nullable=False),
        _unique_code("plan_pillars"),
    )
    op.create_table(
        "plan_projects",
        _id(),
        *_tenant("plan_projects"),
        sa.Column("pillar_id", _ID, nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_texts("name_zh", "name_en", "seed_name"),
        sa.Column("lead_agency", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress_note", sa.Text(), nullable=False),
        sa.Column("evidence", _JSON, nullable=False),
        sa.Column("area_type", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        _fk("plan_projects", "pillar_id", "plan_pillars", "CASCADE"),
        _unique_code("plan_projects"),
    )
    op.create_table(
        "plan_milestones",
        _id(),
        *_tenant("plan_milestones"),
        sa.Column("project_id", _ID, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        *_texts("title_zh", "title_en", length=300),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        _fk("plan_milestones", "project_id", "plan_projects", "CASCADE"),
        _unique_code("plan_milestones"),
    )
    op.create_table(
        "plan_safeguards",
        _id(),
        *_tenant("plan_safeguards"),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_texts("name_zh", "name_en"),
        _unique_code("plan_safeguards"),
    )
    op.create_table(
        "plan_indicators",
        _id(),
        *_tenant("plan_indicators"),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("pillar_id", _ID, nullable=True),
        sa.Column("project_id", _ID, nullable=True),
        *_texts("name_zh", "name_en"),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        *[
            column
            for end in ("baseline", "target")
            for column in (
                sa.Column(f"{end}_year", sa.Integer(), nullable=True),
                sa.Column(f"{end}_value", sa.Double(), nullable=True),
                sa.Column(f"{end}_comparator", sa.String(length=16), nullable=True),
                sa.Column(f"{end}_text", sa.String(length=64), nullable=True),
                sa.Column(f"{end}_source", sa.Text(), nullable=True),
            )
        ],
        sa.Column("measure", sa.String(length=64), nullable=True),
        sa.Column("iso37120", sa.String(length=200), nullable=True),
        sa.Column("u4ssc", sa.String(length=200), nullable=True),
        sa.Column("details", _JSON, nullable=False),
        _fk("plan_indicators", "pillar_id", "plan_pillars", "SET NULL"),
        _fk("plan_indicators", "project_id", "plan_projects", "SET NULL"),
        _unique_code("plan_indicators"),
    )
    op.create_table(
        "plan_observations",
        _id(),
        *_tenant("plan_observations"),
        sa.Column("indicator_id", _ID, nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=200), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        _fk("plan_observations", "indicator_id", "plan_indicators", "CASCADE"),
    )
    for table, indexes in _INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns in indexes.items():
                batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, indexes in reversed(_INDEXES.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in reversed(indexes):
                batch_op.drop_index(name)
    for table in (
        "plan_observations",
        "plan_indicators",
        "plan_safeguards",
        "plan_milestones",
        "plan_projects",
        "plan_pillars",
    ):
        op.drop_table(table)
