"""Departments and the areas they answer for: audited CRUD, and who is responsible where."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from smartcity.core.clock import Clock
from smartcity.core.errors import Conflict, NotFound, ValidationFailed
from smartcity.geo.features import ancestor_codes, level_of_code
from smartcity.geo.layout import DemoDepartment
from smartcity.geo.models import AREA_MODELS, Department, DepartmentArea
from smartcity.geo.schemas import (
    DEPARTMENT_CODE,
    DEPARTMENT_KINDS,
    MAX_OFFSET,
    DepartmentAreaIn,
    DepartmentCreate,
    DepartmentUpdate,
)
from smartcity.security import audit
from smartcity.security.principal import Principal

T = TypeVar("T", bound=BaseModel)
_FIELDS = ("code", "name_zh", "name_en", "kind", "phone", "description", "active")
Scope = int | Principal  # reads take the tenant id, or any principal acting in the tenant


def tenant_of(scope: Scope) -> int:
    return scope.tenant_id if isinstance(scope, Principal) else int(scope)


def _snapshot(department: Department, areas: Sequence[DepartmentArea] | None = None) -> dict:
    data: dict[str, Any] = {name: getattr(department, name) for name in _FIELDS}
    if areas is not None:
        data["areas"] = [{"code": a.area_code, "category": a.category} for a in areas]
    return data


def list_departments(
    session: Session,
    tenant_id: Scope,
    *,
    kind: str | None = None,
    area: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Department], int]:
    """Departments by code, optionally of one kind or answering for one area code exactly."""
    tenant_id = tenant_of(tenant_id)
    if not (0 < limit <= MAX_OFFSET and 0 <= offset <= MAX_OFFSET):
        raise ValidationFailed("limit or offset is out of range", field="offset")
    if kind is not None and kind not in DEPARTMENT_KINDS:
        raise ValidationFailed(f"unknown kind {kind!r}", field="kind")
    if area is not None and level_of_code(area) is None:
        raise ValidationFailed(
            "area must be a district, street, community or cell code", field="area"
        )
    stmt: Select[Any] = select(Department).where(Department.tenant_id == tenant_id)
    if kind:
        stmt = stmt.where(Department.kind == kind)
    if area:
        stmt = stmt.where(
            Department.id.in_(
                select(DepartmentArea.department_id).where(
                    DepartmentArea.tenant_id == tenant_id, DepartmentArea.area_code == area
                )
            )
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Department.code).limit(limit).offset(offset))
    return list(rows), total


def find_department(session: Session, tenant_id: Scope, *, code: str) -> Department | None:
    if not DEPARTMENT_CODE.fullmatch(code):
        return None  # it could not have been created
    return session.scalar(
        select(Department).where(
            Department.tenant_id == tenant_of(tenant_id), Department.code == code
        )
    )


def get_department(session: Session, tenant_id: Scope, code: str) -> Department:
    row = find_department(session, tenant_id, code=code)
    if row is None:
        raise NotFound(f"no department {code} in this city")
    return row


def department_areas(
    session: Session, tenant_id: Scope, department_ids: Sequence[int]
) -> dict[int, list[DepartmentArea]]:
    """The areas of each department, by code then category."""
    tenant_id = tenant_of(tenant_id)
    found: dict[int, list[DepartmentArea]] = defaultdict(list)
    if department_ids:
        rows = session.scalars(
            select(DepartmentArea)
            .where(
                DepartmentArea.tenant_id == tenant_id,
                DepartmentArea.department_id.in_(list(department_ids)),
            )
            .order_by(DepartmentArea.area_code, DepartmentArea.category)
        )
        for row in rows:
            found[row.department_id].append(row)
    return found


def area_names(
    session: Session, tenant_id: int, codes: Sequence[str]
) -> dict[str, tuple[str, str]]:
    """(name_zh, name_en) of each known area code."""
    by_level: dict[str, set[str]] = defaultdict(set)
    for code in codes:
        if level := level_of_code(code):
            by_level[level].add(code)
    names: dict[str, tuple[str, str]] = {}
    for level, wanted in by_level.items():
        model = AREA_MODELS[level]
        rows = session.execute(
            select(model.code, model.name_zh, model.name_en).where(
                model.tenant_id == tenant_id, model.code.in_(sorted(wanted))
            )
        )
        names.update({code: (zh, en) for code, zh, en in rows})
    return names


def create_department(
    session: Session,
    clock: Clock,
    principal: Principal,
    *,
    code: str,
    name_zh: str,
    kind: str,
    name_en: str = "",
    phone: str | None = None,
    description: str = "",
) -> Department:
    """A new department of the principal's tenant (codes are unique per tenant); audited."""
    data = _validated(
        DepartmentCreate,
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        kind=kind,
        phone=phone,
        description=description,
    )
    tenant_id = principal.tenant_id
    exists = session.scalar(
        select(Department.id).where(Department.tenant_id == tenant_id, Department.code == data.code)
    )
    if exists is not None:
        raise Conflict(f"department {data.code} already exists", field="code")
    now = clock.now()
    department = Department(
        tenant_id=tenant_id, created_at=now, updated_at=now, active=True, **data.model_dump()
    )
    session.add(department)
    session.flush()
    audit.record(
        session,
        clock,
        principal,
        action="department.create",
        entity_type="department",
        entity_id=department.code,
        after=_snapshot(department),
    )
    session.commit()
    return department


