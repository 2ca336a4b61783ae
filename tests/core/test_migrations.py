"""Migrations build the whole schema from empty, match the models, and come down again cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from smartcity.core import migrate
from smartcity.core.db import Database
from smartcity.models import metadata


def test_upgrade_from_empty_creates_every_table_and_reaches_head(empty_database_url):
    db = Database(empty_database_url)
    try:
        assert not migrate.is_current(db)
        migrate.upgrade(db)
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in metadata.sorted_tables} <= tables
        assert migrate.is_current(db)
    finally:
        db.dispose()


def test_the_migrated_schema_matches_the_models(empty_database_url):
    db = Database(empty_database_url)
    try:
        migrate.upgrade(db)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, metadata)
        assert diff == []
    finally:
        db.dispose()


def test_downgrade_to_base_removes_everything_and_upgrade_works_again(empty_database_url):
    db = Database(empty_database_url)
    try:
        migrate.upgrade(db)
        migrate.downgrade(db, "base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        assert migrate.current_revisions(db) == set()
        migrate.upgrade(db)
        assert migrate.is_current(db)
    finally:
        db.dispose()
