"""The case workflow as data: states, transitions, the roles that own them, what each requires and
what each does to the deadline clock; `allowed` and `apply` are the one place they are checked.

立案 → 派遣 → 处置 → 处理反馈 → 核查 → 结案 → 评价, with 不予立案, 退单, 挂账, merge and reopen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from smartcity.cases.calendar import aware
from smartcity.cases.deadlines import DeadlineClock
from smartcity.cases.errors import (
    InvalidTransitionData,
    OutOfOrder,
    OutsideDepartment,
    RoleNotAllowed,
    TransitionNotAllowed,
)
from smartcity.cases.requirements import Requirement, check_data
from smartcity.cases.states import (
    Action,
    CaseSource,
    CaseStatus,
    ClockEffect,
    label,
)
from smartcity.security.roles import Role

R = Role
S = CaseStatus
_CENTRE = frozenset({R.DISPATCHER, R.HOTLINE_OPERATOR, R.ADMIN})  # 受理 and 派遣 at the centre


@dataclass(frozen=True)
class Transition:
    """One row of the table: `action` from `source` to `target` (None: back where it was
    suspended from), taken by `roles`, requiring `requires`, with `clock` on the deadline."""

    action: Action
    source: CaseStatus
    target: CaseStatus | None
    roles: frozenset[Role]
    requires: frozenset[Requirement] = frozenset()
    clock: ClockEffect = ClockEffect.NONE

    @property
    def label_zh(self) -> str:
        return label(self.action)

    @property
    def label_en(self) -> str:
        return label(self.action, "en")


def _rows(
    action: Action,
    sources: tuple[CaseStatus, ...],
    target: CaseStatus | None,
    roles: frozenset[Role] | set[Role],
    requires: tuple[Requirement, ...] = (),
    clock: ClockEffect = ClockEffect.NONE,
) -> list[Transition]:
    return [
        Transition(action, s, target, frozenset(roles), frozenset(requires), clock) for s in sources
    ]


Q = Requirement
TRANSITIONS: tuple[Transition, ...] = tuple(
    [
        *_rows(Action.REGISTER, (S.REPORTED,), S.REGISTERED, _CENTRE, (Q.CATEGORY,)),
        *_rows(Action.REJECT, (S.REPORTED,), S.REJECTED, _CENTRE, (Q.REASON,)),
        *_rows(Action.MERGE, (S.REPORTED, S.REGISTERED), S.MERGED, _CENTRE, (Q.SURVIVOR,)),
        *_rows(
            Action.DISPATCH, (S.REGISTERED, S.REOPENED), S.DISPATCHED, _CENTRE, (Q.DEPARTMENT,),
            ClockEffect.START,
        ),
        # A returned case keeps its clock: the citizen has been waiting all along.
        *_rows(Action.DISPATCH, (S.RETURNED,), S.DISPATCHED, _CENTRE, (Q.DEPARTMENT,)),
        *_rows(Action.ACCEPT, (S.DISPATCHED,), S.IN_PROGRESS, {R.HANDLER}),
        *_rows(
            Action.RETURN, (S.DISPATCHED, S.IN_PROGRESS), S.RETURNED, {R.HANDLER}, (Q.REASON,)
        ),
        *_rows(
            Action.HANDLE, (S.IN_PROGRESS,), S.HANDLED, {R.HANDLER}, (Q.EVIDENCE,),
            ClockEffect.PAUSE,
        ),
        *_rows(
            Action.VERIFY, (S.HANDLED,), S.CLOSED, {R.SUPERVISOR, R.HOTLINE_OPERATOR}, (),
            ClockEffect.STOP,
        ),
        *_rows(
            Action.SEND_BACK, (S.HANDLED,), S.IN_PROGRESS, {R.SUPERVISOR, R.HOTLINE_OPERATOR},
            (Q.REASON,), ClockEffect.RESUME,
        ),
        *_rows(
            Action.SUSPEND, (S.DISPATCHED, S.IN_PROGRESS), S.SUSPENDED, {R.DISPATCHER, R.ADMIN},
            (Q.REASON, Q.APPROVAL), ClockEffect.PAUSE,
        ),
        *_rows(
            Action.RESUME, (S.SUSPENDED,), None, {R.DISPATCHER, R.ADMIN}, (), ClockEffect.RESUME
        ),
        *_rows(
            Action.EVALUATE, (S.CLOSED,), S.EVALUATED, {R.CITIZEN, R.HOTLINE_OPERATOR}, (Q.RATING,)
        ),
        *_rows(
            Action.REOPEN, (S.CLOSED, S.EVALUATED), S.REOPENED,
            {R.SUPERVISOR, R.DISPATCHER, R.HOTLINE_OPERATOR, R.ADMIN}, (Q.REASON,),
        ),
    ]
)  # fmt: skip

_BY_KEY: Mapping[tuple[CaseStatus, Action], Transition] = MappingProxyType(
    {(t.source, t.action): t for t in TRANSITIONS}
)
assert len(_BY_KEY) == len(TRANSITIONS), "one row per (state, action)"

TERMINAL = frozenset(s for s in CaseStatus if not any(t.source == s for t in TRANSITIONS))
REPORTERS = frozenset({R.CITIZEN, R.SUPERVISOR, R.HOTLINE_OPERATOR, R.DISPATCHER, R.ADMIN})
_DEPARTMENT_BOUND = frozenset({Role.HANDLER})  # roles that act only on their department's cases


@dataclass(frozen=True)
class Actor:
    """Who takes a transition: a user id, the role acted in, and a handler's department code."""

    id: str
    role: Role
    department: str | None = None


