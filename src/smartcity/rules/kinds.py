"""How each kind of rule judges one device's readings, one at a time in time order, with the
state it keeps between batches (a plain JSON dict, stored in `rule_states`).

A judge returns a `Verdict` when something happened: `fire` (the condition holds: raise an
alert, or count a repeated firing of the active one) or `clear` (the condition went away). Times
are epoch seconds in the state, to keep it small.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

MAX_POINTS = 120  # rate of change: points kept per device
BUCKETS = 24  # window aggregates: buckets per window
MAX_Z = 1e6  # a z-score against a flat history is capped, not infinite (JSON has no Infinity)
MAD_SCALE = 0.6745  # makes the MAD of a normal distribution comparable to its deviation


@dataclass(slots=True)
class Verdict:
    fire: bool
    value: float  # what was compared: the reading, its window aggregate, a rate or a z-score
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def clear(self) -> bool:
        return not self.fire


Judge = Callable[[dict[str, Any], float, float], Verdict | None]


Crossing = Callable[[dict[str, Any], float], bool | None]


def hysteresis(params: dict[str, Any], *, above: bool) -> Crossing:
    """Hysteresis: True when `x` is past the raise level, False when an active condition has
    come back past the clear level, None when nothing changes."""
    raise_at, clear_at = params["raise_at"], params["clear_at"]

    def crossed(state: dict[str, Any], x: float) -> bool | None:
        if (x > raise_at) if above else (x < raise_at):
            state["active"] = True
            return True
        if state.get("active") and ((x <= clear_at) if above else (x >= clear_at)):
            state["active"] = False
            return False
        return None

    return crossed


def _verdict(crossed: bool | None, x: float, detail: dict[str, Any]) -> Verdict | None:
    return None if crossed is None else Verdict(crossed, x, detail)


def _in_hours(params: dict[str, Any], t: float) -> bool:
    hours = params.get("active_hours")
    if not hours:
        return True
    zone = ZoneInfo(hours.get("timezone", "Asia/Shanghai"))
    local = datetime.fromtimestamp(t, zone).time()
    start, end = time.fromisoformat(hours["start"]), time.fromisoformat(hours["end"])
    return start <= local < end if start < end else (local >= start or local < end)


def _window_aggregate(params: dict[str, Any], state: dict[str, Any], x: float, t: float) -> float:
    """The aggregate over the window (mean, or `leq`: the energy mean of levels in dB), kept
    as BUCKETS time buckets of (start, sum, count)."""
    window = params["window_minutes"] * 60.0
    size = window / BUCKETS
    energy = params.get("aggregate", "mean") == "leq"
    amount = 10 ** (x / 10) if energy else x
    start = math.floor(t / size) * size
    buckets: list[list[float]] = state.setdefault("b", [])
    for bucket in buckets:
        if bucket[0] == start:
            bucket[1] += amount
            bucket[2] += 1
            break
    else:
        buckets.append([start, amount, 1])
        buckets.sort(key=lambda b: b[0])
    newest = buckets[-1][0]
    state["b"] = buckets = [b for b in buckets if b[0] > newest - window]
    total = sum(b[1] for b in buckets)
    count = sum(b[2] for b in buckets)
    mean = total / count
    return 10 * math.log10(mean) if energy and mean > 0 else mean


def threshold(params: dict[str, Any]) -> Judge:
    hours = params.get("active_hours")
    window = params.get("window_minutes")
    crossed = hysteresis(params, above=params.get("direction", "above") == "above")
    detail = {"aggregate": params.get("aggregate", "mean"), "window_minutes": window}

    def judge(state: dict[str, Any], x: float, t: float) -> Verdict | None:
        if hours and not _in_hours(params, t):  # its hours over, an active condition ends
            if state.get("active"):
                state["active"] = False
                return Verdict(False, x, {"reason": "outside_hours"})
            return None
        if window:
            x = _window_aggregate(params, state, x, t)
        found = crossed(state, x)
        return None if found is None else Verdict(found, x, dict(detail) if window else {})

    return judge


def rate_of_change(params: dict[str, Any]) -> Judge:
    window = params["window_minutes"] * 60.0
    direction = params.get("direction", "either")
    crossed = hysteresis(params, above=True)

    def judge(state: dict[str, Any], x: float, t: float) -> Verdict | None:
        points: list[list[float]] = state.setdefault("p", [])
        if points and t <= points[-1][0]:
            return None  # late or repeated: the rate is measured forward only
        points.append([t, x])
        kept = [p for p in points if p[0] >= t - window][-MAX_POINTS:]
        state["p"] = kept
        t0, x0 = kept[0]
        if t - t0 < 60:
            return None  # under a minute apart says nothing per minute
        rate = (x - x0) / ((t - t0) / 60)
        signed = {"rise": rate, "fall": -rate}.get(direction, abs(rate))
        detail = {"rate_per_minute": round(rate, 6), "window_minutes": params["window_minutes"]}
        return _verdict(crossed(state, signed), signed, detail)

    return judge


def _ewma(params: dict[str, Any], state: dict[str, Any], x: float) -> float | None:
    alpha = params.get("alpha", 0.1)
    n, mean, var = state.get("n", 0), state.get("m", x), state.get("v", 0.0)
    z = None
    if n >= params.get("min_samples", 10) and var > 0:
        z = (x - mean) / math.sqrt(var)
    diff = x - mean
    increment = alpha * diff
    state["m"], state["v"], state["n"] = (
        mean + increment,
        (1 - alpha) * (var + diff * increment),
        n + 1,
    )
    return z


def _robust_z(params: dict[str, Any], state: dict[str, Any], x: float) -> float | None:
    history: list[float] = state.setdefault("w", [])
    z = None
    if len(history) >= params.get("min_samples", 10):
        center = median(history)
        mad = median([abs(h - center) for h in history])
        if mad > 0:
            z = MAD_SCALE * (x - center) / mad
        else:
            z = 0.0 if x == center else math.copysign(MAX_Z, x - center)
    history.append(x)
    del history[: -params.get("window", 60)]
    return z


def anomaly(params: dict[str, Any]) -> Judge:
    method = params.get("method", "robust_z")
    score = _ewma if method == "ewma" else _robust_z
    crossed = hysteresis(params, above=True)

    def judge(state: dict[str, Any], x: float, t: float) -> Verdict | None:
        z = score(params, state, x)
        if z is None:
            return None
        z = max(-MAX_Z, min(MAX_Z, z))
        detail = {"method": method, "z": round(z, 4), "reading": x}
        return _verdict(crossed(state, abs(z)), abs(z), detail)

    return judge


JUDGES: dict[str, Callable[[dict[str, Any]], Judge]] = {
    "threshold": threshold,
    "rate_of_change": rate_of_change,
    "anomaly": anomaly,
}


def keeps_state_every_reading(kind: str, params: dict[str, Any]) -> bool:
    """Whether a judge changes its state on every reading (else only when it fires or clears)."""
    return kind != "threshold" or bool(params.get("window_minutes"))
