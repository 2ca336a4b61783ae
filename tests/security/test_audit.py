"""The audit log: every change recorded with who, what, when and before/after; append-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from smartcity.security.models import AuditEntry


def test_creating_and_editing_a_user_is_audited_with_before_and_after(client, auth_headers, clock):
    admin = auth_headers("admin")
    user = client.post(
        "/api/users",
        json={"username": "qian", "role": "analyst", "password": "analysis-2026"},
        headers=admin,
    ).json()
    clock.advance(minutes=5)
    client.patch(f"/api/users/{user['id']}", json={"role": "dispatcher"}, headers=admin)
    entries = client.get(
        "/api/audit", params={"entity_type": "user", "entity_id": str(user["id"])}, headers=admin
    ).json()
    assert entries["total"] == 2
    update, create = entries["items"]  # newest first
    assert create["action"] == "user.create" and create["before"] is None
    assert create["after"]["role"] == "analyst"
    assert update["action"] == "user.update"
    assert update["before"]["role"] == "analyst" and update["after"]["role"] == "dispatcher"
    assert update["actor_kind"] == "user" and update["actor_name"].startswith("admin-")
    assert update["at"] > create["at"]
    assert all("password" not in str(e) for e in entries["items"])


def test_entries_carry_the_request_id_of_the_change(client, auth_headers):
    admin = auth_headers("admin")
    response = client.post(
        "/api/apikeys",
        json={"name": "k", "scopes": ["geo:read"]},
        headers={**admin, "X-Request-ID": "trace-abc-123"},
    )
    assert response.headers["x-request-id"] == "trace-abc-123"
    entries = client.get("/api/audit", params={"action": "apikey.create"}, headers=admin).json()
    assert entries["items"][0]["request_id"] == "trace-abc-123"


def test_a_failed_request_changes_nothing_and_leaves_no_entry(client, auth_headers, platform):
    admin = auth_headers("admin")
    with platform.db.session() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    response = client.post(
        "/api/users",
        json={"username": "x y", "role": "analyst", "password": "analysis-2026"},
        headers=admin,
    )
    assert response.status_code == 422
    with platform.db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_audit_query_filters_by_time_and_pages(client, auth_headers, clock):
    admin = auth_headers("admin")
    start = clock.now()
    for i in range(3):
        clock.advance(minutes=1)
        client.post("/api/apikeys", json={"name": f"k{i}", "scopes": ["geo:read"]}, headers=admin)
    page = client.get(
        "/api/audit", params={"action": "apikey.create", "limit": 2}, headers=admin
    ).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    later = (start + timedelta(minutes=2)).isoformat().replace("+00:00", "Z")
    since = client.get(
        "/api/audit", params={"action": "apikey.create", "since": later}, headers=admin
    ).json()
    assert since["total"] == 2
    assert all(e["at"] >= later.replace("Z", "") for e in since["items"])
    naive = client.get("/api/audit", params={"since": "2026-01-01T00:00:00"}, headers=admin)
    assert naive.status_code == 422 and naive.json()["error"]["field"] == "since"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET action = 'forged'",
        "DELETE FROM audit_log",
    ],
)
def test_the_database_refuses_to_rewrite_the_audit_log(client, auth_headers, platform, statement):
    auth_headers("admin")  # creating the user writes one entry
    with platform.db.engine.connect() as conn:
        with pytest.raises(DBAPIError):
            conn.execute(text(statement))
        conn.rollback()
        assert conn.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'user.create'")) == 1
