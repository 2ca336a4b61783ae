"""Alembic environment: runs on the connection the platform hands over (see core/migrate.py)."""

from __future__ import annotations

from alembic import context

from smartcity.models import metadata

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
