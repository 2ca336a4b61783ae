"""What each kind of device measures at a moment: values in its Smart Data Model's attributes
and units, with daily and weekly patterns, the season, and the weather's episodes.

Patterns are Shanghai's (local time, UTC+8, no daylight saving): PM2.5 higher in winter, with a
morning and a late-evening peak as the boundary layer is low, washed out by rain; ozone peaking
in summer afternoons; traffic with weekday peaks near 08:00 and 18:00; noise ~9 dB quieter at
night (22:00–06:00, GB 3096's night); streetlights on from dusk to dawn (day length from 10.1 h
in winter to 14.2 h in summer), dimmed after 23:00; water pressure dipping with morning and
evening demand; drainage pressure and manhole water rising with rain.

Each function takes the device's own constants (`trait(n)`, in [0, 1)), the moment, and the
noise of this device at this instant, and returns the readings as the model names them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smartcity.simulate.draws import Draws

HOUR = 3_600.0
DAY = 86_400.0
LOCAL_OFFSET = 8 * HOUR  # Asia/Shanghai


@dataclass(frozen=True, slots=True)
class Moment:
    """A simulated instant as the city lives it, over one district."""

    t: float  # epoch seconds
    hour: float  # local hour of day, 0–24
    weekday: int  # 0 = Monday
    season: float  # +1 in mid-January, -1 in mid-July
    pollution: float  # µg/m³ of PM2.5 an episode adds here now
    rain: float  # mm/h

    @property
    def weekend(self) -> bool:
        return self.weekday >= 5


def local_time(t: float) -> tuple[float, int, float]:
    """(local hour, weekday, season) of an epoch time."""
    local = t + LOCAL_OFFSET
    hour = (local % DAY) / HOUR
    weekday = (int(local // DAY) + 3) % 7  # 1970-01-01 was a Thursday
    season = math.cos(2 * math.pi * ((t / DAY) % 365.2425 - 15) / 365.2425)
    return hour, weekday, season


Trait = Callable[[int], float]
Signal = Callable[[Trait, Moment, Draws], dict[str, Any]]


def bump(hour: float, centre: float, width: float) -> float:
    """A bell of height 1 around `centre` o'clock."""
    return math.exp(-(((hour - centre) / width) ** 2) / 2)


def diurnal(hour: float, peak: float) -> float:
    """A day-long sine, +1 at `peak` o'clock and -1 twelve hours later."""
    return math.cos(2 * math.pi * (hour - peak) / 24)


def clip(value: float, low: float, high: float = math.inf) -> float:
    return min(max(value, low), high)


def traffic_demand(m: Moment) -> float:
    """The share of a road's capacity in use: weekday rush hours, a flatter weekend."""
    h = m.hour
    if m.weekend:
        return 0.08 + 0.62 * bump(h, 14.5, 4.0)
    return 0.08 + 0.92 * max(bump(h, 8.0, 1.3), 0.95 * bump(h, 18.0, 1.6), 0.6 * bump(h, 13, 3))


def is_dark(m: Moment) -> bool:
    day_length = 12.15 - 2.05 * m.season
    sunrise, sunset = 11.9 - day_length / 2, 11.9 + day_length / 2
    return m.hour < sunrise + 0.25 or m.hour > sunset - 0.25 or m.rain > 40


def air(trait: Trait, m: Moment, n: Draws) -> dict[str, Any]:
    washout = 1 / (1 + m.rain / 10)
    weekly = 1.05 if not m.weekend else 0.92
    background = (22 + 20 * trait(0)) * (1 + 0.35 * m.season) * weekly
    pm25 = background * (1 + 0.18 * math.cos(2 * math.pi * (m.hour - 9) / 12)) + m.pollution
    pm25 = clip(pm25 * washout + 3 * n.normal(0), 1)
    demand = traffic_demand(m)
    sunny = max(0.0, math.sin(math.pi * (m.hour - 8) / 12)) if 8 <= m.hour <= 20 else 0.0
    return {
        "pm25": round(pm25, 1),
        "pm10": round(clip(pm25 * (1.5 + 0.2 * trait(1)) + 4 * n.normal(1), 1), 1),
        "no2": round(
            clip(
                (25 + 25 * demand) * (1 + 0.3 * m.season) + 0.3 * m.pollution + 5 * n.normal(2), 1
            ),
            1,
        ),
        "o3": round(clip(45 + 90 * sunny * (1 - 0.5 * m.season) + 8 * n.normal(3), 1), 1),
        "so2": round(clip(7 + 2 * n.normal(4), 1), 1),
        "co": round(
            clip(0.55 + 0.15 * m.season + 0.004 * m.pollution + 0.05 * n.normal(5), 0.1), 2
        ),
        "temperature": round(17 - 11 * m.season + 4 * diurnal(m.hour, 14) + 0.5 * n.normal(6), 1),
        "relativeHumidity": round(
            clip(
                0.72 - 0.12 * diurnal(m.hour, 14) + (0.15 if m.rain else 0) + 0.03 * n.normal(7),
                0.2,
                1,
            ),
            2,
        ),
    }