def update_department(
    session: Session, clock: Clock, principal: Principal, *, code: str, **changes: Any
) -> Department:
    """Change names, kind, phone, description or active; audited with before and after."""
    department = get_department(session, principal.tenant_id, code)
    before = _snapshot(department)
    update = _validated(DepartmentUpdate, **changes)
    for name, value in update.model_dump(exclude_unset=True).items():
        if value is None and name not in ("phone",):
            raise ValidationFailed(f"{name} cannot be null", field=name)
        setattr(department, name, value)
    after = _snapshot(department)
    if after != before:
        department.updated_at = clock.now()
        audit.record(
            session,
            clock,
            principal,
            action="department.update",
            entity_type="department",
            entity_id=code,
            before=before,
            after=after,
        )
    session.commit()
    return department


def delete_department(session: Session, clock: Clock, principal: Principal, *, code: str) -> None:
    department = get_department(session, principal.tenant_id, code)
    areas = department_areas(session, principal.tenant_id, [department.id])[department.id]
    before = _snapshot(department, areas)
    session.delete(department)
    audit.record(
        session,
        clock,
        principal,
        action="department.delete",
        entity_type="department",
        entity_id=code,
        before=before,
    )
    session.commit()


def set_department_areas(
    session: Session,
    clock: Clock,
    principal: Principal,
    *,
    code: str,
    areas: Sequence[DepartmentAreaIn | Mapping[str, Any]],
) -> list[DepartmentArea]:
    """Replace the areas a department answers for; every code must name an area of the city.

    Each area is {"code", "category"?, "level"?}; a given level must match the code's length.
    """
    tenant_id = principal.tenant_id
    department = get_department(session, tenant_id, code)
    checked = [
        a if isinstance(a, DepartmentAreaIn) else _validated(DepartmentAreaIn, **a) for a in areas
    ]
    for i, area in enumerate(checked):
        if area.level is not None and area.level != level_of_code(area.code):
            raise ValidationFailed(
                f"area {area.code} is not a {area.level} code", field=f"areas[{i}].level"
            )
    wanted = list(dict.fromkeys((a.code, a.category or None) for a in checked))
    known = area_names(session, tenant_id, [c for c, _ in wanted])
    problems = [
        {
            "index": i,
            "code": c,
            "field": "code",
            "message": f"no district, street, community or grid cell {c} in this city",
        }
        for i, (c, _) in enumerate(wanted)
        if c not in known
    ]
    if problems:
        raise ValidationFailed(
            f"{len(problems)} area codes are unknown, e.g. {problems[0]['code']}",
            field=f"areas[{problems[0]['index']}].code",
            details=problems[:100],
        )
    old = department_areas(session, tenant_id, [department.id])[department.id]
    before = _snapshot(department, old)
    session.execute(delete(DepartmentArea).where(DepartmentArea.department_id == department.id))
    _insert_areas(session, tenant_id, department.id, wanted)
    department.updated_at = clock.now()
    new = department_areas(session, tenant_id, [department.id])[department.id]
    audit.record(
        session,
        clock,
        principal,
        action="department.set_areas",
        entity_type="department",
        entity_id=code,
        before=before,
        after=_snapshot(department, new),
    )
    session.commit()
    return new


def _insert_areas(
    session: Session, tenant_id: int, department_id: int, areas: Sequence[tuple[str, str | None]]
) -> None:
    if areas:
        session.execute(
            insert(DepartmentArea),
            [
                {
                    "tenant_id": tenant_id,
                    "department_id": department_id,
                    "level": level_of_code(c),
                    "area_code": c,
                    "category": category,
                }
                for c, category in areas
            ],
        )


def responsible_departments(
    session: Session, tenant_id: Scope, *, area_code: str, category: str | None = None
) -> list[Department]:
    """Active departments answering for an area (or any area enclosing it), most local first.

    An assignment without a category covers every category; with `category=None` only those
    count.
    """
    codes = ancestor_codes(area_code)
    if not codes or level_of_code(area_code) is None:
        return []
    rows = session.execute(
        select(Department, DepartmentArea.area_code)
        .join(DepartmentArea, DepartmentArea.department_id == Department.id)
        .where(
            Department.tenant_id == tenant_of(tenant_id),
            Department.active,
            DepartmentArea.area_code.in_(codes),
            (DepartmentArea.category.is_(None) | (DepartmentArea.category == category))
            if category
            else DepartmentArea.category.is_(None),
        )
    ).all()
    ranked = sorted(rows, key=lambda r: (-len(r[1]), r[0].code))
    return list(dict.fromkeys(department for department, _ in ranked))


def _validated(schema: type[T], **values: Any) -> T:
    """Check service input with the API's own schema, so the CLI and the API refuse alike."""
    try:
        return schema(**values)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or None
        raise ValidationFailed(f"{name}: {first['msg']}", field=name) from None


def ensure_departments(
    session: Session, tenant_id: int, departments: Sequence[DemoDepartment], now: datetime
) -> int:
    """Create the departments whose codes are new; existing ones stay as operators left them."""
    existing = set(
        session.scalars(select(Department.code).where(Department.tenant_id == tenant_id))
    )
    created = 0
    for demo in departments:
        if demo.code in existing:
            continue
        department = Department(
            tenant_id=tenant_id,
            code=demo.code,
            name_zh=demo.name_zh,
            name_en=demo.name_en,
            kind=demo.kind,
            description="",
            active=True,
            created_at=now,
            updated_at=now,
        )
        session.add(department)
        session.flush()
        _insert_areas(session, tenant_id, department.id, demo.areas)
        created += 1
    return created
