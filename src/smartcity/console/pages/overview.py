"""`/`: the operations centre's city overview (城市运行体征) for staff; `/report` for citizens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from smartcity.console.deps import OptionalViewer
from smartcity.console.i18n import translator
from smartcity.console.route import PageRoute, login_redirect
from smartcity.console.templating import language, render
from smartcity.console.tiles import TileContext, overview_tiles
from smartcity.geo import service as geo
from smartcity.web.deps import PlatformDep, SessionDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/")
def overview(
    request: Request, platform: PlatformDep, session: SessionDep, viewer: OptionalViewer
) -> Response:
    if viewer is None:
        return login_redirect(request)
    if not viewer.is_staff:
        return RedirectResponse("/report", status_code=303)
    now = platform.clock.now()
    ctx = TileContext(session, platform, viewer.principal, now, translator(language(request)))
    return render(
        request,
        platform,
        "overview.html",
        viewer=viewer,
        tiles=overview_tiles(ctx),
        city=geo.city_summary(session, viewer.principal.tenant_id),
        now=now,
    )


@router.get("/report")
def citizen_portal(request: Request, platform: PlatformDep, viewer: OptionalViewer) -> Response:
    """The citizen portal's address; the reporting form arrives with the case pages."""
    return render(request, platform, "report.html", viewer=viewer)
