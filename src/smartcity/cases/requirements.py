"""What a transition needs in its data (a reason, evidence, an approval …) and how it is checked."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from smartcity.cases.errors import InvalidTransitionData

MAX_TEXT = 2000
MAX_EVIDENCE = 20


class Requirement(StrEnum):
    REASON = "reason"  # why: reject, return, send back, suspend, reopen
    EVIDENCE = "evidence"  # references to photos or files showing the work done
    APPROVAL = "approved_by"  # who approved a suspension: someone other than the actor
    DEPARTMENT = "department"  # the department code a case is dispatched to
    SURVIVOR = "into"  # the case a duplicate is merged into
    CATEGORY = "category"  # the category code confirmed at registration
    RATING = "rating"  # satisfaction, 1 (very dissatisfied) to 5 (very satisfied)


OPTIONAL = frozenset({"note"})  # any transition may carry a free-text note


def _text(name: str, value: Any, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTransitionData(f"{name} must be non-empty text", field=name)
    if len(value) > limit or "\x00" in value:
        raise InvalidTransitionData(f"{name} must be at most {limit} characters", field=name)
    return value.strip()


def _code(name: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return _text(name, value, 64)


def _evidence(name: str, value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise InvalidTransitionData(
            "evidence must be a non-empty list of photo or file references", field=name
        )
    if len(value) > MAX_EVIDENCE:
        raise InvalidTransitionData(f"at most {MAX_EVIDENCE} evidence items", field=name)
    return [_text(name, item, 500) for item in value]


def _rating(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidTransitionData("rating must be a whole number from 1 to 5", field=name)
    return value


_CHECKS: Mapping[Requirement, Callable[[str, Any], Any]] = {
    Requirement.REASON: _text,
    Requirement.EVIDENCE: _evidence,
    Requirement.APPROVAL: _code,
    Requirement.DEPARTMENT: _code,
    Requirement.SURVIVOR: _code,
    Requirement.CATEGORY: _code,
    Requirement.RATING: _rating,
}


def check_data(
    requires: frozenset[Requirement], data: Mapping[str, Any] | None, *, action: str
) -> dict[str, Any]:
    """The transition's data, checked and cleaned: every requirement present and well-formed,
    nothing unknown (a misspelt field must not pass silently)."""
    data = dict(data or {})
    allowed = {r.value for r in requires} | OPTIONAL
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidTransitionData(
            f"{action} does not take {', '.join(unknown)}; it takes {', '.join(sorted(allowed))}",
            field=unknown[0],
        )
    clean: dict[str, Any] = {}
    for requirement in sorted(requires):
        name = requirement.value
        if data.get(name) is None:
            raise InvalidTransitionData(f"{action} requires {name}", field=name)
        clean[name] = _CHECKS[requirement](name, data[name])
    if data.get("note") is not None:
        clean["note"] = _text("note", data["note"])
    return clean
