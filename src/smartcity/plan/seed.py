"""The programme's seed data (`data/lived.json`, taken from the 2014 press release kept beside
it) and how its figures are read: each figure is kept as the seed writes it ("突破 20 万个",
"1.06万亿元") and its value is read from those words, so a test can hold one against the other.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from smartcity.plan.units import UNITS

PROJECT_STATUSES = ("planned", "on_track", "at_risk", "late", "done")
MILESTONE_STATUSES = ("planned", "on_track", "at_risk", "late", "done")
COMPARATORS = ("equal", "about", "over", "basically")

_MULTIPLIERS = {"万亿": 1e12, "亿": 1e8, "万": 1e4}
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(多)?\s*(万亿|亿|万)?")
# Words that qualify a figure: "about", "over" and "basically (the whole)".
_QUALIFIERS = (("突破", "over"), ("超过", "over"), ("约", "about"))
# Coverage targets the seed states in words, not digits: "basically all" is read as 100 %.
_WHOLE = {"基本涵盖全体市民": 100.0, "基本覆盖全市": 100.0}


@dataclass(frozen=True)
class Quantity:
    value: float  # in the indicator's unit
    comparator: str


def read_quantity(text: str, unit: str) -> Quantity:
    """The value and comparator of a figure as the seed writes it, in the given unit."""
    if text in _WHOLE:
        return Quantity(_WHOLE[text], "basically")
    found = _NUMBER.search(text)
    if found is None:
        raise ValueError(f"no figure in {text!r}")
    number, more, multiplier = found.groups()
    value = float(number) * _MULTIPLIERS.get(multiplier or "", 1.0) / UNITS[unit].scale
    comparator = "over" if more else "equal"
    for word, meaning in _QUALIFIERS:
        if word in text:
            comparator = meaning
    return Quantity(round(value, 6), comparator)


def read_multiple(text: str) -> float:
    """The factor of a comparison such as "6.7倍" or "增长4倍"."""
    found = _NUMBER.search(text)
    if found is None:
        raise ValueError(f"no factor in {text!r}")
    return float(found.group(1))


def _data() -> Any:
    return resources.files("smartcity.plan") / "data"


@cache
def seed_data() -> dict[str, Any]:
    """The programme as shipped: pillars with their projects, milestones, safeguards, indicators."""
    return json.loads((_data() / "lived.json").read_text(encoding="utf-8"))


@cache
def seed_text() -> str:
    """The press release the programme data is taken from, verbatim."""
    return (_data() / "seed_press_release.md").read_text(encoding="utf-8")


def project_code(pillar: str, position: int) -> str:
    return f"{pillar}-{position}"
