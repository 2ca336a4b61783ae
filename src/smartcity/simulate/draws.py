"""Random numbers as pure functions of their keys (a SplitMix64 hash): the same (seed, device,
time, attribute) always draws the same number, in any order and in any process."""

from __future__ import annotations

import math

MASK = (1 << 64) - 1
INV_2_53 = 1.0 / (1 << 53)


def mix(x: int) -> int:
    """SplitMix64's finaliser: a well-spread 64-bit hash of a 64-bit number."""
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def hash_keys(*keys: int) -> int:
    h = 0
    for k in keys:
        h = mix(h ^ (k & MASK))
    return h


def unit_of(h: int) -> float:
    """A hash as a number in [0, 1)."""
    return (h >> 11) * INV_2_53


def unit(*keys: int) -> float:
    return unit_of(hash_keys(*keys))


class Draws:
    """The numbers of one (seed, device, instant): `unit(i)` and `normal(i)` for attribute i."""

    __slots__ = ("_base",)

    def __init__(self, *keys: int) -> None:
        self._base = hash_keys(*keys)

    def unit(self, i: int) -> float:
        return unit_of(mix(self._base ^ i))

    def normal(self, i: int) -> float:
        """A standard normal number (Box–Muller)."""
        u1 = 1.0 - self.unit(2 * i + 1000)  # in (0, 1]: log is finite
        u2 = self.unit(2 * i + 1001)
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
