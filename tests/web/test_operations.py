"""Health, readiness, metrics, logs and OpenAPI: what operators and tools rely on."""

from __future__ import annotations

import json

import httpx
import structlog
from fastapi.testclient import TestClient

from smartcity.core.db import Database
from smartcity.core.settings import load_settings
from smartcity.platform import Platform
from smartcity.web.app import create_app
from smartcity.web.observe import configure_logging


def test_health_and_ready_on_a_migrated_database(client, backend):
    assert client.get("/health").json()["status"] == "ok"
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["database"] == backend


def test_ready_is_503_on_an_unmigrated_database(tmp_path):
    settings = load_settings(data_dir=tmp_path, secret_key="test-signing-key-0123456789")
    platform = Platform(settings=settings, db=Database(f"sqlite:///{tmp_path / 'new.db'}"))
    with TestClient(create_app(platform)) as c:
        response = c.get("/ready")
    platform.close()
    assert response.status_code == 503
    assert "db upgrade" in response.json()["error"]["message"]


def test_metrics_count_requests_by_route_template(client, auth_headers):
    headers = auth_headers("admin")
    client.get("/api/users/12345", headers=headers)
    client.get("/api/geo/departments/NOPE", headers=headers)
    text = client.get("/metrics").text
    assert 'route="/api/geo/departments/{code}",status="404"} 1.0' in text
    assert (
        'smartcity_http_requests_total{method="GET",route="/api/users/{user_id}",status="404"} 1.0'
        in text
    )
    assert "smartcity_http_request_duration_seconds_bucket" in text


def test_each_request_is_logged_as_json_with_its_request_id(client, capfd):
    configure_logging("info", json=True)
    client.get("/health", headers={"X-Request-ID": "log-check-1"})
    structlog.reset_defaults()
    lines = [
        json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")
    ]
    mine = [e for e in lines if e.get("request_id") == "log-check-1"]
    assert mine and mine[0]["event"] == "request" and mine[0]["status"] == 200
    assert mine[0]["route"] == "/health"


def test_openapi_describes_every_part(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/auth/token", "/api/users", "/api/apikeys", "/api/audit", "/health"} <= paths
    assert any(p.startswith("/api/geo/") for p in paths)


def test_the_real_server_answers_over_loopback(live_server, auth_headers):
    response = httpx.get(f"{live_server}/api/auth/me", headers=auth_headers("analyst"))
    assert response.status_code == 200 and response.json()["role"] == "analyst"
    assert httpx.get(f"{live_server}/nope").json()["error"]["code"] == "not_found"