@dataclass(frozen=True)
class CaseState:
    """The part of a case the workflow decides: its status, assignment and deadline clock."""

    status: CaseStatus
    source: CaseSource
    reporter_id: str | None = None
    case_id: str | None = None
    category: str | None = None
    department: str | None = None
    clock: DeadlineClock = field(default_factory=DeadlineClock)
    suspended_from: CaseStatus | None = None
    merged_into: str | None = None
    rating: int | None = None
    returns: int = 0  # times a department returned it (退单), for the return rate
    reopens: int = 0  # times it was reopened, for the reopen rate
    updated_at: datetime | None = None


@dataclass(frozen=True)
class TimelineEvent:
    """One line of the case's timeline: who did what, when, with what data, to which state."""

    action: Action | None  # None: the report that opened the case
    from_status: CaseStatus | None
    to_status: CaseStatus
    actor_id: str
    actor_role: Role
    at: datetime
    data: Mapping[str, Any]
    clock: ClockEffect = ClockEffect.NONE

    def describe(self, lang: str = "zh") -> str:
        what = label(self.action, lang) if self.action else ("上报" if lang != "en" else "Report")
        return f"{what} → {label(self.to_status, lang)}"


def transitions_from(status: CaseStatus) -> list[Transition]:
    """Every transition that leaves `status`, whoever may take it."""
    return [t for t in TRANSITIONS if t.source == status]


def allowed(status: CaseStatus, role: Role) -> list[Transition]:
    """The transitions a role may take from a state: what a workbench offers as buttons."""
    return [t for t in TRANSITIONS if t.source == status and role in t.roles]


def report(
    actor: Actor,
    at: datetime,
    *,
    source: CaseSource,
    case_id: str | None = None,
    note: str | None = None,
) -> tuple[CaseState, TimelineEvent]:
    """Open a case in the reported state (信息收集): the first line of its timeline."""
    source = CaseSource(source)
    if actor.role not in REPORTERS:
        raise RoleNotAllowed(f"the {actor.role} role cannot report cases")
    if actor.role == Role.CITIZEN and source != CaseSource.CITIZEN:
        raise RoleNotAllowed("citizens report as citizens", field="source")
    at = _when(at)
    data = check_data(frozenset(), {"note": note} if note is not None else {}, action="report")
    state = CaseState(
        status=CaseStatus.REPORTED,
        source=source,
        reporter_id=actor.id,
        case_id=case_id,
        updated_at=at,
    )
    event = TimelineEvent(None, None, CaseStatus.REPORTED, actor.id, actor.role, at, data)
    return state, event


