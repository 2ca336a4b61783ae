"""Routes for case categories and the routing matrix, under /api/cases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response, status

from smartcity.cases import catalogue
from smartcity.cases.categories import CODE
from smartcity.cases.schemas import CategoryOut, RouteIn, RouteOut
from smartcity.cases.views import categories_out
from smartcity.core.errors import ValidationFailed
from smartcity.security.principal import Principal
from smartcity.web.deps import PlatformDep, RowId, SessionDep, require

router = APIRouter(prefix="/api/cases", tags=["cases"])

Act = Annotated[Principal, require("cases:act")]
Read = Annotated[Principal, require("cases:read")]
Edit = Annotated[Principal, require("categories:write")]
Code = Annotated[str, Path(pattern=CODE.pattern)]


@router.get("/categories", response_model=list[CategoryOut])
def list_categories(session: SessionDep, principal: Act) -> list[CategoryOut]:
    """Components (部件), events (事件) and hotline categories with their deadlines."""
    return categories_out(catalogue.category_set(session, principal.tenant_id))


@router.put("/categories/{code}", response_model=CategoryOut)
def save_category(
    platform: PlatformDep,
    session: SessionDep,
    principal: Edit,
    code: Code,
    body: Annotated[dict[str, Any], Body()],
) -> CategoryOut:
    """Add or change a category (names, parent, deadline, handler kind); the whole set is
    checked again. Open cases keep the deadline they were registered with."""
    if body.get("code", code) != code:
        raise ValidationFailed("the code in the body differs from the path", field="code")
    with platform.serialized_writes():
        catalogue.save_category(session, platform.clock, principal, {**body, "code": code})
    categories = catalogue.category_set(session, principal.tenant_id)
    return next(c for c in categories_out(categories) if c.code == code)


@router.delete("/categories/{code}", status_code=status.HTTP_204_NO_CONTENT)
def delete_category(
    platform: PlatformDep, session: SessionDep, principal: Edit, code: Code
) -> Response:
    with platform.serialized_writes():
        catalogue.delete_category(session, platform.clock, principal, code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _route_out(route: Any) -> RouteOut:
    return RouteOut(
        id=route.id,
        category=route.category,
        area_code=route.area_code,
        department=route.department,
        created_at=route.created_at,
    )


@router.get("/routes", response_model=list[RouteOut])
def list_routes(session: SessionDep, principal: Read) -> list[RouteOut]:
    """The responsibility matrix: category × area → department."""
    return [_route_out(r) for r in catalogue.list_routes(session, principal.tenant_id)]


@router.post("/routes", response_model=RouteOut, status_code=status.HTTP_201_CREATED)
def add_route(
    platform: PlatformDep, session: SessionDep, principal: Edit, body: RouteIn
) -> RouteOut:
    with platform.serialized_writes():
        route = catalogue.add_route(
            session,
            platform.clock,
            principal,
            category=body.category,
            area_code=body.area_code,
            department=body.department,
        )
    return _route_out(route)


@router.delete("/routes/{route_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_route(
    platform: PlatformDep, session: SessionDep, principal: Edit, route_id: RowId
) -> Response:
    with platform.serialized_writes():
        catalogue.delete_route(session, platform.clock, principal, route_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
