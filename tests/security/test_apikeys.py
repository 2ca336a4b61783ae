"""API keys: shown once, hashed at rest, scoped, revocable, expiring and rate-limited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from smartcity.security.models import ApiKey


def issue(client, headers, **body):
    payload = {"name": "air station 17", "scopes": ["geo:read"], **body}
    return client.post("/api/apikeys", json=payload, headers=headers)


def test_the_key_is_shown_once_and_only_its_hash_is_stored(client, auth_headers, platform):
    admin = auth_headers("admin")
    response = issue(client, admin)
    assert response.status_code == 201
    key = response.json()["key"]
    assert key.startswith("sck_")
    listed = client.get("/api/apikeys", headers=admin).json()
    assert all("key" not in item for item in listed)
    with platform.db.session() as s:
        stored = s.scalars(select(ApiKey)).one()
        assert key.split("_", 2)[2] not in (stored.secret_hash, stored.prefix)
        assert stored.prefix == key.split("_")[1]


def test_a_key_acts_within_its_scopes_only(client, auth_headers):
    key = issue(client, auth_headers("admin")).json()["key"]
    assert client.get("/api/geo/districts", headers={"X-API-Key": key}).status_code == 200
    assert client.get("/api/users", headers={"X-API-Key": key}).status_code == 403
    bearer = client.get("/api/geo/districts", headers={"Authorization": f"Bearer {key}"})
    assert bearer.status_code == 200


def test_a_revoked_key_is_refused(client, auth_headers):
    admin = auth_headers("admin")
    created = issue(client, admin).json()
    assert client.delete(f"/api/apikeys/{created['id']}", headers=admin).status_code == 204
    response = client.get("/api/geo/districts", headers={"X-API-Key": created["key"]})
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]
    again = client.delete(f"/api/apikeys/{created['id']}", headers=admin)
    assert again.status_code == 409


def test_an_expired_key_is_refused(client, auth_headers, clock):
    expires = (clock.now() + timedelta(hours=1)).isoformat()
    key = issue(client, auth_headers("admin"), expires_at=expires).json()["key"]
    assert client.get("/api/geo/districts", headers={"X-API-Key": key}).status_code == 200
    clock.advance(hours=2)
    assert client.get("/api/geo/districts", headers={"X-API-Key": key}).status_code == 401


def test_a_made_up_or_garbled_key_is_refused(client):
    for key in ["sck_000000000000_nope", "sck_short", "garbage", "sck__"]:
        assert client.get("/api/geo/districts", headers={"X-API-Key": key}).status_code == 401


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(client, auth_headers):
    key = issue(client, auth_headers("admin"), rate_limit="3/minute").json()["key"]
    statuses = [
        client.get("/api/geo/districts", headers={"X-API-Key": key}).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/geo/districts", headers={"X-API-Key": key})
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"


def test_bad_key_requests_name_the_field_and_create_nothing(client, auth_headers, platform):
    admin = auth_headers("admin")
    cases = [
        ({"name": "x", "scopes": ["no:such"]}, "scopes"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "", "scopes": ["geo:read"]}, "name"),
        ({"name": "x", "scopes": ["geo:read"], "rate_limit": "lots"}, "rate_limit"),
        ({"name": "x", "scopes": ["geo:read"], "expires_at": "2000-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "x", "scopes": ["geo:read"], "surprise": 1}, "surprise"),
    ]
    for body, field in cases:
        response = client.post("/api/apikeys", json=body, headers=admin)
        assert response.status_code == 422, body
        assert response.json()["error"]["field"] == field, body
    with platform.db.session() as s:
        assert s.scalars(select(ApiKey)).all() == []
