"""Who may do what in the plan API: everyone reads, only admin and programme staff write."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("programme")

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
WRITERS = {"admin", "programme"}
ROUTES = [
    ("GET", "/api/plan", None, set(ROLES)),
    ("GET", "/api/plan/projects?action=viable", None, set(ROLES)),
    ("GET", "/api/plan/indicators/household-fibre-take-up", None, set(ROLES)),
    ("GET", "/api/plan/measures", None, set(ROLES)),
    ("PATCH", "/api/plan/projects/viable-1", {"progress_note": "ok"}, WRITERS),
    ("PATCH", "/api/plan/milestones/grid-platform-citywide", {"note": "ok"}, WRITERS),
    (
        "POST",
        "/api/plan/indicators/household-fibre-take-up/observations",
        {"value": 50, "unit": "percent", "observed_on": "2015-12-31", "source": "test"},
        WRITERS,
    ),
    ("POST", "/api/plan/seed", None, WRITERS),
]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_use_exactly_its_plan_routes(client, auth_headers, role):
    headers = auth_headers(role)
    wrong = []
    for method, path, body, allowed in ROUTES:
        status = client.request(method, path, headers=headers, json=body).status_code
        expected_ok = role in allowed
        if (expected_ok and status >= 400) or (not expected_ok and status != 403):
            wrong.append(f"{method} {path}: {role} got {status}")
    assert not wrong, "\n".join(wrong)
