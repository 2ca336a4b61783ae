"""/ngsi-ld/v1/info/sourceIdentity: who this Context Source is (clauses 5.15.1, 5.2.40), for
peers that detect loops by alias. Each tenant is a Context Source of its own, so the alias names
the tenant too."""

from __future__ import annotations

import socket
import time
from datetime import UTC

from fastapi import APIRouter
from fastapi.responses import Response

from smartcity.context.edge import BASE, ReadCall
from smartcity.context.http import TENANT_HEADER

router = APIRouter(tags=["NGSI-LD"])
_HOST = socket.gethostname().lower() or "localhost"
_STARTED = time.monotonic()


def alias(tenant: str | None) -> str:
    """This broker's alias, per tenant: stable for as long as the host keeps its name."""
    return f"smartcity.{_HOST}" + (f".{tenant.strip().lower()}" if tenant else "")


def uptime(seconds: float) -> str:
    """An ISO 8601 duration, e.g. P2DT3H4M5S."""
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"
    return "P" + (f"{days}D" if days else "") + "T" + clock


@router.get(BASE + "/info/sourceIdentity", summary="Retrieve context source identity")
def retrieve_source_identity(call: ReadCall) -> Response:
    media = call.accept()
    _ = call.principal  # authenticated and authorized; the tenant need not exist
    name = alias(call.request.headers.get(TENANT_HEADER))
    body = {
        "id": f"urn:ngsi-ld:ContextSourceIdentity:{name}",
        "type": "ContextSourceIdentity",
        "contextSourceAlias": name,
        "contextSourceUptime": uptime(time.monotonic() - _STARTED),
        "contextSourceTimeAt": call.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    return call.respond(body, media=media)
