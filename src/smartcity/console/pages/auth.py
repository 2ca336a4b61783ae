"""Login and logout pages: the identity model's password check, a session cookie, CSRF on both."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from smartcity.console import csrf
from smartcity.console.deps import OptionalViewer
from smartcity.console.route import PageRoute
from smartcity.console.session import end_session, start_session
from smartcity.console.templating import render
from smartcity.core.errors import NotFound, Unauthenticated
from smartcity.security import service as security
from smartcity.security.ratelimit import LOGIN_LIMIT
from smartcity.security.roles import Role
from smartcity.web.deps import PlatformDep, SessionDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Field = Annotated[str, Form(max_length=256)]


def landing(role: str | Role | None, wanted: str | None = None) -> str:
    """Where a user goes after logging in: citizens to the portal, staff where they were going."""
    if role == Role.CITIZEN:
        return "/report"
    if wanted and wanted.startswith("/") and not wanted.startswith("//") and "\\" not in wanted:
        return wanted
    return "/"


def _form(
    request: Request, platform: PlatformDep, *, status: int = 200, error: str = "", **values: str
) -> Response:
    return render(
        request,
        platform,
        "login.html",
        viewer=None,
        status=status,
        error=error,
        username=values.get("username", ""),
        next=values.get("next", ""),
    )


@router.get("/login")
def login_page(
    request: Request, platform: PlatformDep, viewer: OptionalViewer, next: str = ""
) -> Response:
    if viewer is not None:
        return RedirectResponse(landing(viewer.principal.role, next), status_code=303)
    return _form(request, platform, next=next[:512])


@router.post("/login")
def login(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    username: Field = "",
    password: Field = "",
    csrf_token: Field = "",
    next: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    csrf.check(request, platform, csrf_token)
    username = username.strip()
    if not username or not password:
        return _form(
            request, platform, status=422, error="login.missing", username=username, next=next
        )
    name, _, slug = username.partition("@")
    client = request.client.host if request.client else "unknown"
    platform.limiter.hit(f"login:{client}:{username}", LOGIN_LIMIT)
    try:
        tenant = security.get_tenant(session, slug=slug or platform.settings.default_tenant)
        user = security.authenticate_password(
            session, platform.clock, tenant_id=tenant.id, username=name, password=password
        )
    except (Unauthenticated, NotFound):
        return _form(
            request, platform, status=401, error="login.failed", username=username, next=next
        )
    response = RedirectResponse(landing(user.role, next), status_code=303)
    start_session(platform, response, request, user)
    return response


@router.post("/logout")
def logout(request: Request, platform: PlatformDep, csrf_token: Field = "") -> Response:
    csrf.check(request, platform, csrf_token)
    response = RedirectResponse("/login", status_code=303)
    end_session(response, request)
    return response
