"""The running platform: the typed runtime object passed explicitly to routes, jobs and the CLI."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from smartcity.context.jsonld import ContextResolver, parse_allowed_hosts
from smartcity.core.clock import Clock, SystemClock
from smartcity.core.db import Database
from smartcity.core.settings import Settings
from smartcity.geo.index import GridIndexCache
from smartcity.security.ratelimit import RateLimiter


@dataclass
class Platform:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    grids: GridIndexCache = field(default_factory=GridIndexCache)
    limiter: RateLimiter | None = None
    contexts: ContextResolver | None = None
    # SQLite has one writer at a time: writers in this process queue here instead of meeting
    # SQLITE_BUSY and its sleeping retries (see `serialized_writes`).
    sqlite_writer: threading.Lock = field(default_factory=threading.Lock)
    # Tenant ids by slug, filled on first use (tenants are created, never renamed or removed).
    tenant_ids: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.limiter is None:
            self.limiter = RateLimiter(self.settings.rate_limit)
        if self.contexts is None:
            hosts = parse_allowed_hosts(self.settings.context_allowed_hosts)
            self.contexts = ContextResolver(allowed_hosts=hosts)

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Clock | None = None) -> Platform:
        return cls(
            settings=settings,
            db=Database(settings.resolved_database_url),
            clock=clock or SystemClock(),
        )

    @contextmanager
    def serialized_writes(self) -> Iterator[None]:
        """Around a write transaction: one writer at a time on SQLite, nothing on PostgreSQL."""
        if self.db.backend != "sqlite":
            yield
            return
        with self.sqlite_writer:
            yield

    def close(self) -> None:
        self.db.dispose()
        if self.contexts is not None:
            self.contexts.close()
