"""No request, however malformed, produces a 500: schemathesis generates them from our OpenAPI
and sends them to the real server over loopback, as an administrator."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from smartcity.core.db import Database
from smartcity.core.settings import load_settings
from smartcity.platform import Platform
from smartcity.web.app import create_app


def _openapi() -> dict:
    # Only the route table is read; the database is never opened.
    offline = load_settings(secret_key="schema-only-secret-0123456789")
    return create_app(Platform(settings=offline, db=Database("sqlite://"))).openapi()


schema = schemathesis.openapi.from_dict(_openapi())


@pytest.fixture
def admin_headers(auth_headers):
    return auth_headers("admin")


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_generated_request_is_a_server_error(case, live_server, admin_headers):
    response = case.call(base_url=live_server, headers=admin_headers)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        body = response.json()
        if case.path.startswith("/ngsi-ld/"):  # NGSI-LD answers errors as ProblemDetails
            assert {"type", "title", "status"} <= set(body), body
        else:
            assert "error" in body
