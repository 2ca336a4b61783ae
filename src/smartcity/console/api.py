"""The console's web pages; `ROUTERS` are mounted by the app factory."""

from __future__ import annotations

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
