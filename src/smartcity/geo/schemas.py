"""API shapes of the city model: areas, point lookups, imports, departments and their areas."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_OFFSET = 1_000_000_000  # beyond any real list; keeps offsets inside a database integer
Lon = Field(ge=-180, le=180, description="Longitude, WGS 84 degrees")
Lat = Field(ge=-90, le=90, description="Latitude, WGS 84 degrees")
DEPARTMENT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
DEPARTMENT_KINDS: dict[str, tuple[str, str]] = {
    "bureau": ("委办局", "Municipal bureau"),
    "commission": ("委员会", "Commission"),
    "district_bureau": ("区职能部门", "District bureau"),
    "street_office": ("街道/镇办事处", "Street or town office"),
    "utility": ("公用事业单位", "Utility company"),
    "other": ("其他", "Other"),
}


class AreaRef(BaseModel):
    """An area named by code: what a lookup or a parent reference shows."""

    code: str
    name_zh: str
    name_en: str


class AreaSummary(AreaRef):
    """A district, street, community or cell without its geometry."""

    level: Literal["district", "street", "community", "cell"]
    parent_code: str | None
    bbox: list[float] = Field(description="[min_lon, min_lat, max_lon, max_lat]")
    centroid: list[float] = Field(description="[lon, lat] of the centroid, or a point inside")
    area_m2: float
    approximate: bool = Field(description="true for generated, not official, boundaries")
    source: str


class AreaDetail(AreaSummary):
    """One area with its GeoJSON geometry, its enclosing areas and how many children it has."""

    geometry: dict[str, Any]
    properties: dict[str, Any]
    parents: list[AreaRef] = Field(description="enclosing areas, district first")
    children: int = Field(description="streets of a district, communities of a street, …")


class AreaPage(BaseModel):
    items: list[AreaSummary]
    total: int
    limit: int
    offset: int


class GeoJSONFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: dict[str, Any]
    properties: dict[str, Any]


class GeoJSONFeatureCollection(BaseModel):
    """RFC 7946 FeatureCollection (media type application/geo+json)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[GeoJSONFeature]
    total: int | None = None


class Location(BaseModel):
    """The unit grid cell holding a point, and the community, street and district around it."""

    lon: float
    lat: float
    cell: AreaRef
    community: AreaRef
    street: AreaRef
    district: AreaRef


class PointIn(BaseModel):
    lon: float = Lon
    lat: float = Lat


class LocateBatchIn(BaseModel):
    points: list[PointIn] = Field(min_length=1, max_length=10_000)


class LocatedPoint(BaseModel):
    lon: float
    lat: float
    cell_code: str | None = Field(description="null when no cell holds the point")
    community_code: str | None
    street_code: str | None
    district_code: str | None


class LocateBatchOut(BaseModel):
    results: list[LocatedPoint]
    found: int
    not_found: int


class RepairOut(BaseModel):
    index: int = Field(description="position of the feature in the file")
    code: str
    reason: str = Field(description="why the polygon was invalid (GEOS is_valid_reason)")


class ImportReportOut(BaseModel):
    level: str
    created: list[str]
    updated: list[str]
    unchanged: int
    repaired: list[RepairOut]
    warnings: list[str]


class CitySummary(BaseModel):
    districts: int
    streets: int
    communities: int
    cells: int
    departments: int
    area_km2: float
    approximate: bool = Field(description="true when any area is generated, not official")
    revision: str | None


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


def _check_kind(value: str | None) -> str | None:
    if value is not None and value not in DEPARTMENT_KINDS:
        raise ValueError(f"unknown kind {value!r}; use one of {', '.join(DEPARTMENT_KINDS)}")
    return value


class DepartmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=DEPARTMENT_CODE.pattern, description="letters, digits, . _ -")
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    kind: str = Field(description=", ".join(DEPARTMENT_KINDS))
    phone: str | None = Field(default=None, max_length=32)
    description: str = Field(default="", max_length=4000)

    _kind = field_validator("kind")(_check_kind)
    _text = field_validator("name_zh", "name_en", "phone", "description")(_no_nul)


class DepartmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name_zh: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    kind: str | None = None
    phone: str | None = Field(default=None, max_length=32)
    description: str | None = Field(default=None, max_length=4000)
    active: bool | None = None

    _kind = field_validator("kind")(_check_kind)
    _text = field_validator("name_zh", "name_en", "phone", "description")(_no_nul)


class DepartmentAreaIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(description="a district, street, community or cell code")
    level: Literal["district", "street", "community", "cell"] | None = Field(
        default=None, description="optional; when given it must match the code's length"
    )
    category: str | None = Field(
        default=None, max_length=64, description="only cases of this category; null for all"
    )

    _text = field_validator("code", "category")(_no_nul)


class DepartmentAreasIn(BaseModel):
    areas: list[DepartmentAreaIn] = Field(max_length=10_000)


class DepartmentAreaOut(BaseModel):
    code: str
    level: str
    category: str | None
    name_zh: str | None = None
    name_en: str | None = None


class DepartmentOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    kind: str
    kind_name_zh: str
    kind_name_en: str
    phone: str | None
    description: str
    active: bool
    areas: list[DepartmentAreaOut]


class DepartmentPage(BaseModel):
    items: list[DepartmentOut]
    total: int
    limit: int
    offset: int