def apply(
    case: CaseState,
    action: Action | str,
    actor: Actor,
    data: Mapping[str, Any] | None,
    at: datetime,
) -> tuple[CaseState, TimelineEvent]:
    """Take one transition: check state, role, department and data; return the new state and
    the timeline event. Nothing changes when a check fails."""
    action = _action(action)
    rule = _BY_KEY.get((case.status, action))
    if rule is None:
        raise TransitionNotAllowed(
            f"cannot {action} a case that is {case.status} "
            f"({label(action)}: 案件当前状态为{label(case.status)})"
        )
    if actor.role not in rule.roles:
        owners = ", ".join(sorted(r.value for r in rule.roles))
        raise RoleNotAllowed(f"the {actor.role} role cannot {action}; {owners} can")
    _check_actor(case, rule, actor)
    at = _when(at)
    if case.updated_at is not None and at < case.updated_at:
        raise OutOfOrder("a transition cannot be dated before the case's last change")
    clean = check_data(rule.requires, data, action=action.value)
    _check_references(case, actor, clean)
    new = _next_state(case, rule, clean, at)
    event = TimelineEvent(
        action,
        case.status,
        new.status,
        actor.id,
        actor.role,
        at,
        MappingProxyType(clean),
        rule.clock,
    )
    return new, event


def _action(value: Action | str) -> Action:
    try:
        return Action(value)
    except ValueError:
        known = ", ".join(a.value for a in Action)
        raise InvalidTransitionData(
            f"unknown transition {value!r}; choose one of {known}", field="action"
        ) from None


def _when(at: datetime) -> datetime:
    try:
        return aware(at)
    except ValueError as exc:
        raise InvalidTransitionData(str(exc), field="at") from None


def _check_actor(case: CaseState, rule: Transition, actor: Actor) -> None:
    if actor.role in _DEPARTMENT_BOUND and (
        actor.department is None or actor.department != case.department
    ):
        raise OutsideDepartment("this case is assigned to another department")
    if actor.role == Role.CITIZEN and actor.id != case.reporter_id:
        raise RoleNotAllowed("only the citizen who reported a case can evaluate it")


def _check_references(case: CaseState, actor: Actor, data: Mapping[str, Any]) -> None:
    if "approved_by" in data and data["approved_by"] == actor.id:
        raise InvalidTransitionData(
            "a suspension must be approved by someone other than the one who suspends",
            field="approved_by",
        )
    if "into" in data and case.case_id is not None and data["into"] == case.case_id:
        raise InvalidTransitionData("a case cannot be merged into itself", field="into")


def _next_state(
    case: CaseState, rule: Transition, data: Mapping[str, Any], at: datetime
) -> CaseState:
    target = rule.target if rule.target is not None else case.suspended_from
    assert target is not None, "a suspended case remembers where it was"
    changes: dict[str, Any] = {
        "status": target,
        "clock": _clocked(case.clock, rule.clock, at),
        "updated_at": at,
    }
    match rule.action:
        case Action.REGISTER:
            changes["category"] = data["category"]
        case Action.DISPATCH:
            changes["department"] = data["department"]
        case Action.RETURN:
            changes["returns"] = case.returns + 1
        case Action.SUSPEND:
            changes["suspended_from"] = case.status
        case Action.RESUME:
            changes["suspended_from"] = None
        case Action.MERGE:
            changes["merged_into"] = data["into"]
        case Action.EVALUATE:
            changes["rating"] = data["rating"]
        case Action.REOPEN:
            changes["reopens"] = case.reopens + 1
    return replace(case, **changes)


def _clocked(clock: DeadlineClock, effect: ClockEffect, at: datetime) -> DeadlineClock:
    match effect:
        case ClockEffect.START:
            return clock.start(at)
        case ClockEffect.PAUSE:
            return clock.pause(at)
        case ClockEffect.RESUME:
            return clock.resume(at)
        case ClockEffect.STOP:
            return clock.stop(at)
    return clock


def workflow_table_markdown(lang: str = "zh") -> str:
    """The transition table as Markdown, drawn from TRANSITIONS itself for the docs."""
    lines = [
        "| transition | from | to | roles | requires | deadline clock |",
        "|---|---|---|---|---|---|",
    ]
    for t in TRANSITIONS:
        target = label(t.target, lang) if t.target else "(state before suspension)"
        roles = ", ".join(f"`{r.value}`" for r in sorted(t.roles))
        needs = ", ".join(f"`{q.value}`" for q in sorted(t.requires)) or "—"
        lines.append(
            f"| {label(t.action, lang)} `{t.action.value}` | {label(t.source, lang)} | {target} "
            f"| {roles} | {needs} | {t.clock.value} |"
        )
    return "\n".join(lines)
