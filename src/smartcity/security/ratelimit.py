"""Rate limits per API key, user or client address, in process memory.

A sliding window counter: the count of the current window plus the previous window's count
weighted by how much of it still overlaps the sliding window. Constant time and memory per key
and hit; limits are written as `limits` understands them (`600/minute`, `10/second`).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from limits import RateLimitItem, parse

from smartcity.core.errors import RateLimited

LOGIN_LIMIT = "10/minute"
_SWEEP_EVERY = 10_000  # hits between removals of keys idle for two windows


class RateLimiter:
    """Counts hits per key against its own limit or the platform default."""

    def __init__(self, default: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.default = parse(default)
        self._parsed: dict[str, RateLimitItem] = {}
        # key -> (window number, hits in that window, hits in the window before)
        self._windows: dict[tuple[str, int], tuple[int, int, int]] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._hits = 0

    def _item(self, limit: str | None) -> RateLimitItem:
        if not limit:
            return self.default
        item = self._parsed.get(limit)
        if item is None:
            item = self._parsed[limit] = parse(limit)
        return item

    def hit(self, key: str, limit: str | None = None) -> None:
        """Count one request; raise RateLimited with Retry-After seconds when over the limit."""
        item = self._item(limit)
        period = item.get_expiry()
        now = self._clock()
        window = int(now // period)
        slot = (key, period)
        with self._lock:
            number, current, previous = self._windows.get(slot, (window, 0, 0))
            if number != window:
                previous = current if number == window - 1 else 0
                current = 0
            overlap = 1.0 - (now % period) / period
            if current + previous * overlap + 1 > item.amount:
                self._windows[slot] = (window, current, previous)
                wait = (period - now % period) if current >= item.amount else period * 0.1
                raise RateLimited(
                    f"rate limit of {item} exceeded; retry in {math.ceil(wait)} s",
                    retry_after=max(1, math.ceil(wait)),
                )
            self._windows[slot] = (window, current + 1, previous)
            self._hits += 1
            if self._hits % _SWEEP_EVERY == 0:
                self._sweep(now)

    def _sweep(self, now: float) -> None:
        stale = [
            slot for slot, (number, _, _) in self._windows.items() if number < now // slot[1] - 1
        ]
        for slot in stale:
            del self._windows[slot]

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
