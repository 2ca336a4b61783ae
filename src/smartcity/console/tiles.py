"""The city overview (城市运行体征) as tiles from providers that parts register.

A provider is a function of a `TileContext` answering zero or more tiles; the overview shows
those whose permission the viewer holds. Sensing's providers come with the console; alerts and
cases register theirs the same way when their pages arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from smartcity.console.i18n import Translator
from smartcity.platform import Platform
from smartcity.security.principal import Principal
from smartcity.security.roles import PERMISSIONS


@dataclass(frozen=True)
class Tile:
    """One figure on the overview; all text already in the viewer's language."""

    key: str
    title: str
    value: str
    unit: str = ""
    detail: str = ""
    tone: str = "normal"  # normal | good | warn | alert
    href: str | None = None


@dataclass(frozen=True)
class TileContext:
    session: Session
    platform: Platform
    principal: Principal
    now: datetime
    t: Translator


@dataclass(frozen=True)
class TileProvider:
    key: str
    permission: str
    build: Callable[[TileContext], list[Tile]]
    order: int = 100


_PROVIDERS: dict[str, TileProvider] = {}


def register_tile_provider(provider: TileProvider) -> None:
    """Add or replace a provider (by key)."""
    if provider.permission not in PERMISSIONS:
        raise ValueError(f"tile provider {provider.key!r} names unknown permission")
    _PROVIDERS[provider.key] = provider


def tile_providers() -> list[TileProvider]:
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.key))


def overview_tiles(ctx: TileContext) -> list[Tile]:
    """Every tile the viewer may see, provider by provider."""
    tiles: list[Tile] = []
    for provider in tile_providers():
        if ctx.principal.can(provider.permission):
            tiles.extend(provider.build(ctx))
    return tiles
