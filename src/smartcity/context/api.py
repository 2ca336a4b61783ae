"""Every /ngsi-ld/v1 router of the broker, for the app factory to mount with full paths."""

from __future__ import annotations

from fastapi import APIRouter

from smartcity.context.batch_api import router as batch_router
from smartcity.context.discovery_api import router as discovery_router
from smartcity.context.entities_api import router as entities_router
from smartcity.context.identity_api import router as identity_router
from smartcity.context.subscriptions.api import router as subscriptions_router
from smartcity.context.temporal.api import router as temporal_router

ROUTERS: tuple[APIRouter, ...] = (
    batch_router,
    entities_router,
    discovery_router,
    identity_router,
    subscriptions_router,
    temporal_router,
)
