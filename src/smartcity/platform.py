"""The running platform: the typed runtime object passed explicitly to routes, jobs and the CLI."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url

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
    # SQLite has one writer at a time: writers in this process queue here, and the processes of
    # one database on a lock file beside it, instead of meeting SQLITE_BUSY and its sleeping
    # retries (see `serialized_writes`).
    sqlite_writer: threading.Lock = field(default_factory=threading.Lock)
    _writer_file: int | None = field(default=None, init=False, repr=False)
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
            fd = self._writer_fd()
            if fd is None:
                yield
                return
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _writer_fd(self) -> int | None:
        """The lock file shared by every process writing this SQLite file (None in memory)."""
        if self._writer_file is None:
            database = make_url(self.db.url).database
            if not database or database == ":memory:":
                return None
            self._writer_file = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
        return self._writer_file

    def close(self) -> None:
        self.db.dispose()
        if self._writer_file is not None:
            os.close(self._writer_file)
            self._writer_file = None
        if self.contexts is not None:
            self.contexts.close()
