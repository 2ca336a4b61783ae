"""The city map page and the GeoJSON its script loads (session cookie, JSON errors)."""

from __future__ import annotations

from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Request, Response

from smartcity.console.deps import staff
from smartcity.console.i18n import catalogue
from smartcity.console.map_layers import AREA_LAYERS, MEASURES
from smartcity.console.readings import map_devices
from smartcity.console.route import PageRoute
from smartcity.console.session import Viewer
from smartcity.console.templating import language, render
from smartcity.core.errors import Forbidden, NotFound
from smartcity.sensing.device_types import DEVICE_TYPES
from smartcity.web.deps import PlatformDep, SessionDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)
data = APIRouter(prefix="/console/api/map", include_in_schema=False)
MapViewer = Annotated[Viewer, staff("geo:read")]
GEOJSON = "application/geo+json"
_JS_MESSAGES = ("map.", "status.")


def _script_messages(lang: str) -> dict[str, str]:
    return {k: v for k, v in catalogue(lang).items() if k.startswith(_JS_MESSAGES)}


@router.get("/map")
def map_page(request: Request, platform: PlatformDep, viewer: MapViewer) -> Response:
    lang = language(request)
    pick = 1 if lang == "en" else 0
    measures = [
        {"key": m.key, "label": m.label_key} for m in MEASURES.values() if viewer.can(m.permission)
    ]
    page_data = {
        "lang": lang,
        "messages": _script_messages(lang),
        "measures": measures,
        "devices": viewer.can("devices:read"),
        "types": {k.value: (t.name_zh, t.name_en)[pick] for k, t in DEVICE_TYPES.items()},
    }
    return render(
        request,
        platform,
        "map.html",
        viewer=viewer,
        measures=measures,
        page_data=page_data,
    )


@data.get("/areas/{level}")
def area_layer(
    request: Request,
    session: SessionDep,
    viewer: MapViewer,
    level: Literal["district", "street", "cell"],
) -> Response:
    """One level of the city's areas as a FeatureCollection, with an ETag of the city revision."""
    token, body, packed = AREA_LAYERS.get(session, viewer.principal.tenant_id, level)
    etag = f'"{level}-{token}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        body = packed
    return Response(body, media_type=GEOJSON, headers=headers)


@data.get("/measures/{key}")
def cell_measure(session: SessionDep, viewer: MapViewer, key: str) -> Response:
    """A figure per grid cell (only cells that have one) and the largest, to scale colours."""
    measure = MEASURES.get(key)
    if measure is None:
        raise NotFound(f"no cell measure {key!r}; choose one of {', '.join(MEASURES)}")
    if not viewer.can(measure.permission):
        raise Forbidden(f"this needs the permission {measure.permission!r}")
    values = measure.values(session, viewer.principal.tenant_id)
    body = {"measure": key, "values": values, "max": max(values.values(), default=0)}
    return Response(orjson.dumps(body), media_type="application/json")


@data.get("/devices")
def device_layer(
    platform: PlatformDep,
    session: SessionDep,
    viewer: Annotated[Viewer, staff("devices:read")],
) -> Response:
    """Devices in service as points, with their latest numeric readings."""
    assert platform.contexts is not None
    features = map_devices(session, platform.contexts.core, viewer.principal.tenant_id)
    body = {"type": "FeatureCollection", "features": features}
    return Response(orjson.dumps(body), media_type=GEOJSON)
