"""Every row of the workflow table through the API: refused for a role that does not own it
(the case unchanged), taken by one that does."""

from __future__ import annotations

from typing import Any

import pytest

from smartcity.cases.states import Action, CaseStatus
from smartcity.cases.workflow import TRANSITIONS, Transition
from smartcity.security.roles import Role
from tests.cases.conftest import case_body, office_of

S = CaseStatus
# The path from a new report to each state: (action, data) steps, each taken by its owner.
PATHS: dict[CaseStatus, list[str]] = {
    S.REPORTED: [],
    S.REGISTERED: ["register"],
    S.DISPATCHED: ["register", "dispatch"],
    S.IN_PROGRESS: ["register", "dispatch", "accept"],
    S.HANDLED: ["register", "dispatch", "accept", "handle"],
    S.CLOSED: ["register", "dispatch", "accept", "handle", "verify"],
    S.EVALUATED: ["register", "dispatch", "accept", "handle", "verify", "evaluate"],
    S.RETURNED: ["register", "dispatch", "return"],
    S.SUSPENDED: ["register", "dispatch", "suspend"],
    S.REOPENED: ["register", "dispatch", "accept", "handle", "verify", "reopen"],
}


def _data(action: str, office: str, other_case: str) -> dict[str, Any]:
    return {
        "reject": {"reason": "不属于受理范围"},
        "merge": {"into": other_case},
        "dispatch": {"department": office},
        "return": {"reason": "不属于本部门职责"},
        "handle": {"evidence": ["photo:1"]},
        "send_back": {"reason": "井盖仍未更换"},
        "suspend": {"reason": "需要专项资金", "approved_by": "user:chief"},
        "evaluate": {"rating": 4},
        "reopen": {"reason": "问题复发"},
    }.get(action, {})


def _owner(action: str) -> str:
    row = next(t for t in TRANSITIONS if t.action == Action(action))
    return "citizen" if Role.CITIZEN in row.roles else sorted(row.roles)[0].value


def _outsider(row: Transition) -> str:
    return next(r.value for r in Role if r not in row.roles and r != Role.CITIZEN)


@pytest.mark.parametrize("row", TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_a_transition_is_refused_to_other_roles_and_taken_by_its_own(row, city, caller):
    cell = city.cells[0]
    office = office_of(cell)
    callers: dict[str, Any] = {}

    def as_role(role: str) -> Any:
        if role not in callers:
            callers[role] = caller(role, office if role == "handler" else None)
        return callers[role]

    citizen = as_role("citizen")
    case_id = citizen.ok(citizen.report(case_body(cell)), 201)["id"]
    other = citizen.ok(citizen.report(case_body(city.cells[5], category="C0102")), 201)["id"]
    for action in PATHS[row.source]:
        actor = as_role(_owner(action))
        actor.ok(actor.act(case_id, action, **_data(action, office, other)))
    dispatcher = as_role("dispatcher")
    before = dispatcher.ok(dispatcher.get(case_id))
    assert before["status"] == row.source.value

    outsider = as_role(_outsider(row))
    refused = outsider.act(case_id, row.action.value, **_data(row.action.value, office, other))
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "role_not_allowed"
    assert dispatcher.ok(dispatcher.get(case_id)) == before

    owner = as_role(sorted(row.roles)[0].value if row.action != Action.EVALUATE else "citizen")
    taken = owner.ok(owner.act(case_id, row.action.value, **_data(row.action.value, office, other)))
    # A resumed case goes back where it was suspended from: dispatched, on this path.
    assert taken["status"] == (row.target.value if row.target else "dispatched")
