"""/ngsi-ld/v1/temporal: the temporal API's routes, reading and writing, as one router."""

from __future__ import annotations

from fastapi import APIRouter

from smartcity.context.temporal import read_api, write_api

router = APIRouter()
router.include_router(read_api.router)
router.include_router(write_api.router)
