"""The console's web pages; `ROUTERS` are mounted by the app factory.

The console's own navigation entries and overview tiles are registered here; parts that add
pages later register theirs with `nav.register_nav` and `tiles.register_tile_provider`.
"""

from __future__ import annotations

from fastapi import APIRouter

from smartcity.console import assets, sensing_tiles
from smartcity.console.nav import NavEntry, register_nav
from smartcity.console.pages import auth, map, overview, sensing
from smartcity.console.tiles import register_tile_provider

NAV = [
    NavEntry("overview", "/", "geo:read", order=10),
    NavEntry("map", "/map", "geo:read", order=20),
    NavEntry("devices", "/sensing/devices", "devices:read", order=40),
    NavEntry("dead_letters", "/sensing/dead-letters", "deadletters:read", order=45),
]

for _entry in NAV:
    register_nav(_entry)
for _provider in sensing_tiles.PROVIDERS:
    register_tile_provider(_provider)

ROUTERS: list[APIRouter] = [
    assets.router,
    auth.router,
    overview.router,
    map.router,
    map.data,
    sensing.router,
    sensing.data,
]
