"""Tenants isolate every query: one jurisdiction never sees or touches another's rows."""

from __future__ import annotations


def test_users_keys_and_audit_of_one_tenant_are_invisible_to_another(client, auth_headers):
    shanghai = auth_headers("admin")
    suzhou = auth_headers("admin", "suzhou")
    created = client.post(
        "/api/users",
        json={"username": "sh-only", "role": "analyst", "password": "analysis-2026"},
        headers=shanghai,
    ).json()
    key = client.post(
        "/api/apikeys", json={"name": "sh key", "scopes": ["geo:read"]}, headers=shanghai
    ).json()
    names = [u["username"] for u in client.get("/api/users", headers=suzhou).json()["items"]]
    assert "sh-only" not in names
    assert client.get(f"/api/users/{created['id']}", headers=suzhou).status_code == 404
    patch = client.patch(f"/api/users/{created['id']}", json={"role": "admin"}, headers=suzhou)
    assert patch.status_code == 404
    assert client.get("/api/apikeys", headers=suzhou).json() == []
    assert client.delete(f"/api/apikeys/{key['id']}", headers=suzhou).status_code == 404
    audit = client.get("/api/audit", headers=suzhou).json()
    assert all(
        e["entity_id"] != str(created["id"]) for e in audit["items"] if e["entity_type"] == "user"
    )
    assert client.get(f"/api/users/{created['id']}", headers=shanghai).status_code == 200
