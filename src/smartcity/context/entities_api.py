"""Placeholder router, filled in by its part of the broker."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["NGSI-LD"])
