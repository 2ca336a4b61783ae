"""Every failure is JSON of one shape, with the request id, and never a stack trace."""

from __future__ import annotations


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "request_id"}
    assert body["error"]["code"] == code and body["error"]["message"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body["error"]


def test_unknown_routes_and_methods(client):
    assert_error(client.get("/api/nowhere"), 404, "not_found")
    assert_error(client.put("/health"), 405, "method_not_allowed")


def test_invalid_json_names_the_body(client, auth_headers):
    response = client.post(
        "/api/users",
        content=b"{not json",
        headers={**auth_headers("admin"), "content-type": "application/json"},
    )
    error = assert_error(response, 422, "validation_error")
    assert error["details"][0]["type"] == "json_invalid"


def test_a_body_over_the_limit_is_413(platform, client, auth_headers):
    big = b"x" * (platform.settings.max_body_bytes + 1)
    response = client.post(
        "/api/users",
        content=big,
        headers={**auth_headers("admin"), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_request_ids_are_generated_or_echoed_when_safe(client):
    generated = client.get("/health").headers["x-request-id"]
    assert len(generated) == 16
    assert (
        client.get("/health", headers={"X-Request-ID": "abc-1"}).headers["x-request-id"] == "abc-1"
    )
    unsafe = client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"


def test_query_parameters_out_of_range_name_the_field(client, auth_headers):
    error = assert_error(
        client.get("/api/users?limit=0", headers=auth_headers("admin")), 422, "validation_error"
    )
    assert error["field"] == "limit"


def test_an_unexpected_failure_is_a_json_500_without_a_stack_trace(platform):
    from fastapi.testclient import TestClient

    from smartcity.web.app import create_app

    app = create_app(platform)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals at /srv/app.py line 12")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom")
    error = assert_error(response, 500, "internal_error")
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert error["message"].startswith("an internal error occurred")


def test_an_unreachable_database_is_503_with_retry_after(tmp_path):
    from fastapi.testclient import TestClient

    from smartcity.core.db import Database
    from smartcity.core.settings import load_settings
    from smartcity.platform import Platform
    from smartcity.web.app import create_app

    settings = load_settings(data_dir=tmp_path, secret_key="test-signing-key-0123456789")
    down = Platform(settings=settings, db=Database("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    with TestClient(create_app(down), raise_server_exceptions=False) as c:
        response = c.get("/api/geo/districts", headers={"X-API-Key": "sck_000000000000_x"})
        ready = c.get("/ready")
    down.close()
    assert_error(response, 503, "unavailable")
    assert response.headers["retry-after"] == "5"
    assert ready.status_code == 503
