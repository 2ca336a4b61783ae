"""The rules part's background work, started once per deployment by the app (see web/app.py)."""

from __future__ import annotations

from collections.abc import Callable

from smartcity.platform import Platform


def start(platform: Platform) -> Callable[[], None] | None:
    """Start the background work; return the function that stops it (None: nothing to run)."""
    return None
