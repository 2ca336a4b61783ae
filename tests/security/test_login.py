"""The OAuth2 password flow, bearer tokens and their expiry."""

from __future__ import annotations

from tests.conftest import make_user


def login(client, username, password="correct-horse-42"):
    return client.post("/api/auth/token", data={"username": username, "password": password})


def username_of(platform, user_id):
    from smartcity.security.models import User

    with platform.db.session() as s:
        return s.get(User, user_id).username


def test_login_returns_a_bearer_token_that_identifies_the_user(client, platform):
    name = username_of(platform, make_user(platform, "dispatcher"))
    response = login(client, name)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["name"] == name and me.json()["role"] == "dispatcher"
    assert me.json()["tenant"] == "shanghai"


def test_login_with_tenant_suffix_reaches_the_other_tenant(client, platform):
    name = username_of(platform, make_user(platform, "analyst", "suzhou"))
    assert login(client, name).status_code == 401  # not in the default tenant
    token = login(client, f"{name}@suzhou").json()["access_token"]
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["tenant"] == "suzhou"


def test_wrong_password_and_unknown_user_give_the_same_401(client, platform):
    name = username_of(platform, make_user(platform, "analyst"))
    wrong = login(client, name, "not-the-password-1")
    unknown = login(client, "nobody-here")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]


def test_login_for_an_unknown_tenant_is_404_naming_the_tenant(client):
    response = login(client, "someone@atlantis")
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "tenant"


def test_login_without_password_is_422_naming_the_field(client):
    response = client.post("/api/auth/token", data={"username": "admin"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "password"


def test_token_expires_with_the_platform_clock(client, platform, clock):
    name = username_of(platform, make_user(platform, "analyst"))
    token = login(client, name).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    clock.advance(minutes=59)
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    clock.advance(minutes=2)
    response = client.get("/api/auth/me", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_a_tampered_token_is_refused(client, platform):
    name = username_of(platform, make_user(platform, "admin"))
    token = login(client, name).json()["access_token"]
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[::-1]}"
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_a_deactivated_user_can_neither_log_in_nor_use_an_old_token(client, platform, auth_headers):
    user_id = make_user(platform, "supervisor")
    name = username_of(platform, user_id)
    token = login(client, name).json()["access_token"]
    admin = auth_headers("admin")
    assert (
        client.patch(f"/api/users/{user_id}", json={"active": False}, headers=admin).status_code
        == 200
    )
    assert login(client, name).status_code == 401
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


def test_malformed_authorization_header_is_401_with_a_hint(client):
    response = client.get("/api/auth/me", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    assert "Bearer" in response.json()["error"]["message"]


def test_repeated_failed_logins_are_rate_limited(client, platform):
    name = username_of(platform, make_user(platform, "analyst"))
    statuses = [login(client, name, "wrong-password-9").status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_a_nul_character_in_the_username_is_refused_not_a_500(client):
    response = client.post("/api/auth/token", data={"username": "ad\x00min", "password": "x"})
    assert response.status_code in (401, 422)
    assert response.json()["error"]["code"] in ("unauthenticated", "validation_error")
