"""Routes of departments under /api/geo/departments: who answers for which areas (部门)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from smartcity.geo import service
from smartcity.geo.models import Department
from smartcity.geo.schemas import (
    DEPARTMENT_KINDS,
    MAX_OFFSET,
    DepartmentAreaOut,
    DepartmentAreasIn,
    DepartmentCreate,
    DepartmentOut,
    DepartmentPage,
    DepartmentUpdate,
)
from smartcity.security.principal import Principal
from smartcity.web.deps import PlatformDep, SessionDep, require

router = APIRouter(prefix="/api/geo", tags=["geo"])

ReadDepartments = Annotated[Principal, require("departments:read")]
WriteDepartments = Annotated[Principal, require("departments:write")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def _departments_out(
    session: Any, tenant_id: int, rows: Sequence[Department]
) -> list[DepartmentOut]:
    areas = service.department_areas(session, tenant_id, [d.id for d in rows])
    names = service.area_names(session, tenant_id, [a.area_code for d in rows for a in areas[d.id]])
    return [
        DepartmentOut(
            code=d.code,
            name_zh=d.name_zh,
            name_en=d.name_en,
            kind=d.kind,
            kind_name_zh=DEPARTMENT_KINDS.get(d.kind, (d.kind, d.kind))[0],
            kind_name_en=DEPARTMENT_KINDS.get(d.kind, (d.kind, d.kind))[1],
            phone=d.phone,
            description=d.description,
            active=d.active,
            areas=[
                DepartmentAreaOut(
                    code=a.area_code,
                    level=a.level,
                    category=a.category,
                    name_zh=names.get(a.area_code, (None, None))[0],
                    name_en=names.get(a.area_code, (None, None))[1],
                )
                for a in areas[d.id]
            ],
        )
        for d in rows
    ]


@router.get("/departments", response_model=DepartmentPage)
def list_departments(
    session: SessionDep,
    principal: ReadDepartments,
    kind: str | None = None,
    area: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> DepartmentPage:
    """Departments (部门) and the areas they answer for."""
    rows, total = service.list_departments(
        session, principal.tenant_id, kind=kind, area=area, limit=limit, offset=offset
    )
    items = _departments_out(session, principal.tenant_id, rows)
    return DepartmentPage(items=items, total=total, limit=limit, offset=offset)


@router.post("/departments", response_model=DepartmentOut, status_code=status.HTTP_201_CREATED)
def create_department(
    platform: PlatformDep, session: SessionDep, principal: WriteDepartments, body: DepartmentCreate
) -> DepartmentOut:
    row = service.create_department(session, platform.clock, principal, **body.model_dump())
    return _departments_out(session, principal.tenant_id, [row])[0]


@router.get("/departments/{code}", response_model=DepartmentOut)
def get_department(session: SessionDep, principal: ReadDepartments, code: str) -> DepartmentOut:
    row = service.get_department(session, principal.tenant_id, code)
    return _departments_out(session, principal.tenant_id, [row])[0]


@router.patch("/departments/{code}", response_model=DepartmentOut)
def update_department(
    platform: PlatformDep,
    session: SessionDep,
    principal: WriteDepartments,
    code: str,
    body: DepartmentUpdate,
) -> DepartmentOut:
    row = service.update_department(
        session, platform.clock, principal, code=code, **body.model_dump(exclude_unset=True)
    )
    return _departments_out(session, principal.tenant_id, [row])[0]


@router.delete("/departments/{code}", status_code=status.HTTP_204_NO_CONTENT)
def delete_department(
    platform: PlatformDep, session: SessionDep, principal: WriteDepartments, code: str
) -> Response:
    service.delete_department(session, platform.clock, principal, code=code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/departments/{code}/areas", response_model=DepartmentOut)
def set_department_areas(
    platform: PlatformDep,
    session: SessionDep,
    principal: WriteDepartments,
    code: str,
    body: DepartmentAreasIn,
) -> DepartmentOut:
    """Replace the areas (with optional case category) a department answers for."""
    service.set_department_areas(session, platform.clock, principal, code=code, areas=body.areas)
    row = service.get_department(session, principal.tenant_id, code)
    return _departments_out(session, principal.tenant_id, [row])[0]
