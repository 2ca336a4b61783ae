"""Liveness, readiness and metrics for operators and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from smartcity import __version__
from smartcity.core import migrate
from smartcity.web.deps import PlatformDep

router = APIRouter(tags=["operations"])


@router.get("/health", summary="The process is alive")
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/ping", status_code=204, summary="An empty answer (load balancers, benchmarks)")
async def ping() -> Response:
    return Response(status_code=204)


@router.get("/ready", summary="The database is reachable and migrated")
def ready(request: Request, platform: PlatformDep) -> JSONResponse:
    try:
        platform.db.ping()
        current = migrate.is_current(platform.db)
    except SQLAlchemyError:
        return _not_ready(request, "the database cannot be reached")
    if not current:
        return _not_ready(request, "the database is not migrated; run `smartcity db upgrade`")
    return JSONResponse({"status": "ready", "database": platform.db.backend})


def _not_ready(request: Request, message: str) -> JSONResponse:
    body = {
        "error": {"code": "unavailable", "message": message},
        "request_id": getattr(request.state, "request_id", None),
    }
    return JSONResponse(body, status_code=503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
