"""The console's web pages; `ROUTERS` are mounted by the app factory.

The console's own navigation entries and overview tiles are registered here; parts that add
pages later register theirs with `nav.register_nav` and `tiles.register_tile_provider`.
"""

from __future__ import annotations

from fastapi import APIRouter

from smartcity.console import alert_tiles, assets, case_figures, sensing_tiles
from smartcity.console.map_layers import register_measure
from smartcity.console.nav import NavEntry, register_nav
from smartcity.console.pages import alerts, auth, cases, map, overview, portal, sensing
from smartcity.console.tiles import register_tile_provider

NAV = [
    NavEntry("overview", "/", "geo:read", order=10),
    NavEntry("map", "/map", "geo:read", order=20),
    NavEntry("alerts", "/alerts", "alerts:read", order=25),
    NavEntry("cases", "/cases", "cases:read", order=30),
    NavEntry("devices", "/sensing/devices", "devices:read", order=40),
    NavEntry("dead_letters", "/sensing/dead-letters", "deadletters:read", order=45),
]

for _entry in NAV:
    register_nav(_entry)
for _provider in [*sensing_tiles.PROVIDERS, *alert_tiles.PROVIDERS, *case_figures.PROVIDERS]:
    register_tile_provider(_provider)
for _measure in case_figures.MEASURES:
    register_measure(_measure)

ROUTERS: list[APIRouter] = [
    assets.router,
    auth.router,
    overview.router,
    alerts.router,
    alerts.data,
    cases.router,
    portal.router,
    map.router,
    map.data,
    sensing.router,
    sensing.data,
]
