"""`/`: the operations centre's city overview (城市运行体征) for staff, with tiles from the
registered providers and the live alert feed."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from smartcity.console.deps import OptionalViewer
from smartcity.console.i18n import catalogue, translator
from smartcity.console.pages.alerts import recent_alerts
from smartcity.console.route import PageRoute, login_redirect
from smartcity.console.templating import language, render
from smartcity.console.tiles import TileContext, overview_tiles
from smartcity.geo import service as geo
from smartcity.web.deps import PlatformDep, SessionDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)
_FEED_MESSAGES = ("severity.", "feed.")


@router.get("/")
def overview(
    request: Request, platform: PlatformDep, session: SessionDep, viewer: OptionalViewer
) -> Response:
    if viewer is None:
        return login_redirect(request)
    if not viewer.is_staff:
        return RedirectResponse("/report", status_code=303)
    now = platform.clock.now()
    lang = language(request)
    ctx = TileContext(session, platform, viewer.principal, now, translator(lang))
    feed = recent_alerts(session, viewer) if viewer.can("alerts:read") else None
    messages = {k: v for k, v in catalogue(lang).items() if k.startswith(_FEED_MESSAGES)}
    return render(
        request,
        platform,
        "overview.html",
        viewer=viewer,
        tiles=overview_tiles(ctx),
        city=geo.city_summary(session, viewer.principal.tenant_id),
        now=now,
        feed=feed,
        feed_data={"lang": lang, "messages": messages},
    )
