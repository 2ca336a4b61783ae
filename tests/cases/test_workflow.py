"""The workflow table: every transition allowed and refused by role and state, its data, its
clock effect and its timeline event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smartcity.cases.errors import (
    InvalidTransitionData,
    OutOfOrder,
    OutsideDepartment,
    RoleNotAllowed,
    TransitionNotAllowed,
)
from smartcity.cases.states import Action, CaseSource, CaseStatus, ClockEffect, label
from smartcity.cases.workflow import (
    TERMINAL,
    TRANSITIONS,
    Actor,
    CaseState,
    allowed,
    apply,
    report,
    workflow_table_markdown,
)
from smartcity.security.roles import Role

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
ACTORS = {
    Role.ADMIN: Actor("u-admin", Role.ADMIN),
    Role.SUPERVISOR: Actor("u-sup", Role.SUPERVISOR),
    Role.DISPATCHER: Actor("u-disp", Role.DISPATCHER),
    Role.HANDLER: Actor("u-hand", Role.HANDLER, department="WATER"),
    Role.ANALYST: Actor("u-ana", Role.ANALYST),
    Role.HOTLINE_OPERATOR: Actor("u-hot", Role.HOTLINE_OPERATOR),
    Role.PROGRAMME: Actor("u-prog", Role.PROGRAMME),
    Role.CITIZEN: Actor("u-cit", Role.CITIZEN),
}
GOOD_DATA = {
    Action.REGISTER: {"category": "C0101"},
    Action.REJECT: {"reason": "不属于城市管理范围"},
    Action.MERGE: {"into": "case-1"},
    Action.DISPATCH: {"department": "WATER"},
    Action.ACCEPT: {},
    Action.RETURN: {"reason": "not our cover"},
    Action.HANDLE: {"evidence": ["photo-1.jpg"]},
    Action.VERIFY: {},
    Action.SEND_BACK: {"reason": "cover still loose"},
    Action.SUSPEND: {"reason": "needs a budget", "approved_by": "u-chief"},
    Action.RESUME: {},
    Action.EVALUATE: {"rating": 5},
    Action.REOPEN: {"reason": "broken again"},
}


def case_in(status: CaseStatus, **extra) -> CaseState:
    """A case in the given state, reported by the citizen, with a clock where one would run."""
    state, _ = report(ACTORS[Role.CITIZEN], T0, source=CaseSource.CITIZEN, case_id="case-9")
    path = {
        CaseStatus.REPORTED: [],
        CaseStatus.REGISTERED: [Action.REGISTER],
        CaseStatus.REJECTED: [Action.REJECT],
        CaseStatus.MERGED: [Action.MERGE],
        CaseStatus.DISPATCHED: [Action.REGISTER, Action.DISPATCH],
        CaseStatus.IN_PROGRESS: [Action.REGISTER, Action.DISPATCH, Action.ACCEPT],
        CaseStatus.RETURNED: [Action.REGISTER, Action.DISPATCH, Action.RETURN],
        CaseStatus.HANDLED: [Action.REGISTER, Action.DISPATCH, Action.ACCEPT, Action.HANDLE],
        CaseStatus.SUSPENDED: [Action.REGISTER, Action.DISPATCH, Action.SUSPEND],
        CaseStatus.CLOSED: [Action.REGISTER, Action.DISPATCH, Action.ACCEPT, Action.HANDLE,
                            Action.VERIFY],
        CaseStatus.EVALUATED: [Action.REGISTER, Action.DISPATCH, Action.ACCEPT, Action.HANDLE,
                               Action.VERIFY, Action.EVALUATE],
        CaseStatus.REOPENED: [Action.REGISTER, Action.DISPATCH, Action.ACCEPT, Action.HANDLE,
                              Action.VERIFY, Action.REOPEN],
    }[status]  # fmt: skip
    at = T0
    for action in path:
        at += timedelta(hours=1)
        rule = next(t for t in TRANSITIONS if t.source == state.status and t.action == action)
        actor = ACTORS[min(rule.roles)] if Role.CITIZEN not in rule.roles else ACTORS[Role.CITIZEN]
        state, _ = apply(state, action, actor, GOOD_DATA[action], at)
    assert state.status == status
    return state


CASES = [(t, role) for t in TRANSITIONS for role in Role]


@pytest.mark.parametrize(
    ("rule", "role"), CASES, ids=[f"{t.source}-{t.action}-{r}" for t, r in CASES]
)
def test_each_transition_is_allowed_exactly_to_its_roles(rule, role):
    case = case_in(rule.source)
    at = case.updated_at + timedelta(hours=1)
    if role in rule.roles:
        new, event = apply(case, rule.action, ACTORS[role], GOOD_DATA[rule.action], at)
        assert new.status == (rule.target or case.suspended_from)
        assert (event.action, event.from_status, event.to_status) == (
            rule.action,
            rule.source,
            new.status,
        )
        assert (event.actor_id, event.actor_role, event.at, event.clock) == (
            ACTORS[role].id,
            role,
            at,
            rule.clock,
        )
        assert rule in allowed(rule.source, role)
    else:
        with pytest.raises(RoleNotAllowed):
            apply(case, rule.action, ACTORS[role], GOOD_DATA[rule.action], at)
        assert rule not in allowed(rule.source, role)


ALL_PAIRS = [(s, a) for s in CaseStatus for a in Action]


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS)
def test_a_transition_not_in_the_table_is_refused_from_that_state(status, action):
    if any(t.source == status and t.action == action for t in TRANSITIONS):
        return
    case = case_in(status)
    with pytest.raises(TransitionNotAllowed):
        apply(case, action, ACTORS[Role.ADMIN], GOOD_DATA[action], case.updated_at)


@pytest.mark.parametrize(
    "rule", [t for t in TRANSITIONS if t.requires], ids=lambda t: f"{t.source}-{t.action}"
)
def test_each_required_field_is_required(rule):
    case = case_in(rule.source)
    actor = ACTORS[Role.CITIZEN] if Role.CITIZEN in rule.roles else ACTORS[min(rule.roles)]
    for requirement in rule.requires:
        data = dict(GOOD_DATA[rule.action])
        del data[requirement.value]
        with pytest.raises(InvalidTransitionData) as caught:
            apply(case, rule.action, actor, data, case.updated_at)
        assert caught.value.field == requirement.value


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        (Action.REJECT, {"reason": "   "}, "reason"),
        (Action.REJECT, {"reason": "x", "reasons": "y"}, "reasons"),
        (Action.HANDLE, {"evidence": "photo.jpg"}, "evidence"),
        (Action.HANDLE, {"evidence": []}, "evidence"),
        (Action.EVALUATE, {"rating": 6}, "rating"),
        (Action.EVALUATE, {"rating": True}, "rating"),
        (Action.SUSPEND, {"reason": "r", "approved_by": "u-disp"}, "approved_by"),
        (Action.MERGE, {"into": "case-9"}, "into"),
    ],
)
def test_malformed_data_is_refused(action, data, field):
    source = next(t for t in TRANSITIONS if t.action == action).source
    case = case_in(source)
    rule = next(t for t in TRANSITIONS if t.action == action and t.source == source)
    actor = ACTORS[Role.CITIZEN] if Role.CITIZEN in rule.roles else ACTORS[Role.DISPATCHER]
    if Role.DISPATCHER not in rule.roles and Role.CITIZEN not in rule.roles:
        actor = ACTORS[min(rule.roles)]
    with pytest.raises(InvalidTransitionData) as caught:
        apply(case, action, actor, data, case.updated_at)
    assert caught.value.field == field


def test_a_handler_cannot_act_for_another_department():
    case = case_in(CaseStatus.DISPATCHED)
    other = Actor("u-gas", Role.HANDLER, department="GAS")
    with pytest.raises(OutsideDepartment):
        apply(case, Action.ACCEPT, other, {}, case.updated_at)


def test_only_the_reporting_citizen_may_evaluate():
    case = case_in(CaseStatus.CLOSED)
    with pytest.raises(RoleNotAllowed):
        apply(
            case,
            Action.EVALUATE,
            Actor("u-other", Role.CITIZEN),
            {"rating": 1},
            T0 + timedelta(days=1),
        )


def test_transitions_cannot_be_dated_before_the_last_change():
    case = case_in(CaseStatus.REGISTERED)
    with pytest.raises(OutOfOrder):
        apply(case, Action.DISPATCH, ACTORS[Role.DISPATCHER], {"department": "W"}, T0)


def test_naive_times_and_unknown_actions_are_refused():
    case = case_in(CaseStatus.REPORTED)
    with pytest.raises(InvalidTransitionData):
        apply(case, Action.REJECT, ACTORS[Role.DISPATCHER], {"reason": "x"}, datetime(2026, 3, 3))
    with pytest.raises(InvalidTransitionData):
        apply(case, "teleport", ACTORS[Role.DISPATCHER], {}, T0)


def test_the_clock_starts_at_dispatch_pauses_at_handling_and_stops_at_closure():
    case = case_in(CaseStatus.REGISTERED)
    assert case.clock.started_at is None
    t = case.updated_at
    case, _ = apply(case, Action.DISPATCH, ACTORS[Role.DISPATCHER], {"department": "WATER"}, t)
    assert case.clock.started_at == t and case.clock.running and case.department == "WATER"
    case, _ = apply(case, Action.ACCEPT, ACTORS[Role.HANDLER], {}, t + timedelta(hours=1))
    case, _ = apply(
        case, Action.HANDLE, ACTORS[Role.HANDLER], GOOD_DATA[Action.HANDLE], t + timedelta(hours=2)
    )
    assert case.clock.paused_since == t + timedelta(hours=2)
    case, _ = apply(
        case,
        Action.SEND_BACK,
        ACTORS[Role.SUPERVISOR],
        GOOD_DATA[Action.SEND_BACK],
        t + timedelta(hours=3),
    )
    assert case.status == CaseStatus.IN_PROGRESS and case.clock.running
    assert case.clock.pauses == ((t + timedelta(hours=2), t + timedelta(hours=3)),)
    case, _ = apply(
        case, Action.HANDLE, ACTORS[Role.HANDLER], GOOD_DATA[Action.HANDLE], t + timedelta(hours=4)
    )
    case, event = apply(case, Action.VERIFY, ACTORS[Role.SUPERVISOR], {}, t + timedelta(hours=5))
    assert case.status == CaseStatus.CLOSED and case.clock.stopped_at == t + timedelta(hours=5)
    assert event.clock == ClockEffect.STOP


def test_suspension_pauses_the_clock_and_resuming_returns_to_the_earlier_state():
    case = case_in(CaseStatus.IN_PROGRESS)
    t = case.updated_at
    case, _ = apply(case, Action.SUSPEND, ACTORS[Role.DISPATCHER], GOOD_DATA[Action.SUSPEND], t)
    assert case.suspended_from == CaseStatus.IN_PROGRESS and case.clock.paused_since == t
    case, _ = apply(case, Action.RESUME, ACTORS[Role.ADMIN], {}, t + timedelta(days=3))
    assert case.status == CaseStatus.IN_PROGRESS and case.suspended_from is None
    assert case.clock.pauses == ((t, t + timedelta(days=3)),)


def test_a_returned_case_keeps_its_clock_and_a_reopened_one_starts_a_new_period():
    returned = case_in(CaseStatus.RETURNED)
    started = returned.clock.started_at
    again, _ = apply(
        returned,
        Action.DISPATCH,
        ACTORS[Role.DISPATCHER],
        {"department": "ROADS"},
        returned.updated_at,
    )
    assert again.clock.started_at == started and again.returns == 1
    reopened = case_in(CaseStatus.REOPENED)
    assert reopened.reopens == 1 and reopened.clock.stopped
    t = reopened.updated_at + timedelta(hours=1)
    fresh, _ = apply(reopened, Action.DISPATCH, ACTORS[Role.DISPATCHER], {"department": "WATER"}, t)
    assert fresh.clock.started_at == t and not fresh.clock.stopped and fresh.clock.pauses == ()


def test_the_timeline_event_keeps_the_cleaned_data():
    case = case_in(CaseStatus.REPORTED)
    _, event = apply(
        case,
        Action.REJECT,
        ACTORS[Role.HOTLINE_OPERATOR],
        {"reason": "  重复来电 ", "note": "n"},
        T0,
    )
    assert dict(event.data) == {"reason": "重复来电", "note": "n"}
    assert event.describe() == "不予立案 → 不予立案" and event.describe("en") == "Reject → Rejected"


def test_register_and_merge_and_evaluate_record_their_data():
    assert case_in(CaseStatus.REGISTERED).category == "C0101"
    assert case_in(CaseStatus.MERGED).merged_into == "case-1"
    assert case_in(CaseStatus.EVALUATED).rating == 5


def test_reporting_is_for_the_roles_that_collect_information():
    state, event = report(ACTORS[Role.SUPERVISOR], T0, source=CaseSource.PATROL, note="井盖缺失")
    assert state.status == CaseStatus.REPORTED and state.reporter_id == "u-sup"
    assert event.action is None and event.data == {"note": "井盖缺失"}
    with pytest.raises(RoleNotAllowed):
        report(ACTORS[Role.ANALYST], T0, source=CaseSource.PATROL)
    with pytest.raises(RoleNotAllowed):
        report(ACTORS[Role.CITIZEN], T0, source=CaseSource.HOTLINE)
    with pytest.raises(RoleNotAllowed):
        report(ACTORS[Role.HANDLER], T0, source=CaseSource.REFERRAL)


def test_rejected_and_merged_cases_are_final_and_analysts_take_no_transition():
    assert {CaseStatus.REJECTED, CaseStatus.MERGED} == TERMINAL
    assert all(allowed(s, Role.ANALYST) == [] for s in CaseStatus)


def test_every_state_and_transition_has_both_labels_and_the_table_draws_them():
    assert all(label(s) and label(s, "en") for s in CaseStatus)
    assert label(CaseStatus.REGISTERED) == "已立案" and label(Action.DISPATCH, "en") == "Dispatch"
    table = workflow_table_markdown()
    assert table.count("\n") == len(TRANSITIONS) + 1 and "挂账" in table
