"""Alerts: the list with status and severity filters, acknowledge and resolve (CSRF-protected
forms, through the rules part's own lifecycle), and the live stream the overview's feed follows
with the session cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from sqlalchemy.orm import Session

from smartcity.console import csrf
from smartcity.console.deps import staff
from smartcity.console.route import PageRoute
from smartcity.console.session import Viewer
from smartcity.console.templating import render
from smartcity.core.errors import ValidationFailed
from smartcity.rules import alerts
from smartcity.rules.models import Alert
from smartcity.rules.schemas import SEVERITIES
from smartcity.rules.stream import alert_stream
from smartcity.web.deps import PlatformDep, SessionDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)
data = APIRouter(prefix="/console/api/alerts", include_in_schema=False)
ReadViewer = Annotated[Viewer, staff("alerts:read")]
WriteViewer = Annotated[Viewer, staff("alerts:write")]
AlertId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Text = Annotated[str, Query(max_length=32)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
STATUSES = ("active", "raised", "acknowledged", "resolved")
ACTIONS = {"acknowledge": ("raised",), "resolve": ("raised", "acknowledged")}
PAGE = 50
FEED = 10


def _choice(value: str, allowed: tuple[str, ...], field: str) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise ValidationFailed(f"unknown {field} {value!r}", field=field)
    return value


@router.get("/alerts")
def alerts_page(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: ReadViewer,
    status: Text = "active",
    severity: Text = "",
    offset: Offset = 0,
) -> Response:
    chosen_status = _choice(status, STATUSES, "status")
    chosen_severity = _choice(severity, SEVERITIES, "severity")
    filters = alerts.AlertFilters(status=chosen_status, severity=chosen_severity)
    rows, total = alerts.list_alerts(
        session, viewer.principal.tenant_id, filters, limit=PAGE, offset=offset
    )
    return render(
        request,
        platform,
        "alerts.html",
        viewer=viewer,
        alerts=rows,
        total=total,
        offset=offset,
        page_size=PAGE,
        statuses=STATUSES,
        severities=SEVERITIES,
        chosen={"status": chosen_status or "", "severity": chosen_severity or ""},
        actions=ACTIONS,
        back=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    )


def _back(value: str) -> str:
    """Where the form returns to: the alerts page it came from, nowhere else."""
    if value.startswith("/alerts") and "//" not in value and "\\" not in value:
        return value
    return "/alerts"


@router.post("/alerts/{alert_id}/{action}")
def change_alert(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: WriteViewer,
    alert_id: AlertId,
    action: Annotated[str, Path(pattern="^(acknowledge|resolve)$")],
    csrf_token: Annotated[str, Form(max_length=256)] = "",
    back: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    """Acknowledge or resolve, as `POST /api/alerts/{id}/{action}` does; 409 page when the
    alert's status does not allow it."""
    csrf.check(request, platform, csrf_token)
    with platform.serialized_writes():
        alerts.change_status(session, platform, viewer.principal, alert_id, action)
    return RedirectResponse(_back(back), status_code=303)


def recent_alerts(session: Session, viewer: Viewer) -> list[Alert]:
    """The newest alerts for the overview's feed (the stream adds what happens next)."""
    rows, _ = alerts.list_alerts(
        session, viewer.principal.tenant_id, alerts.AlertFilters(), limit=FEED
    )
    return rows


@data.get("/stream")
async def alert_feed(
    request: Request, platform: PlatformDep, session: SessionDep, viewer: ReadViewer
) -> StreamingResponse:
    """`/api/alerts/stream` for the session cookie: each alert status change as it commits."""
    session.close()  # the stream opens its own short sessions
    last = request.headers.get("last-event-id")
    after = int(last) if last is not None and last.isdigit() else None
    return StreamingResponse(
        alert_stream(request, platform, viewer.principal.tenant_id, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/alerts/{alert_id}/{action}")
def form_address(
    request: Request,
    alert_id: AlertId,
    action: Annotated[str, Path(pattern="^(acknowledge|resolve)$")],
) -> Response:
    """A form's address opened again (a language switch after a refusal): the alerts page."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/alerts{query}", status_code=303)
