"""Each tenant's categories (the shipped set, or an administrator's edit of it) and its
responsibility matrix (category × area → department) that proposes where a case goes."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcity.cases.categories import Category, CategorySet, default_categories, parse_categories
from smartcity.cases.errors import InvalidCategory
from smartcity.cases.models import CaseRoute, CategoryOverride
from smartcity.core.clock import Clock
from smartcity.core.errors import Conflict, NotFound, ValidationFailed
from smartcity.geo import service as geo
from smartcity.geo.features import ancestor_codes, level_of_code
from smartcity.security import audit
from smartcity.security.principal import Principal

_cache_lock = threading.Lock()
# Parsed sets per database engine and tenant: {tenant id: (revision, set)}.
_cache: weakref.WeakKeyDictionary[Any, dict[int, tuple[int, CategorySet]]] = (
    weakref.WeakKeyDictionary()
)


_REVISION = select(CategoryOverride.revision).where(
    CategoryOverride.tenant_id == bindparam("tenant")
)


def category_set(session: Session, tenant_id: int) -> CategorySet:
    """The tenant's categories: its edited set if an administrator changed them, else the
    shipped default. Parsed sets are kept per revision."""
    revision = session.scalar(_REVISION, {"tenant": tenant_id})
    if revision is None:
        return default_categories()
    bind = session.get_bind()
    cached = _cache.get(bind, {}).get(tenant_id)
    if cached is not None and cached[0] == revision:
        return cached[1]
    row = session.get(CategoryOverride, tenant_id)
    assert row is not None
    parsed = parse_categories(row.categories)
    with _cache_lock:
        _cache.setdefault(bind, {})[tenant_id] = (row.revision, parsed)
    return parsed


def assignable(categories: CategorySet, code: Any) -> Category:
    """A category a case can be filed under (one without subcategories), or a 422."""
    if not isinstance(code, str):
        raise InvalidCategory("category must be a category code", field="category")
    category = categories.get(code)
    if categories.children(code):
        raise InvalidCategory(
            f"category {code} has subcategories; choose one of them", field="category"
        )
    return category


def _store(
    session: Session, clock: Clock, principal: Principal, new: CategorySet, change: dict
) -> None:
    row = session.get(CategoryOverride, principal.tenant_id)
    now = clock.now()
    if row is None:
        row = CategoryOverride(tenant_id=principal.tenant_id, revision=0, updated_at=now)
        session.add(row)
    row.categories = new.to_raw()
    row.revision += 1
    row.updated_at = now
    audit.record(session, clock, principal, entity_type="case_category", **change)
    session.commit()


def save_category(
    session: Session, clock: Clock, principal: Principal, entry: Mapping[str, Any]
) -> Category:
    """Add or replace one category; the whole set is checked again before it is stored."""
    current = category_set(session, principal.tenant_id)
    code = str(entry.get("code", ""))
    before = current.to_raw()["categories"]
    old = next((c for c in before if c["code"] == code), None)
    new = current.with_category(entry)
    _store(
        session,
        clock,
        principal,
        new,
        {"action": "case_category.save", "entity_id": code, "before": old, "after": dict(entry)},
    )
    return new.get(code)


def delete_category(session: Session, clock: Clock, principal: Principal, code: str) -> None:
    current = category_set(session, principal.tenant_id)
    if code not in current:
        raise NotFound(f"no category {code}")
    new = current.without_category(code)
    old = next(c for c in current.to_raw()["categories"] if c["code"] == code)
    _store(
        session,
        clock,
        principal,
        new,
        {"action": "case_category.delete", "entity_id": code, "before": old},
    )


def list_routes(session: Session, tenant_id: int) -> list[CaseRoute]:
    return list(
        session.scalars(
            select(CaseRoute)
            .where(CaseRoute.tenant_id == tenant_id)
            .order_by(CaseRoute.category, CaseRoute.area_code)
        )
    )


def add_route(
    session: Session,
    clock: Clock,
    principal: Principal,
    *,
    category: str,
    area_code: str,
    department: str,
) -> CaseRoute:
    """One row of the matrix: a category (or a parent, covering its subcategories) in an area."""
    tenant_id = principal.tenant_id
    category_set(session, tenant_id).get(category)
    if level_of_code(area_code) is None:
        raise ValidationFailed(
            "area_code must be a 6, 9, 12 or 15 digit area code", field="area_code"
        )
    if geo.find_department(session, tenant_id, code=department) is None:
        raise ValidationFailed(f"no department {department} in this city", field="department")
    route = CaseRoute(
        tenant_id=tenant_id,
        category=category,
        area_code=area_code,
        department=department,
        created_at=clock.now(),
    )
    session.add(route)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict("this category and area already have a route", field="area_code") from None
    audit.record(
        session,
        clock,
        principal,
        action="case_route.create",
        entity_type="case_route",
        entity_id=route.id,
        after={"category": category, "area_code": area_code, "department": department},
    )
    session.commit()
    return route


def delete_route(session: Session, clock: Clock, principal: Principal, route_id: int) -> None:
    route = session.get(CaseRoute, route_id)
    if route is None or route.tenant_id != principal.tenant_id:
        raise NotFound(f"no route {route_id}")
    before = {"category": route.category, "area_code": route.area_code, "dept": route.department}
    session.execute(delete(CaseRoute).where(CaseRoute.id == route_id))
    audit.record(
        session,
        clock,
        principal,
        action="case_route.delete",
        entity_type="case_route",
        entity_id=route_id,
        before=before,
    )
    session.commit()


def _category_chain(categories: CategorySet, code: str) -> list[str]:
    chain: list[str] = []
    node: Category | None = categories.get(code)
    while node is not None:
        chain.append(node.code)
        node = categories.categories.get(node.parent) if node.parent else None
    return chain


_ROUTES = select(CaseRoute.category, CaseRoute.area_code, CaseRoute.department).where(
    CaseRoute.tenant_id == bindparam("tenant"),
    CaseRoute.category.in_(bindparam("categories", expanding=True)),
    CaseRoute.area_code.in_(bindparam("areas", expanding=True)),
)


def propose_department(
    session: Session, categories: CategorySet, tenant_id: int, category: str, cell_code: str
) -> str | None:
    """The department the matrix names for this category at this cell: the most local area
    first, then the most specific category; None leaves the case to the dispatcher's queue."""
    params = {"tenant": tenant_id, "categories": _category_chain(categories, category)}
    rows = session.execute(_ROUTES, {**params, "areas": ancestor_codes(cell_code)}).all()
    if not rows:
        return None
    best = max(rows, key=lambda r: (len(r.area_code), len(r.category)))
    return best.department
