"""Serve the app with uvicorn: one process on one platform, or several (`workers.py`)."""

from __future__ import annotations

import uvicorn

from smartcity.core import migrate
from smartcity.core.settings import Settings
from smartcity.platform import Platform
from smartcity.security import service as security
from smartcity.web.app import create_app
from smartcity.web.observe import configure_logging
from smartcity.web.workers import run_workers


def ensure_default_tenant(platform: Platform) -> None:
    """The default tenant exists before the first request (anonymous NGSI-LD use needs it)."""
    slug = platform.settings.default_tenant
    with platform.db.session() as session:
        security.ensure_tenant(session, platform.clock, slug=slug, name_zh=slug, name_en=slug)
        session.commit()


def run(settings: Settings, *, host: str, port: int, workers: int = 1) -> None:
    configure_logging(settings.log_level, settings.log_json)
    platform = Platform.from_settings(settings)
    try:
        if not migrate.is_current(platform.db):
            raise ValueError("the database is not migrated; run `smartcity db upgrade` first")
        ensure_default_tenant(platform)
        if workers > 1:
            platform.close()
            run_workers(settings, host=host, port=port, workers=workers)
            return
        app = create_app(platform)
        uvicorn.run(
            app, host=host, port=port, access_log=False, log_level="warning", proxy_headers=False
        )
    finally:
        platform.close()
