"""Default rules for a city, after China's standards:

- GB 3095-2012 环境空气质量标准 (Ambient air quality standards), table 1, grade II (二级, the
  limits for residential, commercial, mixed and industrial areas): 24-hour means PM2.5 75 µg/m³,
  PM10 150 µg/m³, NO2 80 µg/m³, SO2 150 µg/m³, CO 4 mg/m³; O3 maximum 8-hour mean 160 µg/m³.
- GB 3096-2008 声环境质量标准 (Environmental quality standard for noise), table 1, equivalent
  sound level LAeq in dB(A) by zone class, day (昼间 06:00–22:00) / night (夜间 22:00–06:00):
  class 0 50/40, class 1 55/45, class 2 60/50, class 3 65/55, class 4a 70/55, class 4b 70/60.

Alerts open cases (see rules/cases.py) in the shipped categories (cases/data/categories.json):
air → H0601 大气污染 (air pollution); noise → H0204 工业噪声 (industrial noise) in class 3 zones
and H0202 商业噪声 (commercial noise) elsewhere, the usual source in mixed and residential areas.

Each limit raises when the window mean goes above it and clears at 90 % of it (the hysteresis
keeps an alert from flapping around the limit). Noise is judged on its hourly energy mean (Leq).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.platform import Platform
from smartcity.rules import service
from smartcity.rules.models import Rule
from smartcity.rules.schemas import RuleIn
from smartcity.security.principal import Principal

GB3095 = "GB 3095-2012 二级 (grade II)"
GB3096 = "GB 3096-2008"
CLEAR_FRACTION = 0.9
DAY = {"start": "06:00", "end": "22:00", "timezone": "Asia/Shanghai"}
NIGHT = {"start": "22:00", "end": "06:00", "timezone": "Asia/Shanghai"}

# (attribute, limit, window in minutes, 中文, English, severity)
AIR_LIMITS: tuple[tuple[str, float, int, str, str, str], ...] = (
    ("pm25", 75, 1440, "PM2.5 24小时平均超标", "PM2.5 24-hour mean above limit", "high"),
    ("pm10", 150, 1440, "PM10 24小时平均超标", "PM10 24-hour mean above limit", "high"),
    ("no2", 80, 1440, "二氧化氮 24小时平均超标", "NO2 24-hour mean above limit", "medium"),
    ("so2", 150, 1440, "二氧化硫 24小时平均超标", "SO2 24-hour mean above limit", "medium"),
    ("o3", 160, 480, "臭氧 8小时平均超标", "O3 8-hour mean above limit", "medium"),
    ("co", 4, 1440, "一氧化碳 24小时平均超标", "CO 24-hour mean above limit", "high"),
)
# zone class → (day limit, night limit) in dB(A)
NOISE_LIMITS: dict[str, tuple[float, float]] = {
    "0": (50, 40),
    "1": (55, 45),
    "2": (60, 50),
    "3": (65, 55),
    "4a": (70, 55),
    "4b": (70, 60),
}
ZONE_NAMES = {
    "0": ("0类 康复疗养区", "class 0 (convalescence)"),
    "1": ("1类 居住文教区", "class 1 (residential, cultural, educational)"),
    "2": ("2类 混合区", "class 2 (mixed residential and commercial)"),
    "3": ("3类 工业物流区", "class 3 (industrial, logistics)"),
    "4a": ("4a类 交通干线两侧", "class 4a (along trunk roads)"),
    "4b": ("4b类 铁路干线两侧", "class 4b (along railways)"),
}
AIR_CASE_CATEGORY = "H0601"
NOISE_CASE_CATEGORIES = {"3": "H0204"}  # zone class → case category; others below
NOISE_CASE_CATEGORY = "H0202"
Area = tuple[str, str | None]  # (level, code): ("city", None), ("district", "310101") …


def air_rules() -> list[dict[str, Any]]:
    rules = []
    for attribute, limit, window, zh, en, severity in AIR_LIMITS:
        rules.append(
            {
                "name_zh": zh,
                "name_en": en,
                "kind": "threshold",
                "entity_type": "AirQualityObserved",
                "attribute": attribute,
                "params": {
                    "direction": "above",
                    "raise_at": limit,
                    "clear_at": round(limit * CLEAR_FRACTION, 3),
                    "window_minutes": window,
                    "aggregate": "mean",
                },
                "severity": severity,
                "case_category": AIR_CASE_CATEGORY,
                "source": f"{GB3095}, {'8-hour' if window == 480 else '24-hour'} limit {limit:g}",
            }
        )
    return rules


def noise_rules(zones: dict[str, list[Area]]) -> list[dict[str, Any]]:
    """Day and night limits of each zone class, for each area given that class."""
    rules = []
    for zone, areas in zones.items():
        day, night = NOISE_LIMITS[zone]
        zone_zh, zone_en = ZONE_NAMES[zone]
        for level, code in areas:
            periods = ((day, DAY, "昼间", "day"), (night, NIGHT, "夜间", "night"))
            for limit, hours, when_zh, when_en in periods:
                rules.append(
                    {
                        "name_zh": f"{zone_zh}{when_zh}噪声超标",
                        "name_en": f"Noise above the {when_en} limit of {zone_en}",
                        "kind": "threshold",
                        "entity_type": "NoiseLevelObserved",
                        "attribute": "LAeq",
                        "area_level": level,
                        "area_code": code,
                        "params": {
                            "direction": "above",
                            "raise_at": limit,
                            "clear_at": limit - 3,
                            "window_minutes": 60,
                            "aggregate": "leq",
                            "active_hours": hours,
                        },
                        "severity": "low",
                        "case_category": NOISE_CASE_CATEGORIES.get(zone, NOISE_CASE_CATEGORY),
                        "source": f"{GB3096} {zone_en}, {when_en} limit {limit:g} dB(A)",
                    }
                )
    return rules


def install_default_rules(
    session: Session,
    platform: Platform,
    principal: Principal,
    *,
    noise_zones: dict[str, list[Area]] | None = None,
) -> list[Rule]:
    """Create the default rules the tenant does not have yet (by English name and area), so
    that calling it again changes nothing. Noise zones default to class 2 for the whole city."""
    zones = noise_zones if noise_zones is not None else {"2": [("city", None)]}
    have = {
        (name, level, code)
        for name, level, code in session.execute(
            select(Rule.name_en, Rule.area_level, Rule.area_code).where(
                Rule.tenant_id == principal.tenant_id
            )
        )
    }
    created = []
    for values in [*air_rules(), *noise_rules(zones)]:
        key = (values["name_en"], values.get("area_level", "city"), values.get("area_code"))
        if key in have:
            continue
        checked = RuleIn(**values).model_dump()
        created.append(service.create_rule(session, platform, principal, checked))
    return created
