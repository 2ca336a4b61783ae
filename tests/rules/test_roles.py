"""Each role against each route of rules, alerts and fleet health: allowed, or 403 (the rows
proposed for tests/security/test_role_matrix.py, written out independently of the table)."""

from __future__ import annotations

import pytest

ROLES = [
    "admin",
    "supervisor",
    "dispatcher",
    "handler",
    "analyst",
    "hotline_operator",
    "programme",
    "citizen",
]
STAFF = set(ROLES) - {"citizen"}
ADMIN = {"admin"}
ALERT_WRITERS = {"admin", "dispatcher", "supervisor"}

MATRIX: list[tuple[str, str, set[str]]] = [
    ("GET", "/api/rules", STAFF),
    ("POST", "/api/rules", ADMIN),
    ("GET", "/api/rules/1", STAFF),
    ("PATCH", "/api/rules/1", ADMIN),
    ("DELETE", "/api/rules/999", ADMIN),
    ("GET", "/api/alerts", STAFF),
    ("GET", "/api/alerts/1", STAFF),
    ("POST", "/api/alerts/1/acknowledge", ALERT_WRITERS),
    ("POST", "/api/alerts/1/resolve", ALERT_WRITERS),
    ("GET", "/api/sensing/health", STAFF),
]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_exactly_the_routes_of_its_permissions(client, auth_headers, role):
    headers = auth_headers(role)
    wrong = []
    for method, path, allowed in MATRIX:
        status = client.request(method, path, headers=headers, json={}).status_code
        if role in allowed and status in (401, 403):
            wrong.append(f"{method} {path}: {role} refused with {status}")
        if role not in allowed and status != 403:
            wrong.append(f"{method} {path}: {role} got {status}, expected 403")
        if status >= 500:
            wrong.append(f"{method} {path}: {role} got {status}")
    assert not wrong, "\n".join(wrong)
