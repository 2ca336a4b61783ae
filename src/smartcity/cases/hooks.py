"""Hooks other parts register to hear of case changes, so that cases never import them.

A hook runs inside the transaction that changes the case (so its writes commit or roll back
with the change) and must not commit. Registering the same function twice keeps one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from smartcity.cases.models import Case
from smartcity.platform import Platform

CaseClosedHook = Callable[[Session, Platform, Case, datetime], None]

_on_closed: list[CaseClosedHook] = []


def on_case_closed(hook: CaseClosedHook) -> CaseClosedHook:
    """Call `hook(session, platform, case, now)` whenever a case is closed (结案)."""
    if hook not in _on_closed:
        _on_closed.append(hook)
    return hook


def case_closed(session: Session, platform: Platform, case: Case, now: datetime) -> None:
    """Tell every registered hook that `case` has just been closed."""
    for hook in tuple(_on_closed):
        hook(session, platform, case, now)
