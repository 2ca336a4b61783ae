"""API shapes of the programme: what projects, milestones and indicators are shown as, and
what programme staff may send to change them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["planned", "on_track", "at_risk", "late", "done"]
Origin = Literal["seed", "platform"]
CODE = r"^[a-z0-9][a-z0-9-]{0,63}$"


class EvidenceLink(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str = Field(pattern=r"^https?://[^\s]+$", max_length=2000)
    title: str = Field(default="", max_length=200)


class ProjectUpdate(BaseModel):
    """What programme staff may change of a key project; send only what changes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: Status | None = None
    progress_note: str | None = Field(default=None, max_length=4000)
    evidence: list[EvidenceLink] | None = Field(default=None, max_length=50)
    lead_agency: str | None = Field(default=None, min_length=1, max_length=200)


class MilestoneUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: Status | None = None
    due_on: date | None = None
    done_on: date | None = None
    note: str | None = Field(default=None, max_length=4000)


class ObservationIn(BaseModel):
    """A value entered by hand, in the indicator's unit, with where it comes from."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    value: float = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=32, description="must be the indicator's unit")
    observed_on: date = Field(description="the date the value holds for (Shanghai calendar)")
    source: str = Field(min_length=1, max_length=1000, description="where the value comes from")
    note: str = Field(default="", max_length=2000)


class MilestoneOut(BaseModel):
    code: str
    project: str
    title_zh: str
    title_en: str
    due_on: date
    status: Status
    done_on: date | None
    note: str
    source: str | None
    updated_at: datetime
    updated_by: str


class ProjectOut(BaseModel):
    code: str
    action: str
    name_zh: str
    name_en: str
    seed_name: str
    lead_agency: str | None
    status: Status
    progress_note: str
    evidence: list[EvidenceLink]
    area_type: str | None
    updated_at: datetime
    updated_by: str
    milestones: list[MilestoneOut] = []


class PillarOut(BaseModel):
    code: str
    kind: Literal["action", "support"]
    letter: str | None
    name_zh: str
    name_en: str
    goal_zh: str
    goal_en: str
    source: str
    projects: list[ProjectOut]


class SafeguardOut(BaseModel):
    code: str
    name_zh: str
    name_en: str


class ProgrammeOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    starts_on: date
    ends_on: date
    source: str
    pillars: list[PillarOut]
    safeguards: list[SafeguardOut]


class FigureOut(BaseModel):
    year: int | None
    value: float
    comparator: str
    as_written: str
    source: str


class MeasurementOut(BaseModel):
    measure: str
    name_zh: str
    name_en: str
    data_from: str
    available: bool
    value: float | None
    period_start: datetime | None
    period_end: datetime | None
    method: str
    reason: str | None
    details: dict[str, Any]


class ObservationOut(BaseModel):
    id: int
    value: float
    observed_on: date
    source: str
    note: str
    entered_by: str
    entered_at: datetime


class IndicatorOut(BaseModel):
    code: str
    origin: Origin
    action: str | None
    project: str | None
    name_zh: str
    name_en: str
    unit: str
    unit_label: str
    direction: Literal["up", "down"]
    baseline: FigureOut | None
    target: FigureOut | None
    entry: Literal["live", "hand"]
    measured: MeasurementOut | None
    iso37120: str | None
    u4ssc: str | None
    details: dict[str, Any]
    observations: list[ObservationOut] | None = None


class MeasureOut(BaseModel):
    key: str
    name_zh: str
    name_en: str
    data_from: str
    unit: str
    method: str
    available: bool
    reason: str | None
    u4ssc: str | None
    indicators: list[str]
