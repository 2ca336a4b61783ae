"""Sensing pages: devices by type and district with their health, a device, an entity with a
time-series chart of a numeric attribute, and the dead letters of ingestion."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request, Response

from smartcity.console import readings
from smartcity.console.deps import staff
from smartcity.console.i18n import translator
from smartcity.console.route import PageRoute
from smartcity.console.series import PERIODS, attribute_series
from smartcity.console.session import Viewer
from smartcity.console.templating import language, render
from smartcity.core.errors import NotFound, ValidationFailed
from smartcity.geo import service as geo
from smartcity.sensing import service as sensing
from smartcity.sensing.device_types import DEVICE_TYPES, DeviceKind, device_entity_id
from smartcity.sensing.ingest.dead_letters import DeadLetterFilters, list_dead_letters
from smartcity.web.deps import PlatformDep, SessionDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)
data = APIRouter(prefix="/console/api", include_in_schema=False)
DeviceViewer = Annotated[Viewer, staff("devices:read")]
ContextViewer = Annotated[Viewer, staff("context:read")]
Text = Annotated[str, Query(max_length=64)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
PAGE = 50


def _filter(value: str, allowed: Collection[str], field: str) -> str | None:
    """An empty filter means all; anything else must be one of the allowed values."""
    if not value:
        return None
    if value not in allowed:
        raise ValidationFailed(f"unknown {field} {value!r}", field=field)
    return value


@router.get("/sensing/devices")
def devices_page(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: DeviceViewer,
    type: Text = "",
    district: Text = "",
    status: Text = "",
    offset: Offset = 0,
) -> Response:
    tenant_id = viewer.principal.tenant_id
    districts = geo.list_districts(session, tenant_id)
    kind = _filter(type, {k.value for k in DeviceKind}, "type")
    code = _filter(district, {d.code for d in districts}, "district")
    state = _filter(status, readings.STATUSES, "status")
    groups = readings.health_by_type_and_district(
        session, tenant_id, device_type=kind, district=code
    )
    filters = sensing.Filters(type=kind, district=code, status=state)
    devices, total = sensing.list_devices(session, tenant_id, filters, limit=PAGE, offset=offset)
    t = translator(language(request))
    return render(
        request,
        platform,
        "devices.html",
        viewer=viewer,
        types=DEVICE_TYPES,
        districts=districts,
        statuses=readings.STATUSES,
        chosen={"type": kind or "", "district": code or "", "status": state or ""},
        groups=groups,
        devices=devices,
        total=total,
        offset=offset,
        page_size=PAGE,
        district_names={d.code: t.pick(d.name_zh, d.name_en) for d in districts},
    )


@router.get("/sensing/devices/{device_id}")
def device_page(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: DeviceViewer,
    device_id: str,
) -> Response:
    tenant_id = viewer.principal.tenant_id
    device = sensing.get_device(session, tenant_id, device_id)
    assert platform.contexts is not None
    ctx = platform.contexts.core
    current = readings.entity_now(session, ctx, tenant_id, device.entity_id)
    return render(
        request,
        platform,
        "device.html",
        viewer=viewer,
        device=device,
        kind=DEVICE_TYPES.get(DeviceKind(device.device_type)),
        current=current,
        device_entity=device_entity_id(device.device_id),
    )


@router.get("/sensing/entities/{entity_id:path}")
def entity_page(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: ContextViewer,
    entity_id: str,
    attr: Text = "",
    period: Text = "24h",
) -> Response:
    assert platform.contexts is not None
    current = readings.entity_now(
        session, platform.contexts.core, viewer.principal.tenant_id, entity_id[:2048]
    )
    if current is None:
        raise NotFound(f"no entity {entity_id} in this city")
    numeric = [a.name for a in current.attributes if a.numeric]
    chosen = attr if attr in numeric else (numeric[0] if numeric else "")
    lang = language(request)
    t = translator(lang)
    page_data = {
        "entity": entity_id,
        "lang": lang,
        "messages": {
            k: t(k) for k in ("entity.no_points", "entity.partial", "entity.points", "map.loading")
        },
    }
    return render(
        request,
        platform,
        "entity.html",
        viewer=viewer,
        entity=current,
        numeric=numeric,
        chosen=chosen,
        periods=list(PERIODS),
        period=period if period in PERIODS else "24h",
        page_data=page_data,
    )


@router.get("/sensing/dead-letters")
def dead_letters_page(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: Annotated[Viewer, staff("deadletters:read")],
    offset: Offset = 0,
) -> Response:
    letters, total = list_dead_letters(
        session, viewer.principal.tenant_id, DeadLetterFilters(), limit=PAGE, offset=offset
    )
    return render(
        request,
        platform,
        "dead_letters.html",
        viewer=viewer,
        letters=letters,
        total=total,
        offset=offset,
        page_size=PAGE,
    )


@data.get("/series")
def series(
    platform: PlatformDep,
    session: SessionDep,
    viewer: ContextViewer,
    entity: Annotated[str, Query(min_length=1, max_length=2048)],
    attr: Annotated[str, Query(min_length=1, max_length=256)],
    period: Annotated[str, Query(pattern="^(" + "|".join(PERIODS) + ")$")] = "24h",
) -> Response:
    """One numeric attribute of an entity over a period: [[observedAt, value], …]."""
    assert platform.contexts is not None
    ctx = platform.contexts.core
    tenant_id = viewer.principal.tenant_id
    if readings.entity_now(session, ctx, tenant_id, entity) is None:
        raise NotFound(f"no entity {entity} in this city", field="entity")
    found = attribute_series(
        session, ctx, tenant_id, entity, attr, period=period, now=platform.clock.now()
    )
    body = {
        "entity": entity,
        "attr": found.attr,
        "unit": readings.UNIT_SYMBOLS.get(found.unit or "", found.unit),
        "start": found.start.isoformat(),
        "end": found.end.isoformat(),
        "partial": found.partial,
        "points": found.points,
    }
    return Response(orjson.dumps(body), media_type="application/json")
