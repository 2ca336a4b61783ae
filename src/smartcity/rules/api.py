"""The rules part's HTTP routes; `ROUTERS` are mounted by the app factory: `/api/rules` (CRUD)
and `/api/alerts` (list, one, acknowledge, resolve, and the live stream)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from smartcity.core.errors import ValidationFailed
from smartcity.geo.schemas import MAX_OFFSET
from smartcity.rules import alerts, service
from smartcity.rules import cases as _alert_cases  # noqa: F401  (closed cases resolve alerts)
from smartcity.rules.models import Alert, Rule
from smartcity.rules.publish import alert_entity_id
from smartcity.rules.schemas import (
    AlertOut,
    AlertPage,
    AlertStatus,
    RuleIn,
    RuleKind,
    RuleOut,
    RulePage,
    RuleUpdate,
    Severity,
)
from smartcity.rules.stream import alert_stream
from smartcity.security.principal import Principal
from smartcity.web.deps import PlatformDep, RowId, SessionDep, require

rules_router = APIRouter(prefix="/api/rules", tags=["rules"])
alerts_router = APIRouter(prefix="/api/alerts", tags=["alerts"])

ReadRules = Annotated[Principal, require("rules:read")]
WriteRules = Annotated[Principal, require("rules:write")]
ReadAlerts = Annotated[Principal, require("alerts:read")]
WriteAlerts = Annotated[Principal, require("alerts:write")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def rule_out(rule: Rule) -> RuleOut:
    return RuleOut.model_validate({"id": rule.id, **service.rule_view(rule)} | _times(rule))


def _times(rule: Rule) -> dict[str, datetime]:
    return {"created_at": rule.created_at, "updated_at": rule.updated_at}


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.id,
        entity_id=alert_entity_id(alert.id),
        rule_id=alert.rule_id,
        status=alert.status,
        severity=alert.severity,
        kind=alert.kind,
        method=alert.method,
        name_zh=alert.name_zh,
        name_en=alert.name_en,
        device_id=alert.device_id,
        source_entity_id=alert.entity_id,
        attribute=alert.attribute,
        district_code=alert.district_code,
        street_code=alert.street_code,
        cell_code=alert.cell_code,
        lon=alert.lon,
        lat=alert.lat,
        count=alert.count,
        last_value=alert.last_value,
        evidence=alert.evidence,
        case_category=alert.case_category,
        case_id=alert.case_id,
        case_status=alert.case_status,
        case_note=alert.case_note,
        raised_at=alert.raised_at,
        last_fired_at=alert.last_fired_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by,
        resolved_at=alert.resolved_at,
        resolved_by=alert.resolved_by,
        resolution=alert.resolution,
    )


# -- rules ------------------------------------------------------------------------------------


@rules_router.get("", response_model=RulePage)
def list_rules(
    session: SessionDep,
    principal: ReadRules,
    kind: RuleKind | None = None,
    attribute: Annotated[str | None, Query(max_length=128)] = None,
    enabled: bool | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> RulePage:
    rows, total = service.list_rules(
        session,
        principal.tenant_id,
        kind=kind,
        attribute=attribute,
        enabled=enabled,
        limit=limit,
        offset=offset,
    )
    return RulePage(items=[rule_out(r) for r in rows], total=total, limit=limit, offset=offset)


@rules_router.post("", response_model=RuleOut, status_code=status.HTTP_201_CREATED)
def create_rule(
    platform: PlatformDep, session: SessionDep, principal: WriteRules, body: RuleIn
) -> RuleOut:
    """Create a rule; it judges the next readings (every ingestion process reloads its rules)."""
    with platform.serialized_writes():
        rule = service.create_rule(session, platform, principal, body.model_dump())
    return rule_out(rule)


@rules_router.get("/{rule_id}", response_model=RuleOut)
def get_rule(session: SessionDep, principal: ReadRules, rule_id: RowId) -> RuleOut:
    return rule_out(service.get_rule(session, principal.tenant_id, rule_id))


@rules_router.patch("/{rule_id}", response_model=RuleOut)
def update_rule(
    platform: PlatformDep,
    session: SessionDep,
    principal: WriteRules,
    rule_id: RowId,
    body: RuleUpdate,
) -> RuleOut:
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise ValidationFailed("nothing to change", field="body")
    with platform.serialized_writes():
        rule = service.update_rule(session, platform, principal, rule_id, changes)
    return rule_out(rule)


@rules_router.delete("/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_rule(
    platform: PlatformDep, session: SessionDep, principal: WriteRules, rule_id: RowId
) -> Response:
    """Remove a rule; its alerts stay, without their rule."""
    with platform.serialized_writes():
        service.delete_rule(session, platform, principal, rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- alerts -----------------------------------------------------------------------------------


@alerts_router.get("", response_model=AlertPage)
def list_alerts(
    session: SessionDep,
    principal: ReadAlerts,
    status: AlertStatus | None = None,
    active: bool | None = Query(default=None, description="raised or acknowledged"),
    severity: Severity | None = None,
    rule: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    device: Annotated[str | None, Query(max_length=64)] = None,
    area: Annotated[str | None, Query(pattern=r"^(\d{6}|\d{9}|\d{15})$")] = None,
    since: datetime | None = Query(default=None, description="fired at or after"),
    limit: Limit = 100,
    offset: Offset = 0,
) -> AlertPage:
    """Alerts newest first, narrowed by status, severity, rule, device, area (district, street
    or cell code) and time."""
    if since is not None and since.tzinfo is None:
        raise ValidationFailed("since must carry a timezone", field="since")
    if active and status is not None:
        raise ValidationFailed("give status or active, not both", field="active")
    filters = alerts.AlertFilters(
        status="active" if active else status,
        severity=severity,
        rule_id=rule,
        device_id=device,
        area=area,
        since=since,
    )
    rows, total = alerts.list_alerts(
        session, principal.tenant_id, filters, limit=limit, offset=offset
    )
    return AlertPage(items=[alert_out(a) for a in rows], total=total, limit=limit, offset=offset)


@alerts_router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_alerts(
    request: Request, platform: PlatformDep, session: SessionDep, principal: ReadAlerts
) -> StreamingResponse:
    """Server-sent events: each change of an alert's status (`raised`, `acknowledged`,
    `resolved`) as it commits, the alert as JSON in `data`; resume with `Last-Event-ID`."""
    session.close()  # the stream opens its own short sessions; hold no connection for hours
    last = request.headers.get("last-event-id")
    after = int(last) if last is not None and last.isdigit() else None
    return StreamingResponse(
        alert_stream(request, platform, principal.tenant_id, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@alerts_router.get("/{alert_id}", response_model=AlertOut)
def get_alert(session: SessionDep, principal: ReadAlerts, alert_id: RowId) -> AlertOut:
    return alert_out(alerts.get_alert(session, principal.tenant_id, alert_id))


@alerts_router.post("/{alert_id}/acknowledge", response_model=AlertOut)
def acknowledge_alert(
    platform: PlatformDep, session: SessionDep, principal: WriteAlerts, alert_id: RowId
) -> AlertOut:
    """Someone is on it; 409 unless the alert is raised."""
    with platform.serialized_writes():
        alert = alerts.change_status(session, platform, principal, alert_id, "acknowledge")
    return alert_out(alert)


@alerts_router.post("/{alert_id}/resolve", response_model=AlertOut)
def resolve_alert(
    platform: PlatformDep, session: SessionDep, principal: WriteAlerts, alert_id: RowId
) -> AlertOut:
    """Close it; 409 when it is resolved already."""
    with platform.serialized_writes():
        alert = alerts.change_status(session, platform, principal, alert_id, "resolve")
    return alert_out(alert)


ROUTERS: list[APIRouter] = [rules_router, alerts_router]
