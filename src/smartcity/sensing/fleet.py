"""Reading the registry: one device by its id, or a page of devices narrowed by filters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from smartcity.core.errors import NotFound, ValidationFailed
from smartcity.geo.models import Department
from smartcity.sensing.models import Device

MAX_PAGE = 1000


@dataclass(frozen=True)
class Filters:
    """What a device list may be narrowed by (codes as the geo part writes them)."""

    type: str | None = None
    status: str | None = None
    district: str | None = None
    street: str | None = None
    community: str | None = None
    cell: str | None = None
    department: str | None = None


def find_device(session: Session, tenant_id: int, device_id: str) -> Device | None:
    return session.scalar(
        select(Device).where(Device.tenant_id == tenant_id, Device.device_id == device_id)
    )


def get_device(session: Session, tenant_id: int, device_id: str) -> Device:
    device = find_device(session, tenant_id, device_id)
    if device is None:
        raise NotFound(f"no device {device_id} in this city")
    return device


def _conditions(tenant_id: int, filters: Filters) -> list[ColumnElement[bool]]:
    conditions = [Device.tenant_id == tenant_id]
    for value, column in (
        (filters.type, Device.device_type),
        (filters.status, Device.status),
        (filters.district, Device.district_code),
        (filters.street, Device.street_code),
        (filters.community, Device.community_code),
        (filters.cell, Device.cell_code),
    ):
        if value is not None:
            conditions.append(column == value)
    if filters.department is not None:
        department = select(Department.id).where(
            Department.tenant_id == tenant_id, Department.code == filters.department
        )
        conditions.append(Device.department_id == department.scalar_subquery())
    return conditions


def list_devices(
    session: Session,
    tenant_id: int,
    filters: Filters | None = None,
    *,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Device], int]:
    """A page of the tenant's devices by device id, and how many match in all."""
    if not 0 < limit <= MAX_PAGE or offset < 0:
        raise ValidationFailed("limit or offset is out of range", field="limit")
    conditions = _conditions(tenant_id, filters or Filters())
    total = session.scalar(select(func.count()).select_from(Device).where(*conditions)) or 0
    rows = session.scalars(
        select(Device).where(*conditions).order_by(Device.device_id).limit(limit).offset(offset)
    )
    return list(rows), total
