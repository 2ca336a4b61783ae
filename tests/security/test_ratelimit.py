"""The in-process limiter: a sliding window counter per key."""

from __future__ import annotations

import pytest

from smartcity.core.errors import RateLimited
from smartcity.security.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 960_000.0

    def __call__(self) -> float:
        return self.now


def test_allows_the_limit_then_refuses_with_retry_after():
    clock = Clock()
    limiter = RateLimiter("5/minute", clock=clock)
    for _ in range(5):
        limiter.hit("k")
    with pytest.raises(RateLimited) as refused:
        limiter.hit("k")
    assert 1 <= refused.value.retry_after <= 60
    limiter.hit("other")  # keys are counted apart


def test_the_previous_window_still_counts_while_it_overlaps():
    clock = Clock()  # 960,000 s is a whole number of minutes: a window starts here
    limiter = RateLimiter("10/minute", clock=clock)
    for _ in range(10):
        limiter.hit("k")
    clock.now += 60 + 6  # 10 % into the next window: 90 % of the last one still counts (9)
    limiter.hit("k")
    with pytest.raises(RateLimited):
        limiter.hit("k")
    clock.now += 120  # two windows later everything is forgotten
    for _ in range(10):
        limiter.hit("k")


def test_a_key_may_have_its_own_limit():
    limiter = RateLimiter("1000/minute", clock=Clock())
    limiter.hit("k", "1/minute")
    with pytest.raises(RateLimited):
        limiter.hit("k", "1/minute")
    limiter.hit("k")  # the default limit is a separate window
