"""The shapes of the cases API: reports in, case files, timelines, photos, categories, routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from smartcity.cases.states import CaseSource

PUBLIC_ID = r"^[A-Z]{2}[0-9]{8}-[0-9]{6,}$"
Priority = Literal["low", "normal", "high", "urgent"]


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    return value


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32)

    _text = field_validator("name", "phone")(_no_nul)


class CaseIn(BaseModel):
    """A report: what and where; hotline operators add the caller's contact."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category: str = Field(min_length=1, max_length=16, description="a category code, e.g. E0101")
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    address: str = Field(default="", max_length=500)
    description: str = Field(default="", max_length=4000)
    source: CaseSource = CaseSource.CITIZEN
    priority: Priority = "normal"
    contact: ContactIn | None = None
    idempotency_key: str | None = Field(
        default=None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$"
    )

    _text = field_validator("address", "description", "category")(_no_nul)


class ContactOut(BaseModel):
    name: str | None
    phone: str | None
    masked: bool


class DeadlineOut(BaseModel):
    amount: int
    unit: str
    label_zh: str
    label_en: str
    level: str
    due_at: datetime | None
    warn_at: datetime | None
    fraction_used: float
    closed_on_time: bool | None


class CaseOut(BaseModel):
    id: str
    source: str
    category: str
    category_name_zh: str
    category_name_en: str
    status: str
    status_zh: str
    status_en: str
    priority: str
    lon: float
    lat: float
    address: str
    cell_code: str
    community_code: str
    street_code: str
    district_code: str
    description: str
    department: str | None
    proposed_department: str | None
    duplicate_of: str | None
    merged_into: str | None
    deadline: DeadlineOut
    rating: int | None
    returns: int
    reopens: int
    alert_id: int | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    contact: ContactOut | None = None
    actions: list[str] = Field(default_factory=list, description="what this caller may do next")


class CaseCreated(CaseOut):
    tracking_token: str | None = Field(
        description="the reporter's token for /api/cases/track; shown only to the reporter"
    )


class CasePage(BaseModel):
    items: list[CaseOut]
    total: int
    limit: int
    offset: int


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(min_length=1, max_length=32)
    data: dict[str, Any] = Field(default_factory=dict)


class EventOut(BaseModel):
    action: str
    action_zh: str
    action_en: str
    from_status: str | None
    to_status: str
    actor: str | None
    role: str | None
    at: datetime
    data: dict[str, Any]


class PhotoOut(BaseModel):
    id: int
    media_type: str
    size_bytes: int
    width: int
    height: int
    sha256: str
    uploaded_at: datetime
    url: str


class TrackOut(BaseModel):
    id: str
    category: str
    category_name_zh: str
    category_name_en: str
    status: str
    status_zh: str
    status_en: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    rating: int | None
    timeline: list[EventOut]


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=64)
    rating: int = Field(ge=1, le=5)
    note: str | None = Field(default=None, max_length=2000)


class CategoryOut(BaseModel):
    code: str
    kind: str
    parent: str | None
    name_zh: str
    name_en: str
    deadline: dict[str, Any] | None
    handler_kind: str | None
    assignable: bool


class RouteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(min_length=1, max_length=16)
    area_code: str = Field(pattern=r"^(\d{6}|\d{9}|\d{12}|\d{15})$")
    department: str = Field(min_length=1, max_length=32)


class RouteOut(RouteIn):
    id: int
    created_at: datetime
