"""API shapes of rules and alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from smartcity.sensing.device_types import DeviceKind

RuleKind = Literal["threshold", "rate_of_change", "silence", "anomaly"]
Severity = Literal["informational", "low", "medium", "high", "critical"]
AreaLevel = Literal["city", "district", "street", "community", "cell"]
AlertStatus = Literal["raised", "acknowledged", "resolved"]
SEVERITIES: tuple[str, ...] = ("informational", "low", "medium", "high", "critical")
CASE_CATEGORY = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"
ATTRIBUTE = r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$"


class RuleIn(BaseModel):
    """A rule: what it watches (a device type or an entity type, an attribute, an area), how it
    judges (`kind` and its `params`) and what the alert says."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    kind: RuleKind
    device_type: DeviceKind | None = Field(default=None, description="a device kind, or …")
    entity_type: str | None = Field(
        default=None, max_length=64, description="… a Smart Data Model entity type"
    )
    attribute: str | None = Field(
        default=None, pattern=ATTRIBUTE, description="required except for silence rules"
    )
    area_level: AreaLevel = "city"
    area_code: str | None = Field(default=None, pattern=r"^\d{6,15}$")
    params: dict[str, Any] = Field(
        description="threshold: direction above|below, raise_at, clear_at, window_minutes?, "
        "aggregate mean|leq, active_hours {start, end, timezone}?; rate_of_change: direction "
        "rise|fall|either, raise_at, clear_at (per minute), window_minutes; silence: minutes; "
        "anomaly: method robust_z|ewma, raise_at, clear_at (|z|), alpha, window, min_samples"
    )
    severity: Severity = "medium"
    enabled: bool = True
    auto_resolve: bool = Field(default=True, description="resolve the alert when it clears")
    case_category: str | None = Field(
        default=None, pattern=CASE_CATEGORY, description="case category to open a case with"
    )
    source: str = Field(default="", max_length=300, description="e.g. the standard it follows")


class RuleUpdate(BaseModel):
    """Members to change; what is not sent stays."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name_zh: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, min_length=1, max_length=200)
    device_type: DeviceKind | None = None
    entity_type: str | None = Field(default=None, max_length=64)
    attribute: str | None = Field(default=None, pattern=ATTRIBUTE)
    area_level: AreaLevel | None = None
    area_code: str | None = Field(default=None, pattern=r"^\d{6,15}$")
    params: dict[str, Any] | None = None
    severity: Severity | None = None
    enabled: bool | None = None
    auto_resolve: bool | None = None
    case_category: str | None = Field(default=None, pattern=CASE_CATEGORY)
    source: str | None = Field(default=None, max_length=300)


class RuleOut(BaseModel):
    id: int
    name_zh: str
    name_en: str
    kind: str
    device_type: str | None
    entity_type: str | None
    attribute: str | None
    area_level: str
    area_code: str | None
    params: dict[str, Any]
    severity: str
    enabled: bool
    auto_resolve: bool
    case_category: str | None
    source: str
    created_at: datetime
    updated_at: datetime


class RulePage(BaseModel):
    items: list[RuleOut]
    total: int
    limit: int
    offset: int


class AlertOut(BaseModel):
    id: int
    entity_id: str = Field(description="the alert's own NGSI-LD entity")
    rule_id: int | None
    status: str
    severity: str
    kind: str
    method: str | None = Field(description="anomaly rules: robust_z or ewma")
    name_zh: str
    name_en: str
    device_id: str
    source_entity_id: str = Field(description="the entity whose readings fired it")
    attribute: str | None
    district_code: str | None
    street_code: str | None
    cell_code: str | None
    lon: float
    lat: float
    count: int = Field(description="how many times it fired while active")
    last_value: float | None
    evidence: list[dict[str, Any]]
    case_category: str | None
    case_id: str | None = Field(description="the public id of the case it opened")
    case_status: str | None = Field(
        description="pending (the rules job opens the case shortly), opened, or failed"
    )
    case_note: str | None = Field(description="why no case was opened, when failed")
    raised_at: datetime
    last_fired_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None


class AlertPage(BaseModel):
    items: list[AlertOut]
    total: int
    limit: int
    offset: int
