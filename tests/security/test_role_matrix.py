"""Each role against each protected route: allowed, or 403. The expectation is written out here,
independently of the permission table it checks."""

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
ALL = set(ROLES)
STAFF = ALL - {"citizen"}
ADMIN = {"admin"}
PROGRAMME = {"admin", "programme"}
REPORTERS = {"citizen", "supervisor", "hotline_operator", "dispatcher", "admin"}
ALERT_WRITERS = {"admin", "dispatcher", "supervisor"}

MATRIX: list[tuple[str, str, set[str]]] = [
    ("GET", "/api/auth/me", ALL),
    ("GET", "/api/users", ADMIN),
    ("POST", "/api/users", ADMIN),
    ("GET", "/api/users/1", ADMIN),
    ("PATCH", "/api/users/1", ADMIN),
    ("GET", "/api/apikeys", ADMIN),
    ("POST", "/api/apikeys", ADMIN),
    ("DELETE", "/api/apikeys/999", ADMIN),
    ("GET", "/api/audit", ADMIN),
    ("GET", "/api/geo/districts", ALL),
    ("GET", "/api/geo/cells", ALL),
    ("GET", "/api/geo/locate?lon=121.47&lat=31.23", ALL),
    ("POST", "/api/geo/import?level=district", ADMIN),
    ("GET", "/api/geo/departments", STAFF),
    ("POST", "/api/geo/departments", ADMIN),
    ("GET", "/api/sensing/devices", STAFF),
    ("POST", "/api/sensing/devices", ADMIN),
    ("GET", "/api/sensing/dead-letters", ADMIN),
    ("POST", "/api/sensing/readings", ADMIN),
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
    ("GET", "/api/cases", STAFF),
    ("POST", "/api/cases", REPORTERS),
    ("GET", "/api/cases/queues/to_register", STAFF),
    ("GET", "/api/cases/categories", ALL),
    ("PUT", "/api/cases/categories/C0101", ADMIN),
    ("DELETE", "/api/cases/categories/C0101", ADMIN),
    ("GET", "/api/cases/routes", STAFF),
    ("POST", "/api/cases/routes", ADMIN),
    ("DELETE", "/api/cases/routes/999", ADMIN),
    ("GET", "/api/cases/SH20260105-000001", ALL),
    ("GET", "/api/cases/SH20260105-000001/timeline", ALL),
    ("POST", "/api/cases/SH20260105-000001/transitions", ALL),
    ("GET", "/api/cases/SH20260105-000001/photos", ALL),
    ("GET", "/api/plan", ALL),
    ("GET", "/api/plan/projects", ALL),
    ("GET", "/api/plan/indicators", ALL),
    ("GET", "/api/plan/measures", ALL),
    ("PATCH", "/api/plan/projects/viable-1", PROGRAMME),
    ("PATCH", "/api/plan/milestones/grid-platform-citywide", PROGRAMME),
    ("POST", "/api/plan/indicators/household-fibre-take-up/observations", PROGRAMME),
    ("POST", "/api/plan/seed", PROGRAMME),
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
    assert not wrong, "\n".join(wrong)


def test_every_protected_route_refuses_anonymous_callers_with_401(client):
    for method, path, _allowed in MATRIX:
        response = client.request(method, path, json={})
        assert response.status_code == 401, f"{method} {path}"
        assert response.json()["error"]["code"] == "unauthenticated"
        assert response.headers["www-authenticate"] == "Bearer"
