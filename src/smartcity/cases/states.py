"""The names of the case workflow: states, transitions, sources and clock effects, in zh and en."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class CaseStatus(StrEnum):
    REPORTED = "reported"
    REGISTERED = "registered"
    REJECTED = "rejected"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    HANDLED = "handled"
    CLOSED = "closed"
    EVALUATED = "evaluated"
    RETURNED = "returned"
    SUSPENDED = "suspended"
    MERGED = "merged"
    REOPENED = "reopened"


class Action(StrEnum):
    REGISTER = "register"
    REJECT = "reject"
    MERGE = "merge"
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    RETURN = "return"
    HANDLE = "handle"
    VERIFY = "verify"
    SEND_BACK = "send_back"
    SUSPEND = "suspend"
    RESUME = "resume"
    EVALUATE = "evaluate"
    REOPEN = "reopen"


class ClockEffect(StrEnum):
    NONE = "none"
    START = "start"  # a new deadline period begins
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"


class CaseSource(StrEnum):
    CITIZEN = "citizen"  # web, app, Open311
    HOTLINE = "hotline"  # 12345
    PATROL = "patrol"  # a supervisor's patrol (监督员巡查)
    SENSOR = "sensor"  # an alert from the rules part
    REFERRAL = "referral"  # another agency's referral


STATUS_LABELS: Mapping[CaseStatus, tuple[str, str]] = MappingProxyType(
    {
        CaseStatus.REPORTED: ("已上报", "Reported"),
        CaseStatus.REGISTERED: ("已立案", "Registered"),
        CaseStatus.REJECTED: ("不予立案", "Rejected"),
        CaseStatus.DISPATCHED: ("已派遣", "Dispatched"),
        CaseStatus.IN_PROGRESS: ("处置中", "In progress"),
        CaseStatus.HANDLED: ("已处理待核查", "Handled, awaiting verification"),
        CaseStatus.CLOSED: ("已结案", "Closed"),
        CaseStatus.EVALUATED: ("已评价", "Evaluated"),
        CaseStatus.RETURNED: ("已退单", "Returned"),
        CaseStatus.SUSPENDED: ("已挂账", "Suspended"),
        CaseStatus.MERGED: ("已合并", "Merged as duplicate"),
        CaseStatus.REOPENED: ("已重新开启", "Reopened"),
    }
)

ACTION_LABELS: Mapping[Action, tuple[str, str]] = MappingProxyType(
    {
        Action.REGISTER: ("立案", "Register"),
        Action.REJECT: ("不予立案", "Reject"),
        Action.MERGE: ("合并重复案件", "Merge as duplicate"),
        Action.DISPATCH: ("派遣", "Dispatch"),
        Action.ACCEPT: ("签收", "Accept"),
        Action.RETURN: ("退单", "Return to dispatch"),
        Action.HANDLE: ("处理反馈", "Report as handled"),
        Action.VERIFY: ("核查通过并结案", "Verify and close"),
        Action.SEND_BACK: ("核查不通过退回", "Send back to the department"),
        Action.SUSPEND: ("挂账", "Suspend"),
        Action.RESUME: ("解除挂账", "Resume"),
        Action.EVALUATE: ("评价", "Evaluate"),
        Action.REOPEN: ("重新开启", "Reopen"),
    }
)

SOURCE_LABELS: Mapping[CaseSource, tuple[str, str]] = MappingProxyType(
    {
        CaseSource.CITIZEN: ("市民上报", "Citizen report"),
        CaseSource.HOTLINE: ("12345热线", "12345 hotline"),
        CaseSource.PATROL: ("监督员巡查", "Supervisor patrol"),
        CaseSource.SENSOR: ("感知告警", "Sensor alert"),
        CaseSource.REFERRAL: ("部门转办", "Referral"),
    }
)


def label(value: CaseStatus | Action | CaseSource, lang: str = "zh") -> str:
    """The Chinese (default) or English name of a state, transition or source."""
    table: Mapping[Any, tuple[str, str]] = (
        STATUS_LABELS
        if isinstance(value, CaseStatus)
        else ACTION_LABELS
        if isinstance(value, Action)
        else SOURCE_LABELS
    )
    zh, en = table[value]
    return en if lang == "en" else zh
