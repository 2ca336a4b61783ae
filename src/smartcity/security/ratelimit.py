"""Rate limits per API key, user or client address (moving window, in process memory)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from smartcity.core.errors import RateLimited

LOGIN_LIMIT = "10/minute"


class RateLimiter:
    """Counts hits per key against its own limit or the platform default."""

    def __init__(self, default: str) -> None:
        self.default = parse(default)
        self._storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._parsed: dict[str, RateLimitItem] = {}

    def _item(self, limit: str | None) -> RateLimitItem:
        if not limit:
            return self.default
        if limit not in self._parsed:
            self._parsed[limit] = parse(limit)
        return self._parsed[limit]

    def hit(self, key: str, limit: str | None = None) -> None:
        """Count one request; raise RateLimited with Retry-After seconds when over the limit."""
        item = self._item(limit)
        if self._limiter.hit(item, key):
            return
        reset_at, _remaining = self._limiter.get_window_stats(item, key)
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise RateLimited(
            f"rate limit of {item} exceeded; retry in {retry_after} s", retry_after=retry_after
        )

    def reset(self) -> None:
        self._storage.reset()
