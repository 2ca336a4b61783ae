"""What each kind of rule is given (`params`), checked before it is stored: numbers finite, the
hysteresis the right way round, thresholds the attribute can reach, windows of sensible size.
Every refusal names the member at fault (`params.clear_at` …)."""

from __future__ import annotations

import math
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smartcity.core.errors import ValidationFailed

MAX_WINDOW_MINUTES = 7 * 24 * 60
ALLOWED: dict[str, set[str]] = {
    "threshold": {
        "direction",
        "raise_at",
        "clear_at",
        "window_minutes",
        "aggregate",
        "active_hours",
    },
    "rate_of_change": {"direction", "raise_at", "clear_at", "window_minutes"},
    "silence": {"minutes"},
    "anomaly": {"method", "raise_at", "clear_at", "alpha", "window", "min_samples"},
}


def _fail(member: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"params.{member}: {message}", field=f"params.{member}")


def _number(params: dict[str, Any], member: str, default: float | None = None) -> float:
    value = params.get(member, default)
    if value is None:
        raise _fail(member, "is required")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(member, "must be a finite number")
    return float(value)


def _choice(params: dict[str, Any], member: str, choices: tuple[str, ...]) -> str:
    value = params.get(member, choices[0])
    if value not in choices:
        raise _fail(member, f"must be one of {', '.join(choices)}")
    return str(value)


def _positive_int(params: dict[str, Any], member: str, low: int, high: int, default: int) -> int:
    value = params.get(member, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(member, f"must be a whole number from {low} to {high}")
    return value


def _hours(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) - {"start", "end", "timezone"}:
        raise _fail("active_hours", "must be {start, end, timezone?} with times as HH:MM")
    try:
        start, end = time.fromisoformat(value["start"]), time.fromisoformat(value["end"])
        zone = str(value.get("timezone", "Asia/Shanghai"))
        ZoneInfo(zone)
    except (KeyError, TypeError, ValueError, ZoneInfoNotFoundError):
        raise _fail("active_hours", "must be {start, end, timezone?} with times as HH:MM") from None
    if start == end:
        raise _fail("active_hours", "start and end must differ")
    return {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"), "timezone": zone}


def _levels(params: dict[str, Any], above: bool, *, positive: bool = False) -> dict[str, float]:
    raise_at = _number(params, "raise_at")
    clear_at = _number(params, "clear_at", raise_at)
    if positive and raise_at <= 0:
        raise _fail("raise_at", "must be above 0")
    if positive and clear_at < 0:
        raise _fail("clear_at", "must not be below 0")
    if above and clear_at > raise_at:
        raise _fail(
            "clear_at", "must not be above raise_at (the hysteresis is the wrong way round)"
        )
    if not above and clear_at < raise_at:
        raise _fail(
            "clear_at", "must not be below raise_at (the hysteresis is the wrong way round)"
        )
    return {"raise_at": raise_at, "clear_at": clear_at}


def _reachable(levels: dict[str, float], above: bool, bounds: tuple[float | None, float | None]):
    """A threshold the attribute can never pass (by its model's schema) is refused."""
    low, high = bounds
    raise_at = levels["raise_at"]
    if above and high is not None and raise_at >= high:
        raise _fail("raise_at", f"the attribute never exceeds {high:g}: the rule could never fire")
    if not above and low is not None and raise_at <= low:
        raise _fail(
            "raise_at", f"the attribute never falls below {low:g}: the rule could never fire"
        )


def _threshold(params: dict[str, Any], bounds: tuple[float | None, float | None]) -> dict[str, Any]:
    direction = _choice(params, "direction", ("above", "below"))
    levels = _levels(params, direction == "above")
    _reachable(levels, direction == "above", bounds)
    checked: dict[str, Any] = {"direction": direction, **levels}
    if params.get("window_minutes") is not None:
        checked["window_minutes"] = _positive_int(
            params, "window_minutes", 1, MAX_WINDOW_MINUTES, 0
        )
        checked["aggregate"] = _choice(params, "aggregate", ("mean", "leq"))
    elif "aggregate" in params:
        raise _fail("aggregate", "needs window_minutes")
    if params.get("active_hours") is not None:
        checked["active_hours"] = _hours(params["active_hours"])
    return checked


def _rate(params: dict[str, Any]) -> dict[str, Any]:
    direction = _choice(params, "direction", ("either", "rise", "fall"))
    window = _positive_int(params, "window_minutes", 2, MAX_WINDOW_MINUTES, 10)
    return {
        "direction": direction,
        "window_minutes": window,
        **_levels(params, True, positive=True),
    }


def _anomaly(params: dict[str, Any]) -> dict[str, Any]:
    method = _choice(params, "method", ("robust_z", "ewma"))
    checked: dict[str, Any] = {"method": method, **_levels(params, True, positive=True)}
    checked["min_samples"] = _positive_int(params, "min_samples", 5, 1000, 10)
    if method == "ewma":
        alpha = _number(params, "alpha", 0.1)
        if not 0 < alpha < 1:
            raise _fail("alpha", "must be between 0 and 1 (exclusive)")
        checked["alpha"] = alpha
    else:
        checked["window"] = _positive_int(params, "window", 10, 500, 60)
        if checked["min_samples"] > checked["window"]:
            raise _fail("min_samples", "must not exceed window")
    return checked


def check_params(
    kind: str, params: dict[str, Any], bounds: tuple[float | None, float | None] = (None, None)
) -> dict[str, Any]:
    """The params in their stored form (defaults filled in), or a 422 naming the member."""
    unknown = sorted(set(params) - ALLOWED[kind])
    if unknown:
        raise _fail(unknown[0], f"is not a parameter of a {kind} rule")
    if kind == "threshold":
        return _threshold(params, bounds)
    if kind == "rate_of_change":
        return _rate(params)
    if kind == "anomaly":
        return _anomaly(params)
    return {"minutes": _positive_int(params, "minutes", 1, MAX_WINDOW_MINUTES, 0)}
