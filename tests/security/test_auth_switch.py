"""SMARTCITY_AUTH_<API>=off opens one API to unauthenticated callers, and only that one."""

from __future__ import annotations

from fastapi.testclient import TestClient

from smartcity.platform import Platform
from smartcity.web.app import create_app


def test_switching_geo_auth_off_opens_geo_but_not_admin(platform):
    settings = platform.settings.model_copy(update={"auth": {"geo": False}})
    open_platform = Platform(settings=settings, db=platform.db, clock=platform.clock)
    with TestClient(create_app(open_platform)) as c:
        assert c.get("/api/geo/districts").status_code == 200
        assert c.get("/api/users").status_code == 401
        assert c.get("/api/audit").status_code == 401


def test_auth_is_on_by_default(client):
    assert client.get("/api/geo/districts").status_code == 401