def water(trait: Trait, m: Moment, n: Draws) -> dict[str, Any]:
    return {
        "temperature": round(18 - 10 * m.season + 0.8 * diurnal(m.hour, 15) + 0.2 * n.normal(0), 1),
        "pH": round(
            clip(7.4 + 0.6 * (trait(0) - 0.5) - 0.004 * m.rain + 0.05 * n.normal(1), 0, 14), 2
        ),
        "O2": round(
            clip(
                7.5 + 2 * m.season + 0.8 * diurnal(m.hour, 15) - 0.03 * m.rain + 0.3 * n.normal(2),
                0,
            ),
            2,
        ),
        "turbidity": round(clip(15 + 20 * trait(1) + 0.8 * m.rain + 2 * n.normal(3), 0), 1),
        "conductivity": round(clip(600 + 300 * trait(2) - 3 * m.rain + 20 * n.normal(4), 0), 0),
        "NH4": round(clip(0.5 + trait(3) + 0.01 * m.rain + 0.05 * n.normal(5), 0), 2),
    }


def noise(trait: Trait, m: Moment, n: Draws) -> dict[str, Any]:
    level = 55 + 12 * trait(0)  # a quiet mixed area … the kerb of a trunk road
    if m.hour >= 22 or m.hour < 6:
        level -= 9
    elif not m.weekend and (7 <= m.hour < 9 or 17 <= m.hour < 19):
        level += 2
    elif m.weekend:
        level -= 1.5
    level += 2 * min(1.0, m.rain / 20) + 1.5 * n.normal(0)
    return {"LAeq": round(level, 1), "LAmax": round(level + 8 + 6 * n.unit(1), 1)}


def streetlight(trait: Trait, m: Moment, n: Draws) -> dict[str, Any]:
    rating = 100 + 10 * int(10 * trait(0))  # LED lanterns of 100–190 W
    if not is_dark(m):
        return {
            "powerState": "off",
            "illuminanceLevel": 0.0,
            "powerConsumption": 0.5,
            "status": "ok",
        }
    level = 0.6 if m.hour >= 23 or m.hour < 5 else 1.0  # dimmed in the small hours
    power = rating * level * (1 + 0.02 * n.normal(0))
    return {
        "powerState": "on",
        "illuminanceLevel": level,
        "powerConsumption": round(power, 1),
        "status": "ok",
    }


def traffic(trait: Trait, m: Moment, n: Draws) -> dict[str, Any]:
    capacity = 20 + 20 * trait(0)  # vehicles a minute on the counted lane
    demand = traffic_demand(m)
    occupancy = clip(0.04 + 0.5 * demand**2 + 0.02 * n.normal(1), 0, 0.95)
    free_flow = 60 - 20 * trait(1)
    speed = free_flow * (1 - 0.7 * demand**2) * (1 - 0.2 * min(1.0, m.rain / 30))
    return {
        "intensity": round(clip(capacity * demand * (1 + 0.1 * n.normal(0)), 0)),
        "occupancy": round(occupancy, 3),
        "averageVehicleSpeed": round(clip(speed + 2 * n.normal(2), 3), 1),
        "congested": occupancy > 0.35,
        "laneDirection": "forward",
    }


def smoke(trait: Trait, m: Moment, n: Draws) -> dict[str, Any]:
    cooking = 0.04 * max(bump(m.hour, 11.5, 0.7), bump(m.hour, 18.3, 0.8))
    return {
        "smoke": round(clip(0.02 + cooking * trait(0) + 0.01 * abs(n.normal(0)), 0), 3),
        "temperature": round(22 - 4 * m.season + 1.5 * diurnal(m.hour, 16) + 0.3 * n.normal(1), 1),
    }


def manhole(trait: Trait, m: Moment, n: Draws) -> dict[str, Any]:
    return {
        "motion": round(0.4 * abs(n.normal(0)), 2),  # tilt of the cover in degrees
        "waterLevel": round(clip(0.3 + 0.4 * trait(0) + 0.035 * m.rain + 0.02 * n.normal(1), 0), 2),
    }


def pipe(trait: Trait, m: Moment, n: Draws) -> dict[str, Any]:
    if trait(0) < 0.3:  # a drainage main: no pressure until the rain surcharges it
        pressure = 20 * trait(1) + 9 * m.rain + 5 * n.normal(0)
    else:  # the water-supply network, 0.28–0.33 MPa, dipping with demand
        dips = bump(m.hour, 7.5, 1.2) + 0.8 * bump(m.hour, 19, 1.5)
        night = 150 if 1 <= m.hour < 5 else 0
        pressure = 2800 + 500 * trait(1) - 350 * dips + night + 15 * n.normal(0)
    return {"pressure": round(clip(pressure, 0), 1)}


def wifi(trait: Trait, m: Moment, n: Draws) -> dict[str, Any]:
    busy = max(bump(m.hour, 12.5, 1.5), bump(m.hour, 20, 2.5)) * (1.1 if m.weekend else 1.0)
    share = 0.05 + 0.6 * busy * (0.6 + 0.6 * trait(0)) + 0.05 * n.normal(0)
    return {"occupancy": round(clip(share, 0, 1), 3)}


def parking(trait: Trait, m: Moment, n: Draws) -> dict[str, Any]:
    night = m.hour >= 19 or m.hour < 7
    if trait(0) < 0.5:  # a residential street: full at night
        chance = 0.85 if night else 0.45
    else:  # a commercial street: full in business hours
        chance = 0.15 if night else (0.85 if 10 <= m.hour < 18 else 0.5)
    return {"status": "occupied" if n.unit(0) < chance else "free"}
