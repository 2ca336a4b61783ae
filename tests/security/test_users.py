"""User administration through the API, with every bad input refused and nothing changed."""

from __future__ import annotations

from sqlalchemy import func, select

from smartcity.security.models import User


def count_users(platform):
    with platform.db.session() as s:
        return s.scalar(select(func.count()).select_from(User))


def test_admin_creates_lists_and_edits_users(client, auth_headers):
    admin = auth_headers("admin")
    body = {
        "username": "li.wei",
        "role": "supervisor",
        "password": "patrol-2026-x",
        "display_name": "李伟",
        "phone": "+86 138 0000 0000",
    }
    created = client.post("/api/users", json=body, headers=admin)
    assert created.status_code == 201
    user = created.json()
    assert user["role"] == "supervisor" and "password" not in user and "password_hash" not in user
    listed = client.get("/api/users?role=supervisor", headers=admin).json()
    assert [u["username"] for u in listed["items"]] == ["li.wei"]
    patched = client.patch(f"/api/users/{user['id']}", json={"role": "dispatcher"}, headers=admin)
    assert patched.json()["role"] == "dispatcher"


def test_bad_user_input_is_422_naming_the_field_and_changes_nothing(client, auth_headers, platform):
    admin = auth_headers("admin")
    before = count_users(platform)
    good = {"username": "wang.fang", "role": "analyst", "password": "analysis-2026"}
    cases = [
        ({**good, "username": "a b"}, "username"),
        ({**good, "role": "mayor"}, "role"),
        ({**good, "password": "short1"}, "password"),
        ({**good, "password": "onlyletterslong"}, "password"),
        ({**good, "role": "handler"}, "department_id"),
        ({**good, "department_id": 99999}, "department_id"),
        ({**good, "email": "not-an-email"}, "email"),
        ({k: v for k, v in good.items() if k != "role"}, "role"),
    ]
    for body, field in cases:
        response = client.post("/api/users", json=body, headers=admin)
        assert response.status_code == 422, body
        assert response.json()["error"]["field"] == field, body
    assert count_users(platform) == before


def test_a_duplicate_username_is_409(client, auth_headers):
    admin = auth_headers("admin")
    body = {"username": "zhao", "role": "analyst", "password": "analysis-2026"}
    assert client.post("/api/users", json=body, headers=admin).status_code == 201
    response = client.post("/api/users", json=body, headers=admin)
    assert response.status_code == 409 and response.json()["error"]["field"] == "username"


def test_patch_refuses_nulls_empty_bodies_and_unknown_users(client, auth_headers):
    admin = auth_headers("admin")
    user_id = client.post(
        "/api/users",
        json={"username": "sun", "role": "analyst", "password": "analysis-2026"},
        headers=admin,
    ).json()["id"]
    assert client.patch(f"/api/users/{user_id}", json={}, headers=admin).status_code == 422
    assert (
        client.patch(f"/api/users/{user_id}", json={"role": None}, headers=admin).status_code == 422
    )
    assert (
        client.patch("/api/users/999999", json={"role": "analyst"}, headers=admin).status_code
        == 404
    )
    assert (
        client.patch("/api/users/abc", json={"role": "analyst"}, headers=admin).status_code == 422
    )
