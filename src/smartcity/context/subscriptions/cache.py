"""The compiled rules of each tenant's change-driven subscriptions, kept in memory per database.

Every entity write asks for them, so a tenant without subscriptions must cost a dictionary
lookup. Subscription writes invalidate their tenant after committing; entries also expire after
a few seconds so that another process's subscription writes are seen.
"""

from __future__ import annotations

import threading
import time
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from smartcity.context.subscriptions.matching import Rule, compile_rule
from smartcity.context.subscriptions.models import Subscription

TTL_SECONDS = 5.0
_lock = threading.Lock()
_entries: WeakKeyDictionary[Engine, dict[int, tuple[float, tuple[Rule, ...]]]] = WeakKeyDictionary()
# Bumped by every invalidation, so a load that raced with a subscription write is not kept.
_generations: WeakKeyDictionary[Engine, dict[int, int]] = WeakKeyDictionary()


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def rules_for(session: Session, tenant_id: int) -> tuple[Rule, ...]:
    """The active change-driven subscriptions of a tenant, compiled."""
    engine = _engine(session)
    now = time.monotonic()
    with _lock:
        entry = _entries.get(engine, {}).get(tenant_id)
        generation = _generations.get(engine, {}).get(tenant_id, 0)
    if entry is not None and now - entry[0] < TTL_SECONDS:
        return entry[1]
    rows = session.scalars(
        select(Subscription).where(
            Subscription.tenant_id == tenant_id,
            Subscription.is_active.is_(True),
            Subscription.time_interval.is_(None),
        )
    ).all()
    rules = tuple(rule for rule in map(compile_rule, rows) if rule is not None)
    with _lock:
        if _generations.get(engine, {}).get(tenant_id, 0) == generation:
            _entries.setdefault(engine, {})[tenant_id] = (now, rules)
    return rules


def invalidate(session: Session, tenant_id: int) -> None:
    """Forget a tenant's rules (call after committing a subscription write)."""
    engine = _engine(session)
    with _lock:
        _entries.get(engine, {}).pop(tenant_id, None)
        generations = _generations.setdefault(engine, {})
        generations[tenant_id] = generations.get(tenant_id, 0) + 1
