"""Routes of the city model under /api/geo: areas (JSON or GeoJSON), locate, import, departments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import numpy as np
import orjson
import shapely
from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from smartcity.core.errors import PayloadTooLarge
from smartcity.geo import service
from smartcity.geo.features import Level, level_of_code, parent_code
from smartcity.geo.models import AreaColumns
from smartcity.geo.schemas import (
    MAX_OFFSET,
    AreaDetail,
    AreaPage,
    AreaRef,
    AreaSummary,
    CitySummary,
    ImportReportOut,
    LocateBatchIn,
    LocateBatchOut,
    LocatedPoint,
    Location,
    RepairOut,
)
from smartcity.security.principal import Principal
from smartcity.web.deps import PlatformDep, SessionDep, require

router = APIRouter(prefix="/api/geo", tags=["geo"])

GEOJSON = "application/geo+json"
MAX_IMPORT_BYTES = 256 * 1024 * 1024
ReadGeo = Annotated[Principal, require("geo:read")]
WriteGeo = Annotated[Principal, require("geo:write")]
Format = Annotated[
    Literal["json", "geojson"] | None,
    Query(description="geojson for a FeatureCollection (or send Accept: application/geo+json)"),
]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
_FEATURE_SCHEMA = {
    "type": "object",
    "required": ["type", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": {"type": "object"},
        "properties": {"type": "object"},
    },
}
_COLLECTION_SCHEMA = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": _FEATURE_SCHEMA},
        "total": {"type": "integer"},
    },
}
_AS_GEOJSON = {200: {"content": {GEOJSON: {"schema": _COLLECTION_SCHEMA}}}}
_AS_FEATURE = {200: {"content": {GEOJSON: {"schema": _FEATURE_SCHEMA}}}}


def _wants_geojson(request: Request, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "geojson"
    return GEOJSON in request.headers.get("accept", "")


def _summary(row: AreaColumns) -> AreaSummary:
    return AreaSummary(
        code=row.code,
        level=level_of_code(row.code) or "cell",
        parent_code=parent_code(row.code),
        name_zh=row.name_zh,
        name_en=row.name_en,
        bbox=[row.min_lon, row.min_lat, row.max_lon, row.max_lat],
        centroid=[row.centroid_lon, row.centroid_lat],
        area_m2=row.area_m2,
        approximate=row.approximate,
        source=row.source,
    )


def _features(rows: Sequence[AreaColumns]) -> list[dict[str, Any]]:
    texts = shapely.to_geojson(shapely.from_wkb([bytes(r.geometry) for r in rows])) if rows else []
    return [
        {
            "type": "Feature",
            "id": row.code,
            "geometry": orjson.Fragment(text),
            "properties": {**row.properties, **_summary(row).model_dump(exclude={"bbox"})},
            "bbox": [row.min_lon, row.min_lat, row.max_lon, row.max_lat],
        }
        for row, text in zip(rows, texts, strict=True)
    ]


def _geojson(body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), media_type=GEOJSON)


def _page(
    request: Request, fmt: str | None, rows: list, total: int, limit: int, offset: int
) -> Any:
    if _wants_geojson(request, fmt):
        return _geojson({"type": "FeatureCollection", "features": _features(rows), "total": total})
    return AreaPage(items=[_summary(r) for r in rows], total=total, limit=limit, offset=offset)


def _detail(
    request: Request, session: Any, principal: Principal, level: Level, code: str, fmt: str | None
) -> Any:
    row = service.get_area(session, principal.tenant_id, level=level, code=code)
    if _wants_geojson(request, fmt):
        return _geojson(_features([row])[0])
    parents = service.area_parents(session, principal.tenant_id, row.code)
    return AreaDetail(
        **_summary(row).model_dump(),
        geometry=orjson.loads(shapely.to_geojson(shapely.from_wkb(bytes(row.geometry)))),
        properties=row.properties,
        parents=[AreaRef(code=p.code, name_zh=p.name_zh, name_en=p.name_en) for p in parents],
        children=service.count_children(session, principal.tenant_id, row.code),
    )


@router.get("/summary", response_model=CitySummary)
def city_summary(session: SessionDep, principal: ReadGeo) -> CitySummary:
    """Counts of districts, streets, communities, cells and departments (城市概况)."""
    return CitySummary(**service.city_summary(session, principal.tenant_id))


@router.get("/districts", response_model=AreaPage, responses=_AS_GEOJSON)
def list_districts(
    request: Request,
    session: SessionDep,
    principal: ReadGeo,
    format: Format = None,
    limit: Limit = 1000,
    offset: Offset = 0,
) -> Any:
    """Districts (区), by code."""
    rows, total = service.list_areas(
        session, principal.tenant_id, level="district", limit=limit, offset=offset
    )
    return _page(request, format, rows, total, limit, offset)


@router.get("/districts/{code}", response_model=AreaDetail, responses=_AS_FEATURE)
def get_district(
    request: Request,
    session: SessionDep,
    principal: ReadGeo,
    code: str,
    format: Format = None,
) -> Any:
    return _detail(request, session, principal, "district", code, format)


@router.get("/streets", response_model=AreaPage, responses=_AS_GEOJSON)
def list_streets(
    request: Request,
    session: SessionDep,
    principal: ReadGeo,
    district: str | None = None,
    format: Format = None,
    limit: Limit = 1000,
    offset: Offset = 0,
) -> Any:
    """Streets and towns (街道/镇), optionally of one district."""
    rows, total = service.list_areas(
        session, principal.tenant_id, level="street", district=district, limit=limit, offset=offset
    )
    return _page(request, format, rows, total, limit, offset)


@router.get("/streets/{code}", response_model=AreaDetail, responses=_AS_FEATURE)
def get_street(
    request: Request,
    session: SessionDep,
    principal: ReadGeo,
    code: str,
    format: Format = None,
) -> Any:
    return _detail(request, session, principal, "street", code, format)


@router.get("/communities", response_model=AreaPage, responses=_AS_GEOJSON)
def list_communities(
    request: Request,
    session: SessionDep,
    principal: ReadGeo,
    street: str | None = None,
    district: str | None = None,
    format: Format = None,
    limit: Limit = 1000,
    offset: Offset = 0,
) -> Any:
    """Communities and villages (社区/村), optionally of one street or district."""
    rows, total = service.list_areas(
        session,
        principal.tenant_id,
        level="community",
        district=district,
        street=street,
        limit=limit,
        offset=offset,
    )
    return _page(request, format, rows, total, limit, offset)


@router.get("/communities/{code}", response_model=AreaDetail, responses=_AS_FEATURE)
def get_community(
    request: Request,
    session: SessionDep,
    principal: ReadGeo,
    code: str,
    format: Format = None,
) -> Any:
    return _detail(request, session, principal, "community", code, format)


@router.get("/cells", response_model=AreaPage, responses=_AS_GEOJSON)
def list_cells(
    request: Request,
    session: SessionDep,
    principal: ReadGeo,
    district: str | None = None,
    street: str | None = None,
    community: str | None = None,
    format: Format = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """Unit grid cells (单元网格), a page at a time, narrowed by district, street or community."""
    rows, total = service.list_areas(
        session,
        principal.tenant_id,
        level="cell",
        district=district,
        street=street,
        community=community,
        limit=limit,
        offset=offset,
    )
    return _page(request, format, rows, total, limit, offset)


@router.get("/cells/{code}", response_model=AreaDetail, responses=_AS_FEATURE)
def get_cell(
    request: Request,
    session: SessionDep,
    principal: ReadGeo,
    code: str,
    format: Format = None,
) -> Any:
    return _detail(request, session, principal, "cell", code, format)


@router.get("/locate", response_model=Location)
def locate(
    platform: PlatformDep,
    session: SessionDep,
    principal: ReadGeo,
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
) -> Location:
    """The unit grid cell holding a WGS 84 point, with its community, street and district."""
    return service.locate(session, platform.grids, principal.tenant_id, lon, lat)


@router.post("/locate", response_model=LocateBatchOut)
def locate_batch(
    platform: PlatformDep, session: SessionDep, principal: ReadGeo, body: LocateBatchIn
) -> LocateBatchOut:
    """Up to 10,000 points at once; a point outside every cell gets null codes."""
    lons = np.array([p.lon for p in body.points])
    lats = np.array([p.lat for p in body.points])
    codes = service.locate_many(session, platform.grids, principal.tenant_id, lons, lats)
    results = [
        LocatedPoint(
            lon=p.lon,
            lat=p.lat,
            cell_code=c,
            community_code=c and c[:12],
            street_code=c and c[:9],
            district_code=c and c[:6],
        )
        for p, c in zip(body.points, codes, strict=True)
    ]
    found = sum(c is not None for c in codes)
    return LocateBatchOut(results=results, found=found, not_found=len(codes) - found)


@router.post(
    "/import",
    response_model=ImportReportOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _COLLECTION_SCHEMA},
                GEOJSON: {"schema": _COLLECTION_SCHEMA},
            },
        }
    },
)
async def import_areas(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    principal: WriteGeo,
    level: Annotated[Literal["district", "street", "community", "grid"], Query()],
) -> ImportReportOut:
    """Upsert one level of areas from a GeoJSON FeatureCollection; all or nothing (导入)."""
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"an import may be at most {MAX_IMPORT_BYTES // 2**20} MiB")
    report = await run_in_threadpool(
        service.import_geojson, session, platform.clock, principal, data=body, level=level
    )
    return ImportReportOut(
        level="grid" if report.level == "cell" else report.level,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        repaired=[RepairOut(index=r.index, code=r.code, reason=r.reason) for r in report.repaired],
        warnings=report.warnings,
    )
