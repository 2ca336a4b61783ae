"""Weather-driven episodes over several neighbouring districts: pollution episodes (regional haze,
mostly in winter, one to three days) and rainstorms (mostly in the plum-rain and typhoon months,
a few hours). Each day's episodes are a pure function of (seed, day).

Defaults follow Shanghai's recent record: about 20 days a year with a PM2.5 daily mean above the
GB 3095 grade II limit, and about 10 rainstorm days (≥ 50 mm in a day), June to September.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

from smartcity.geo.layout import read_district_facts
from smartcity.simulate.draws import unit

DAY = 86_400.0
HOUR = 3_600.0
POLLUTION, RAINSTORM = "pollution", "rainstorm"
_KIND_KEYS = {POLLUTION: 101, RAINSTORM: 202}
# (shortest, longest) duration in hours, districts covered, peak strength range.
_SHAPES = {
    POLLUTION: ((24.0, 60.0), (3, 6), (70.0, 130.0)),  # µg/m³ added to PM2.5
    RAINSTORM: ((2.0, 6.0), (2, 4), (25.0, 70.0)),  # rain, mm/h
}


@dataclass(frozen=True)
class Episode:
    kind: str  # "pollution" or "rainstorm"
    start: float  # epoch seconds
    end: float
    districts: frozenset[str]
    peak: float  # µg/m³ of PM2.5 added, or mm/h of rain, at full strength

    def strength(self, t: float) -> float:
        """0 outside the episode, rising to 1 and falling back (a quarter of it each way)."""
        if not self.start <= t < self.end:
            return 0.0
        ramp = (self.end - self.start) / 4
        return min(1.0, (t - self.start) / ramp, (self.end - t) / ramp)

    def describe(self) -> str:
        start = datetime.fromtimestamp(self.start, UTC).strftime("%m-%d %H:%M")
        hours = (self.end - self.start) / HOUR
        return f"{self.kind} {start}Z {hours:.0f} h over {', '.join(sorted(self.districts))}"


def _season(t: float) -> float:
    """+1 in mid-January, -1 in mid-July."""
    return math.cos(2 * math.pi * ((t / DAY) % 365.2425 - 15) / 365.2425)


@dataclass
class Weather:
    """Episodes over a city's districts; `per_year` scales how often each kind happens."""

    seed: int
    districts: tuple[str, ...]
    pollution_per_year: float = 20.0
    storms_per_year: float = 10.0
    _days: dict[int, tuple[Episode, ...]] = field(default_factory=dict, repr=False)
    _neighbours: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _hours: dict[int, list[Episode]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        seats = {f.code: (f.seat_lon, f.seat_lat) for f in read_district_facts()}
        codes = sorted(self.districts)
        for n, code in enumerate(codes):
            if code in seats:
                x, y = seats[code]
                distance = {c: math.dist((x, y), seats[c]) if c in seats else 99.0 for c in codes}
            else:  # an imported city: neighbours by code
                distance = {c: abs(i - n) for i, c in enumerate(codes)}
            self._neighbours[code] = sorted(codes, key=lambda c: (distance[c], c))

    def _chance(self, kind: str, day: int) -> float:
        season = _season(day * DAY + DAY / 2)
        if kind == POLLUTION:  # twice as likely in winter as on average, rare in summer
            return self.pollution_per_year / 365.0 * (1 + 0.9 * season)
        summer = max(0.0, -season) ** 2  # June to September
        return self.storms_per_year / 365.0 * 3.4 * summer

    def on_day(self, day: int) -> tuple[Episode, ...]:
        """The episodes that start on this UTC day (days since 1970-01-01)."""
        found = self._days.get(day)
        if found is not None:
            return found
        episodes = []
        for kind, key in _KIND_KEYS.items():
            if not self.districts or unit(self.seed, key, day) >= self._chance(kind, day):
                continue
            (short, long), (few, many), (low, high) = _SHAPES[kind]

            def draw(n: int, k: int = key) -> float:
                return unit(self.seed, k, day, n)

            start = day * DAY + draw(1) * DAY
            hours = short + draw(2) * (long - short)
            centre = sorted(self.districts)[int(draw(3) * len(self.districts))]
            size = min(len(self.districts), few + int(draw(4) * (many - few + 1)))
            covered = frozenset(self._neighbours[centre][:size])
            peak = low + draw(5) * (high - low)
            episodes.append(Episode(kind, start, start + hours * HOUR, covered, peak))
        if len(self._days) > 4096:
            self._days.clear()
        self._days[day] = tuple(episodes)
        return self._days[day]

    def between(self, start: float, end: float) -> list[Episode]:
        """Every episode active at some time in [start, end)."""
        first = math.floor(start / DAY) - 3  # the longest episode lasts under three days
        found = []
        for day in range(first, math.floor(end / DAY) + 1):
            found.extend(e for e in self.on_day(day) if e.start < end and e.end > start)
        return found

    def active(self, t: float) -> list[Episode]:
        """The episodes going on at `t` (looked up by the hour: readings ask a lot)."""
        hour = int(t // HOUR)
        near = self._hours.get(hour)
        if near is None:
            if len(self._hours) > 4096:
                self._hours.clear()
            near = self._hours[hour] = self.between(hour * HOUR, (hour + 1) * HOUR)
        return [e for e in near if e.start <= t < e.end]

    def pollution(self, t: float, district: str) -> float:
        """µg/m³ of PM2.5 an episode adds over the district now."""
        return sum(
            e.peak * e.strength(t)
            for e in self.active(t)
            if e.kind == POLLUTION and district in e.districts
        )

    def rain(self, t: float, district: str) -> float:
        """Rain in mm/h over the district now."""
        return sum(
            e.peak * e.strength(t)
            for e in self.active(t)
            if e.kind == RAINSTORM and district in e.districts
        )
