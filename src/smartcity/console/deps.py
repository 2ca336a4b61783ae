"""Who is looking at a console page: the session cookie's user, required and authorized."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from smartcity.console.session import Viewer, read_viewer
from smartcity.core.errors import Forbidden, Unauthenticated
from smartcity.web.deps import PlatformDep, SessionDep


def current_viewer(request: Request, platform: PlatformDep, session: SessionDep) -> Viewer | None:
    viewer = read_viewer(request, platform, session)
    request.state.console_viewer = viewer
    return viewer


OptionalViewer = Annotated[Viewer | None, Depends(current_viewer)]


def staff(permission: str) -> Any:
    """Use as `Annotated[Viewer, staff("devices:read")]`: a signed-in staff member holding it."""

    def dependency(viewer: OptionalViewer) -> Viewer:
        if viewer is None:
            raise Unauthenticated("log in to see this page")
        if not viewer.is_staff:
            raise Forbidden("this page is for city staff")
        if not viewer.can(permission):
            raise Forbidden(f"this needs the permission {permission!r}")
        return viewer

    return Depends(dependency)
