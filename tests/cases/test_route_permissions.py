"""Each role against each cases route: allowed (any answer but 401/403), or 403. These are the
rows proposed for tests/security/test_role_matrix.py."""

from __future__ import annotations

import pytest

from smartcity.security.roles import Role

ALL = {r.value for r in Role}
STAFF = ALL - {"citizen"}
ADMIN = {"admin"}
REPORTERS = {"citizen", "supervisor", "hotline_operator", "dispatcher", "admin"}

MATRIX: list[tuple[str, str, set[str]]] = [
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
]


@pytest.mark.parametrize("role", sorted(ALL))
def test_each_role_is_allowed_exactly_the_case_routes_of_its_permissions(
    client, auth_headers, role
):
    headers = auth_headers(role)
    wrong = []
    for method, path, allowed in MATRIX:
        status = client.request(method, path, headers=headers, json={}).status_code
        if role in allowed and status in (401, 403):
            wrong.append(f"{method} {path}: {role} refused with {status}")
        if role not in allowed and status != 403:
            wrong.append(f"{method} {path}: {role} got {status}, expected 403")
    assert not wrong, "\n".join(wrong)


def test_every_case_route_refuses_anonymous_callers_with_401(client):
    for method, path, _allowed in MATRIX:
        assert client.request(method, path, json={}).status_code == 401, (method, path)
